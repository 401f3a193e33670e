"""Engine-level properties, driven through the docker CLI on random file work in a container.

A random, always-valid sequence of shell operations (write, append, rm, mkdir, rm -r, mv, chmod,
ln -s, ln) runs in `docker run --name ctr base sh -c '<ops>'` (a one-letter name is
invalid: moby names need two characters), where `base` holds a small tree
under /d. Then:

(a) `docker commit ctr img` and a container of `img` see exactly the files of `ctr` (paths,
    kinds, content, modes);
(b) nothing changes an existing image's ID, config or layer diffIDs, and every stored layer
    still hashes to its diffID;
(c) `docker diff ctr` lists what a naive diff of the image's tree and the container's tree gives
    (moby go-archive `changes.go` `addChanges` / `changes_unix.go` `statDifferent`, as summarised in
    docker-semantics.md §5.6): a non-directory is C when its type, mode, size or mtime differ,
    a directory only when its type or mode differ; a removed tree is one D; an added tree is A
    throughout; every ancestor (but /) of a change is C. The expected set comes from the small
    model below, not from the simulator.
"""

from __future__ import annotations

import hashlib
import posixpath
import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine.engine import Engine

# The base image's tree under /d: path -> (kind, mode, content). File sizes are all different,
# so that a naive diff (which never reads content) tells any two image files apart.
BASE = {
    "/d": ("dir", 0o755, None),
    "/d/f1": ("file", 0o644, b"a"),
    "/d/s": ("dir", 0o755, None),
    "/d/s/f2": ("file", 0o644, b"bb"),
    "/d/s/t": ("dir", 0o700, None),
    "/d/s/t/f3": ("file", 0o600, b"ccc"),
    "/d/l1": ("symlink", 0o777, "f1"),
}
SETUP = ("mkdir -p /d/s/t && printf a > /d/f1 && printf bb > /d/s/f2 && printf ccc > /d/s/t/f3"
         " && chmod 700 /d/s/t && chmod 600 /d/s/t/f3 && ln -s f1 /d/l1")
NAMES = ["f1", "f2", "n", "m", "s", "t", "l1"]
WORDS = st.text(alphabet="xyz0123", min_size=1, max_size=6)


def _run(engine, line, tmp):
    from simulator.cli import app, commands  # noqa: F401

    out, err = [], []
    code = app.run(engine, shlex.split(line) if isinstance(line, str) else line, str(tmp),
                   out.append, err.append)
    return code, "".join(out), "".join(err)


class Model:
    """Paths -> inode numbers; inodes -> [kind, mode, content, fresh]. `fresh` marks an inode whose
    mtime the container set (create, write, append): it differs from every image mtime."""

    def __init__(self):
        self.paths: dict[str, int] = {}
        self.inodes: dict[int, list] = {}
        for path, (kind, mode, content) in BASE.items():
            self._new(path, kind, mode, content, fresh=False)

    def _new(self, path, kind, mode, content, fresh=True):
        n = len(self.inodes)
        self.inodes[n] = [kind, mode, content, fresh]
        self.paths[path] = n

    def __repr__(self):
        return f"Model({self.state()})"

    def kind(self, path):
        return self.inodes[self.paths[path]][0]

    def of_kind(self, *kinds, keep_root=False):
        return sorted(p for p in self.paths if self.kind(p) in kinds and (keep_root or p != "/d"))

    def free_names(self):
        dirs = self.of_kind("dir", keep_root=True)
        return sorted({posixpath.join(d, n) for d in dirs for n in NAMES} - set(self.paths))

    def subtree(self, path):
        return [p for p in self.paths if p == path or p.startswith(path + "/")]

    def state(self):
        """path -> (kind, mode, content): what a container sees."""
        return {p: tuple(self.inodes[n][:3]) for p, n in self.paths.items()}


@st.composite
def op_sequences(draw):
    """(shell commands, model after them): each operation is drawn among the valid ones."""
    m = Model()
    cmds = []
    for _ in range(draw(st.integers(1, 8))):
        choices = ["write", "mkdir", "ln -s"]
        if m.of_kind("file"):
            choices += ["append", "ln"]
        if m.of_kind("file", "symlink"):
            choices += ["rm"]
        if m.of_kind("dir"):
            choices += ["rm -r"]
        if m.of_kind("file", "dir", "symlink"):
            choices += ["mv"]
        if m.of_kind("file", "dir"):
            choices += ["chmod"]
        if not m.free_names():             # every name taken: only ops that need no new name
            choices = [c for c in choices if c not in ("write", "mkdir", "ln -s", "ln", "mv")]
        op = draw(st.sampled_from(choices))
        if op in ("write", "append"):
            targets = m.of_kind("file") + (m.free_names() if op == "write" else [])
            path, data = draw(st.sampled_from(targets)), draw(WORDS).encode()
            cmds.append(f"printf {data.decode()} {'>>' if op == 'append' else '>'} {path}")
            if path in m.paths:
                inode = m.inodes[m.paths[path]]
                inode[2] = (inode[2] + data) if op == "append" else data
                inode[3] = True
            else:
                m._new(path, "file", 0o644, data)
        elif op == "mkdir":
            path = draw(st.sampled_from(m.free_names()))
            cmds.append(f"mkdir {path}")
            m._new(path, "dir", 0o755, None)
        elif op == "ln -s":
            path, target = draw(st.sampled_from(m.free_names())), draw(st.sampled_from(["f1", "../x", "/d/s"]))
            cmds.append(f"ln -s {target} {path}")
            m._new(path, "symlink", 0o777, target)
        elif op == "ln":
            source, path = draw(st.sampled_from(m.of_kind("file"))), draw(st.sampled_from(m.free_names()))
            cmds.append(f"ln {source} {path}")
            m.paths[path] = m.paths[source]
        elif op in ("rm", "rm -r"):
            path = draw(st.sampled_from(m.of_kind("file", "symlink") if op == "rm" else m.of_kind("dir")))
            cmds.append(f"{op} {path}")
            for p in m.subtree(path):
                del m.paths[p]
        elif op == "mv":
            source = draw(st.sampled_from(m.of_kind("file", "dir", "symlink")))
            targets = [p for p in m.free_names() if not p.startswith(source + "/")]
            if not targets:
                continue
            dest = draw(st.sampled_from(targets))
            cmds.append(f"mv {source} {dest}")
            for p in sorted(m.subtree(source)):
                m.paths[dest + p[len(source):]] = m.paths.pop(p)
        else:
            path = draw(st.sampled_from(m.of_kind("file", "dir")))
            mode = draw(st.sampled_from([0o600, 0o644, 0o700, 0o755]))
            cmds.append(f"chmod {mode:o} {path}")
            m.inodes[m.paths[path]][1] = mode
    return cmds, m


def expected_diff(m: Model) -> set[tuple[str, str]]:
    """The naive diff of BASE (the image) against the model's state (the container)."""
    old = {p: (k, mode, c, False) for p, (k, mode, c) in BASE.items()}
    new = {p: tuple(m.inodes[n]) for p, n in m.paths.items()}
    out: dict[str, str] = {}

    def children(tree, d):
        return {p for p in tree if posixpath.dirname(p) == d}

    def walk(path, was_added):
        kind, mode, content, fresh = new[path]
        before = None if was_added else old.get(path)
        if before is None:
            out[path] = "A"
        elif kind != before[0] or mode != before[1] or (
                kind != "dir" and (fresh or content != before[2])):
            out[path] = "C"
        if kind != "dir":
            return
        added = before is None
        old_kids = children(old, path) if (before is not None and before[0] == "dir") else set()
        for child in sorted(children(new, path)):
            walk(child, added)
            old_kids.discard(child)
        for child in old_kids:
            out[child] = "D"

    walk("/d", False)
    for path in list(out):                 # every ancestor of a change is C
        for parent in _ancestors(path):
            out.setdefault(parent, "C")
    return {(k, p) for p, k in out.items()}


def _ancestors(path):
    while (path := posixpath.dirname(path)) not in ("/", ""):
        yield path


def snapshot(engine):
    """Everything (b) says must not move: each image's ID, raw config, diffIDs; each layer's hash."""
    images = {i: (img.id, img.raw, tuple(img.diff_ids)) for i, img in engine.images.images.items()}
    for diff_id, layer in engine.images.layers.items():
        if layer.size > 4096:               # the busybox base: too slow to re-hash each example
            continue
        assert "sha256:" + hashlib.sha256(layer.tar_bytes()).hexdigest() == diff_id
    return images


def tree_of(engine, name, under="/d"):
    c = engine.containers.get(name)
    fs = engine.backend.get(c.id)
    out = {}
    for path, entry in fs.walk(under):
        data = entry.content.read() if entry.content else None
        out[path] = (entry.kind.value, entry.mode & 0o7777, data, entry.target or None)
    return out


_TEMPLATE: list = []


def fresh():
    """A new engine holding `base` (busybox + /d), its clock 5 s later. Built once, then copied
    from a pickled template so each example starts from the same state quickly."""
    import tempfile

    import cloudpickle

    if not _TEMPLATE:
        tmp = tempfile.mkdtemp(prefix="engine-props-")
        engine = Engine()
        code, out, err = _run(engine, ["run", "--network", "none", "--name", "setup", "busybox", "sh", "-c", SETUP], tmp)
        assert code == 0, err
        code, out, err = _run(engine, "commit setup base", tmp)
        assert code == 0, err
        assert _run(engine, "rm setup", tmp)[0] == 0
        engine.clock.advance(5)
        _TEMPLATE.append((cloudpickle.dumps(engine), tmp))
    blob, tmp = _TEMPLATE[0]
    return cloudpickle.loads(blob), tmp


PROPS = settings(max_examples=80, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(op_sequences())
def test_base_model_matches_the_image(ops):
    """Sanity of the fixture: the image's /d is the BASE tree the model starts from."""
    engine, tmp = fresh()
    assert _run(engine, "create --network none --name ctr base", tmp)[0] == 0
    got = tree_of(engine, "ctr")
    assert {p: (k, mode) for p, (k, mode, _, _) in got.items()} == {p: (k, mode) for p, (k, mode, _) in BASE.items()}


@PROPS
@given(op_sequences())
def test_commit_then_run_sees_the_same_files_and_images_never_move(ops):
    cmds, model = ops
    engine, tmp = fresh()
    before = snapshot(engine)
    code, out, err = _run(engine, ["run", "--network", "none", "--name", "ctr", "base", "sh", "-c",
                                   "set -e; " + "; ".join(cmds)], tmp)
    assert code == 0, err
    view = tree_of(engine, "ctr")
    assert {p: (k, mode, d if k == "file" else None, t) for p, (k, mode, d, t) in view.items()} == {
        p: (k, mode, c if k == "file" else None, c if k == "symlink" else None)
        for p, (k, mode, c) in model.state().items()}
    assert _run(engine, "commit ctr img", tmp)[0] == 0
    after_commit = snapshot(engine)
    assert {i: v for i, v in after_commit.items() if i in before} == before
    assert _run(engine, "create --network none --name again img", tmp)[0] == 0
    assert tree_of(engine, "again") == view
    assert _run(engine, ["run", "--network", "none", "--name", "writer", "img", "sh", "-c",
                         "rm -rf /d; echo new > /new"], tmp)[0] == 0
    assert _run(engine, "commit writer img2", tmp)[0] == 0
    assert {i: v for i, v in snapshot(engine).items() if i in after_commit} == after_commit
    assert tree_of(engine, "again") == view


@PROPS
@given(op_sequences())
def test_diff_lists_what_differs_from_the_image(ops):
    cmds, model = ops
    engine, tmp = fresh()
    code, out, err = _run(engine, ["run", "--network", "none", "--name", "ctr", "base", "sh", "-c",
                                   "set -e; " + "; ".join(cmds)], tmp)
    assert code == 0, err
    code, out, err = _run(engine, "diff ctr", tmp)
    assert code == 0, err
    got = {tuple(line.split(" ", 1)) for line in out.splitlines()}
    assert got == expected_diff(model), cmds


@pytest.mark.parametrize("ops", [
    "ln /d/f1 /d/n; mv /d/n /d/m; printf 0 > /d/m; cat /d/f1",          # lower file, the new name moved
    "ln /d/f1 /d/n; mv /d/f1 /d/m; printf 0 > /d/n; cat /d/m",          # lower file, the old name moved
    "printf q > /d/z; ln /d/z /d/n; mv /d/n /d/m; printf 0 > /d/m; cat /d/z",   # a new file
])
def test_rename_keeps_a_hard_link(ops):
    """Both names stay one inode after a rename (rename(2); overlayfs copies a lower file up
    once, at link time), so the last cat prints what was written through the other name."""
    engine, tmp = fresh()
    assert _run(engine, ["run", "--network", "none", "base", "sh", "-c", ops], tmp)[:2] == (0, "0")
