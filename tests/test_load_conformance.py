"""`docker load` on a private real Docker 20.10 engine and in the simulator, archive by archive.

Each case loads one or more hand-built archives (tests/load_archives.py) on both, in order, on
an engine that has only `busybox:latest` (realengine.Engine.reset; a fresh simulator engine
with `Registry.import_busybox`). What each load prints must be the same once the daemon's
random temporary folder (`<data-root>/tmp/docker-import-<n>`) is masked, and so must the
images left afterwards (IDs and names, busybox aside). The differences docs/fidelity.md
declares are cases of their own (`DECLARED`): there the real engine's answer is recorded as
the test's expectation of Docker and the simulator's as its own.

The real engine runs under a temporary folder this module makes and removes; the test fails if
anything is left behind. Without an engine the tests skip with the reason; with CI set they
fail instead, unless SIMULATOR_NO_REAL_ENGINE=1 (which also keeps the engine from being tried).
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from load_archives import (GREETING, GREETING_V2, TOOLS, config, docker_archive, oci_layout, sha, tar)

sys.path.insert(0, str(Path(__file__).resolve().parent / "conformance"))
from realengine import EngineUnavailable, leftovers, private_engine  # noqa: E402

TMP = re.compile(r"/\S*/tmp/docker-import-\d+")


def _two_images(second_cfg: bytes) -> bytes:
    first = config([sha(GREETING)])
    items = [{"Config": "one.json", "RepoTags": ["a:1"], "Layers": ["l/layer.tar"]},
             {"Config": "two.json", "RepoTags": ["b:1"], "Layers": ["m/layer.tar"]}]
    return tar([("one.json", "file", first), ("two.json", "file", second_cfg), ("l/layer.tar", "file", GREETING),
                ("m/layer.tar", "file", GREETING_V2), ("manifest.json", "file", json.dumps(items).encode())])


# name -> archives loaded in turn (None: `docker load` with an empty standard input)
CASES: dict[str, list[bytes | None]] = {
    "tagged": [docker_archive([GREETING])],
    "untagged": [docker_archive([GREETING], tags=())],
    "tags": [docker_archive([GREETING], tags=("greet:1", "other/greet:2", "localhost:5000/g:3"))],
    "tag-moves": [docker_archive([GREETING]), docker_archive([GREETING_V2], tags=("greet:latest", "greet:2")),
                  docker_archive([GREETING])],
    "repeated-tag": [docker_archive([GREETING]), docker_archive([GREETING_V2], tags=("greet:latest",) * 2)],
    "two-layers": [docker_archive([TOOLS, GREETING], tags=("tools:1",))],
    "config-name-not-its-digest": [tar([
        ("0000.json", "file", config([sha(GREETING)])), ("l/layer.tar", "file", GREETING),
        ("manifest.json", "file", b'[{"Config":"0000.json","RepoTags":["named:1"],"Layers":["l/layer.tar"]}]')])],
    "empty-manifest": [tar([("manifest.json", "file", b"[]")])],
    "null-manifest": [tar([("manifest.json", "file", b"null")])],
    "gzip-archive": [gzip.compress(docker_archive([GREETING]))],
    "bzip2-archive": [bz2.compress(docker_archive([GREETING]))],
    "xz-archive": [lzma.compress(docker_archive([GREETING]))],
    "gzip-trailing-junk": [gzip.compress(docker_archive([GREETING])) + b"junk"],
    "gzip-trailing-garbage": [gzip.compress(docker_archive([GREETING])) + b"garbage" * 10],
    "gzip-layer": [docker_archive([gzip.compress(GREETING_V2)], cfg=config([sha(GREETING_V2)]))],
    "known-chain-file-missing": [docker_archive([GREETING]), tar([
        ("c.json", "file", config([sha(GREETING)], cmd=("/bin/true",))),
        ("manifest.json", "file", b'[{"Config":"c.json","RepoTags":["again:1"],"Layers":["no/layer.tar"]}]')])],
    "dotdot-members": [docker_archive([GREETING], extra=[("../../escape", "file", b"x"), ("/abs", "file", b"y")])],
    "second-manifest-wins": [docker_archive([GREETING], extra=[("manifest.json", "file", b"[]")])],
    "layer-link-escapes": [tar([
        ("c.json", "file", config([sha(GREETING)])), ("a/", "dir", None), ("a/layer.tar", "file", GREETING),
        ("b/", "dir", None), ("b/layer.tar", "symlink", "../../../../a/layer.tar"),
        ("manifest.json", "file", b'[{"Config":"c.json","RepoTags":["x:1"],"Layers":["b/layer.tar"]}]')])],
    "manifest-link-absolute": [tar([("manifest.json", "symlink", "/etc/hostname")])],
    "empty-stdin": [None],
    "empty-file": [b""],
    "not-a-tar": [b"this is not a tar archive\n"],
    "not-a-tar-long": [b"not a tar\n" * 200],
    "truncated": [docker_archive([GREETING])[:1500]],
    "gzip-truncated": [gzip.compress(docker_archive([GREETING]))[:200]],
    "gzip-corrupt": [b"\x1f\x8b\x08\x00" + b"garbage" * 100],
    "legacy-folder": [tar([("blobs/", "dir", None)])],
    "missing-config": [docker_archive([GREETING], manifest=[{"Config": "nope.json", "Layers": []}])],
    "bad-diffid": [docker_archive([GREETING], cfg=config([sha(b"x")]))],
    "layers-mismatch": [docker_archive([GREETING, GREETING_V2], cfg=config([sha(GREETING)]))],
    "windows": [docker_archive([GREETING], cfg=config([sha(GREETING)], os="windows"))],
    "no-rootfs": [docker_archive([], cfg=b'{"os":"linux"}')],
    "manifest-syntax": [tar([("manifest.json", "file", b'[{"Config": 5')])],
    "manifest-type": [tar([("manifest.json", "file", b'[{"RepoTags": [5]}]')])],
    "config-time": [docker_archive([GREETING], cfg=config([sha(GREETING)], created="2020-13-01T00:00:00Z"))],
    "config-time-day": [docker_archive([GREETING], cfg=config([sha(GREETING)], created="2021-02-29T00:00:00Z"))],
    "config-type-then-time": [docker_archive([GREETING], cfg=b'{"os": 5, "created": "x", "rootfs": {}}')],
    "config-type": [docker_archive([GREETING], cfg=config([sha(GREETING)], config={"Labels": ["a"]}))],
    "layer-duplicate": [docker_archive([tar([("a", "file", b"1"), ("./a", "file", b"2")])])],
    "layer-hardlink-missing": [docker_archive([tar([("b", "hardlink", "nope")])])],
    "layer-not-a-tar": [docker_archive([b"garbage" * 200])],
    "gzip-layer-truncated": [docker_archive([gzip.compress(TOOLS + GREETING)[:300]], cfg=config([sha(TOOLS)]))],
    "gzip-layer-corrupt": [docker_archive([gzip.compress(GREETING)[:20] + b"\xff" * 50], cfg=config([sha(GREETING)]))],
}

# Cases where the simulator differs on purpose (docs/fidelity.md, "docker load"): what Docker
# and the simulator print for the last archive; with "all or nothing", Docker keeps images
# from an archive that fails and the simulator none.
DECLARED = {
    "oci-layout": ([oci_layout([GREETING], {"io.containerd.image.name": "docker.io/library/oci:1"})],
                   "open <tmp>/blobs/json: no such file or directory\n[exit 1]", "Loaded image: oci:1\n"),
    "layer-dotdot": ([docker_archive([tar([("../x", "file", b"x")])])], "Loaded image: greet:latest\n",
                     "simulator: cannot load this layer: ../x: path escapes the root of the layer "
                     "(see docs/fidelity.md)\n[exit 1]"),
    "layer-device": ([docker_archive([tar([("dev/", "dir", None), ("dev/null", "char", None)])])],
                     "Loaded image: greet:latest\n", "simulator: cannot load this layer: dev/null: device nodes "
                     "and FIFOs are not supported (see docs/fidelity.md)\n[exit 1]"),
    "all-or-nothing: second image bad": (
        [_two_images(config([sha(b"not this")]))],
        f'Loaded image: a:1\ninvalid diffID for layer 0: expected "{sha(b"not this")}", got "{sha(GREETING_V2)}"\n'
        "[exit 1]",
        f'invalid diffID for layer 0: expected "{sha(b"not this")}", got "{sha(GREETING_V2)}"\n[exit 1]'),
    "all-or-nothing: invalid tag": ([docker_archive([GREETING], tags=("greet",))],
                                    'invalid tag "greet"\n[exit 1]', 'invalid tag "greet"\n[exit 1]'),
}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def real():
    """A private Docker 20.10 engine under a temporary folder, checked to leave nothing behind."""
    if os.environ.get("SIMULATOR_NO_REAL_ENGINE") == "1":
        pytest.skip("real engine not used (SIMULATOR_NO_REAL_ENGINE=1)")
    parent = tempfile.mkdtemp(prefix="loadconf-")
    stack = contextlib.ExitStack()
    try:
        engine = stack.enter_context(private_engine(parent=parent))
    except EngineUnavailable as e:
        stack.close()
        shutil.rmtree(parent, ignore_errors=True)
        if _flag("CI"):
            pytest.fail(f"CI is set but no real engine can start: {e} (SIMULATOR_NO_REAL_ENGINE=1 allows that)",
                        pytrace=False)
        pytest.skip(f"no real engine: {e}")
    yield engine
    stack.close()
    left = leftovers(parent, [engine.cgroup_parent.lstrip("/")])
    shutil.rmtree(parent, ignore_errors=True)
    assert not left, "the real engine left behind: " + "; ".join(left)


def _images_real(engine) -> list[str]:
    out = engine.docker("images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}").output
    return sorted(line for line in out.splitlines() if not line.startswith(engine.busybox_id))


def _images_sim(sim) -> list[str]:
    from simulator.engine import image_ops
    busybox = sim.images.lookup("busybox").id
    rows = []
    for summary in image_ops.list_images(sim, all_images=True):
        if summary.id != busybox:
            rows += [f"{summary.id} {tag}" for tag in summary.repo_tags]
    return sorted(rows)


def _run_real(engine, folder: Path, data: bytes | None) -> str:
    if data is None:
        proc = subprocess.run([engine.docker_path, "load"], env=engine.env, cwd=folder, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    else:
        (folder / "archive.tar").write_bytes(data)
        proc = subprocess.run([engine.docker_path, "load", "-i", "archive.tar"], env=engine.env, cwd=folder,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return _shown(proc.stdout.decode(), proc.returncode)


def _run_sim(sim, folder: Path, data: bytes | None) -> str:
    if data is None:
        return _run_sim_args(sim, folder, ["load"])
    (folder / "archive.tar").write_bytes(data)
    return _run_sim_args(sim, folder, ["load", "-i", "archive.tar"])


def _run_sim_args(sim, folder: Path, argv: list[str]) -> str:
    from simulator.cli import app, commands  # noqa: F401  (registers the commands)
    chunks: list[str] = []
    status = app.run(sim, argv, str(folder), chunks.append, chunks.append)
    return _shown("".join(chunks), status)


def _shown(output: str, status: int) -> str:
    return TMP.sub("<tmp>", output) + (f"[exit {status}]" if status else "")


def _both(real, tmp_path, archives):
    from simulator.engine.engine import Engine
    assert real.reset(), "the real engine could not be brought back to its start state"
    sim = Engine()
    sim.registry.import_busybox()
    outputs = [(_run_real(real, tmp_path, data), _run_sim(sim, tmp_path, data)) for data in archives]
    return outputs, (_images_real(real), _images_sim(sim))


@pytest.mark.parametrize("name", sorted(CASES))
def test_load_matches_real_docker(real, tmp_path, name):
    outputs, (real_images, sim_images) = _both(real, tmp_path, CASES[name])
    for n, (expected, got) in enumerate(outputs):
        assert got == expected, f"load {n + 1} of {name}"
    assert sim_images == real_images


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_declared_differences_still_hold(real, tmp_path, name):
    archives, docker_says, simulator_says = DECLARED[name]
    outputs, (real_images, sim_images) = _both(real, tmp_path, archives)
    assert outputs[-1] == (docker_says, simulator_says)
    if name.startswith("all-or-nothing"):
        assert real_images and not sim_images


def test_images_saved_by_docker_load_with_their_ids(real, tmp_path):
    """`docker save` of the engine's busybox and of an image built on it: the simulator loads
    them with the IDs Docker gives them, and runs them."""
    from simulator.engine.engine import Engine
    assert real.reset()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text('FROM busybox\nRUN echo hi > /hello\nCMD ["cat", "/hello"]\n')
    real.docker("build", "-q", "-t", "app:1", str(tmp_path / "app"))
    real.docker("save", "-o", str(tmp_path / "app.tar"), "app:1")
    real.docker("save", "-o", str(tmp_path / "busybox.tar"), "busybox:latest")
    app_id = real.docker("image", "inspect", "--format", "{{.Id}}", "app:1").output.strip()
    sim = Engine()
    for name, ref, image_id in (("busybox.tar", "busybox:latest", real.busybox_id), ("app.tar", "app:1", app_id)):
        assert _run_sim(sim, tmp_path, (tmp_path / name).read_bytes()) == f"Loaded image: {ref}\n"
        assert sim.images.lookup(ref).id == image_id
    assert _run_sim_args(sim, tmp_path, ["run", "--rm", "--network", "none", "app:1"]) == "hi\n"

