"""Properties of the core model, checked on random changesets and random filesystem work.

- nothing changes an existing layer or image;
- a container's view equals its image's layers plus its upper layer, applied in order;
- what a commit keeps is what a new container on the committed image sees;
- diffIDs and image IDs depend on content only, and change with any change;
- a layer's tar reads back to the same diffID; hostile tars are refused.
"""

import io
import subprocess
import sys
import tarfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.model.fs import FSError, Tree, UnionFS
from simulator.model.image import EMPTY_RUN_CONFIG, Image
from simulator.model.layer import WHITEOUT, InvalidLayer, Layer, directory, file, symlink

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = st.sampled_from(["a", "b", "c", "etc", "x.txt"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))
DATA = st.binary(max_size=12)


@st.composite
def changesets(draw):
    """A valid changeset: files, directories, symlinks and whiteouts, parents as directories."""
    out = {}
    for path in draw(st.lists(PATHS, max_size=6)):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            parent = "/" + "/".join(parts[:i])
            if out.get(parent, directory()).kind.value != "dir":
                break
            out[parent] = out.get(parent) or directory(draw(st.sampled_from([0o755, 0o700])))
        else:
            if path in out:
                continue
            out[path] = draw(st.one_of(
                DATA.map(file),
                st.builds(directory, st.sampled_from([0o755, 0o750]), opaque=st.booleans()),
                PATHS.map(symlink),
                st.just(WHITEOUT),
            ))
    return out


def layer_stack(draw_layers):
    return [Layer.of(c) for c in draw_layers]


OPS = st.lists(st.tuples(st.sampled_from(["write", "append", "mkdir", "rm", "symlink", "chmod", "rename"]),
                         PATHS, PATHS, DATA), max_size=12)


def apply_ops(fs: UnionFS, ops) -> None:
    """Run filesystem operations, ignoring the ones the kernel would refuse."""
    for op, path, other, data in ops:
        try:
            if op == "write":
                fs.write(path, data)
            elif op == "append":
                fs.write(path, data, append=True)
            elif op == "mkdir":
                fs.mkdir(path, parents_too=True)
            elif op == "rm":
                fs.remove(path, recursive=True)
            elif op == "symlink":
                fs.symlink(other, path)
            elif op == "chmod":
                fs.set_meta(path, mode=0o600)
            elif op == "rename":
                if not (other + "/").startswith(path + "/") and not (path + "/").startswith(other + "/"):
                    fs.rename(path, other)
        except FSError:
            pass


def view(fs: UnionFS) -> dict:
    """Path -> (kind, mode, data, target) of everything visible, symlinks not followed."""
    out = {}
    for path, entry in fs.walk("/"):
        data = entry.content.read() if entry.content else None
        out[path] = (entry.kind, entry.mode, data, entry.target)
    return out


def tree_view(tree: Tree) -> dict:
    return view(UnionFS(tree))


def image_of(layers, **config) -> Image:
    return Image.from_config({
        "architecture": "amd64", "os": "linux", "created": "2026-01-01T12:00:00Z",
        "config": {**EMPTY_RUN_CONFIG, **config},
        "rootfs": {"type": "layers", "diff_ids": [l.diff_id for l in layers]},
        "history": [{"created": "2026-01-01T12:00:00Z"} for _ in layers],
    })


@FAST
@given(st.lists(changesets(), min_size=1, max_size=3), OPS)
def test_operations_never_change_layers_or_images(sets, ops):
    layers = layer_stack(sets)
    before = [(l.diff_id, l.tar_bytes()) for l in layers]
    image = image_of(layers, Cmd=["sh"])
    raw = image.raw
    fs = UnionFS(Tree.from_layers(layers))
    apply_ops(fs, ops)
    fs.layer()
    config = image.config
    config["config"]["Cmd"] = ["changed"]      # mutating a copy
    assert [(l.diff_id, l.tar_bytes()) for l in layers] == before
    assert [Layer.of(c).diff_id for c in sets] == [d for d, _ in before]
    assert image.raw == raw and image.run_config["Cmd"] == ["sh"]


@FAST
@given(st.lists(changesets(), max_size=3), OPS)
def test_container_view_is_layers_plus_upper(sets, ops):
    layers = layer_stack(sets)
    fs = UnionFS(Tree.from_layers(layers))
    apply_ops(fs, ops)
    assert view(fs) == tree_view(Tree.from_layers(layers + [fs.layer()]))


@FAST
@given(st.lists(changesets(), max_size=2), OPS, OPS)
def test_commit_then_run_shows_the_same_files(sets, ops, more):
    layers = layer_stack(sets)
    container = UnionFS(Tree.from_layers(layers))
    apply_ops(container, ops)
    committed = layers + [container.layer()]
    fresh = UnionFS(Tree.from_layers(committed))   # a container of the committed image
    assert view(fresh) == view(container)
    apply_ops(fresh, more)                          # and the new container's work leaves it alone
    assert tree_view(Tree.from_layers(committed)) == view(container)


@FAST
@given(changesets(), st.sampled_from(["Cmd", "Env", "User", "WorkingDir", "Labels"]))
def test_ids_depend_on_content_and_every_field(changes, field):
    layer = Layer.of(changes)
    again = Layer.of(dict(changes))
    assert layer.diff_id == again.diff_id
    image = image_of([layer], Cmd=["sh"])
    assert image.id == image_of([again], Cmd=["sh"]).id
    value = {"Cmd": ["other"], "Env": ["A=1"], "User": "nobody", "WorkingDir": "/w", "Labels": {"a": "b"}}[field]
    assert image_of([layer], **{"Cmd": ["sh"], field: value}).id != image.id
    changed = Layer.of({**changes, "/added-file": file(b"z")})
    assert changed.diff_id != layer.diff_id
    assert image_of([changed], Cmd=["sh"]).id != image.id


def test_ids_are_the_same_in_a_fresh_process():
    code = ("from simulator.model.layer import Layer, file, directory\n"
            "l = Layer.of({'/d': directory(), '/d/f': file(b'hi', mode=0o600)})\n"
            "print(l.diff_id)")
    here = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONHASHSEED": "123", "PYTHONPATH": "."}).stdout.strip()
    layer = Layer.of({"/d": directory(), "/d/f": file(b"hi", mode=0o600)})
    assert here == layer.diff_id


@FAST
@given(changesets())
def test_tar_round_trip_keeps_the_diff_id(changes):
    layer = Layer.of(changes)
    assert Layer.from_tar(io.BytesIO(layer.tar_bytes())).diff_id == layer.diff_id


def _tar(*members) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            tar.addfile(info, io.BytesIO(b"") if kind == tarfile.REGTYPE else None)
    buf.seek(0)
    return buf


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([("../x", tarfile.REGTYPE), ("a/../../x", tarfile.REGTYPE), ("/etc/passwd", tarfile.REGTYPE),
                        ("a/.wh...", tarfile.REGTYPE), ("a/.wh.", tarfile.REGTYPE),
                        ("dev/null", tarfile.CHRTYPE), ("dev/sda", tarfile.BLKTYPE), ("fifo", tarfile.FIFOTYPE)]),
       st.lists(st.sampled_from(["ok", "dir/ok"]), max_size=2))
def test_hostile_tars_are_refused(bad, fine):
    members = [(name, tarfile.REGTYPE) for name in fine] + [bad]
    try:
        Layer.from_tar(_tar(*members))
    except InvalidLayer:
        return
    raise AssertionError(f"accepted a hostile member {bad}")
