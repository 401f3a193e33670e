"""Builds on the Linux executor: the layers the engine writes itself are the in-memory
backend's, byte for byte, and a build killed in its RUN step leaves only what was saved.

Docker facts used (checked on Docker 20.10.24 with a private engine, tests/conformance/
realengine.py): a layer tar names a file's inode once as a regular file, at the name its
archive walk meets first (lexical order within each directory), and its other names as
hard links to that one, each with the inode's mtime (moby pkg/archive over the overlay2
upper directory); ADD keeps the mtimes, modes and owners of a local tar's members.

Needs root, overlayfs and cgroups; elsewhere the tests skip with the reason, except under
CI (`CI` set), where that is a failure.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from linux_support import leftovers, linux_root
from simulator.model.clock import RealClock, VirtualClock

ROOT = Path(__file__).resolve().parent.parent
AT = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
TAR_MTIME = 1_600_000_000
DOCKERFILE = """\
FROM busybox
COPY a.txt /a.txt
WORKDIR /w
COPY --chown=1:1 b.txt .
COPY d /w/d/
ADD t.tar /opt/
ENV K=v
RUN echo hi > /r.txt && mkdir -p /rd/x && rm /bin/vi && ln /a.txt /hard && chmod 600 /etc/passwd
"""


class _StoppedClock(RealClock):
    """The host's clock stopped at AT, the instant the in-memory engine's virtual clock
    reads too: the engine dates what it writes itself (WORKDIR's directory, the folders ADD
    makes, what `docker cp` writes) by its clock, so both engines must read the same time."""

    def now(self) -> datetime:
        return AT

    def advance(self, seconds: float) -> None:
        pass   # a wait ends when the process does, not by the clock


def _context(folder: Path) -> None:
    (folder / "a.txt").write_text("hello\n")
    (folder / "b.txt").write_text("owned\n")
    (folder / "d" / "e").mkdir(parents=True)
    (folder / "d" / "e" / "f.sh").write_text("#!/bin/sh\n")
    (folder / "d" / "e" / "f.sh").chmod(0o755)
    (folder / "d" / "link").symlink_to("e/f.sh")
    (folder / "d" / "e").chmod(0o700)
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        def member(name, type=tarfile.REGTYPE, mode=0o640, uid=0, gid=0, body=None, link=""):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.uid, info.gid, info.linkname, info.mtime = type, mode, uid, gid, link, TAR_MTIME
            info.size = len(body) if body is not None else 0
            tar.addfile(info, io.BytesIO(body) if body is not None else None)
        member("t", tarfile.DIRTYPE, 0o750, 5, 6)
        member("t/x.txt", uid=7, gid=8, body=b"x\n")
        member("t/hl", tarfile.LNKTYPE, link="t/x.txt")   # a hard link that sorts before its target
        member("t/sl", tarfile.SYMTYPE, 0o777, link="x.txt")
    (folder / "t.tar").write_bytes(data.getvalue())
    (folder / "Dockerfile").write_text(DOCKERFILE)


def _play(engine, context: Path):
    """Build the context as `built`, and commit a container that only had files copied in
    as `copied`; returns (built, copied, docker diff of that container)."""
    from simulator.cli.play import run_line

    engine.registry.import_busybox()
    for line in (f"docker build -t built {context}", "docker create --network none --name cc busybox",
                 f"docker cp {context}/a.txt cc:/a.txt", f"docker cp {context}/t.tar cc:/tmp/",
                 f"docker cp {context}/d cc:/etc/dd"):
        out, status = run_line(engine, line, "/")
        assert status == 0, out
    diff, _ = run_line(engine, "docker diff cc", "/")
    run_line(engine, "docker commit cc copied", "/")
    return engine.images.find("built"), engine.images.find("copied"), diff


def _layer(engine, image, index):
    return engine.images.image_layers(image)[index]


def test_layers_the_engine_writes_are_the_same_on_both_backends(tmp_path):
    from simulator.backend.linux.backend import LinuxBackend
    from simulator.engine.engine import Engine

    _context(tmp_path)
    memory = Engine(clock=VirtualClock(AT))
    built_m, copied_m, diff_m = _play(memory, tmp_path)
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        backend = LinuxBackend(root)
        backend.clock = _StoppedClock()
        linux = Engine(backend=backend)
        try:
            built_l, copied_l, diff_l = _play(linux, tmp_path)
            # busybox differs (the host's binary): every layer above it is compared.
            # COPY, WORKDIR, COPY --chown, COPY of a folder, ADD of a tar: the same bytes
            assert built_l.diff_ids[1:-1] == built_m.diff_ids[1:-1]
            # the RUN step's files are the same but for the times the kernel gave them
            run_m, run_l = _layer(memory, built_m, -1), _layer(linux, built_l, -1)
            assert {p: replace(e, mtime=0) for p, e in run_l.entries.items()} == \
                   {p: replace(e, mtime=0) for p, e in run_m.entries.items()}
            assert sorted(run_l.entries) == ["/a.txt", "/bin", "/bin/vi", "/etc", "/etc/passwd", "/hard",
                                             "/r.txt", "/rd", "/rd/x"]
            # a container that only had files copied in: the same docker diff and committed layer
            assert diff_l == diff_m == ("A /a.txt\nC /etc\nA /etc/dd\nA /etc/dd/e\nA /etc/dd/e/f.sh\n"
                                        "A /etc/dd/link\nC /tmp\nA /tmp/t.tar\n")
            assert copied_l.diff_ids[1:] == copied_m.diff_ids[1:]
            # the ADD layer names x.txt's inode as Docker's archive does: first `hl`, the file
            for engine, image in ((memory, built_m), (linux, built_l)):
                members = {info.name: info for info, _ in _layer(engine, image, -2).tar_members()}
                assert (members["opt/t/hl"].type, members["opt/t/hl"].size) == (tarfile.REGTYPE, 2)
                x = members["opt/t/x.txt"]
                assert (x.type, x.linkname, x.mtime, x.mode, x.uid, x.gid) == (
                    tarfile.LNKTYPE, "opt/t/hl", TAR_MTIME, 0o640, 7, 8)
        finally:
            backend.reset()
        assert leftovers(root) == [] and not os.path.exists(root)


def _cli(root: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", "--backend", "linux", "--root", root, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def _running_step(root: str) -> int | None:
    """The host PID of the build step's `sleep 30` once it runs (its shim's pid file), else None."""
    containers = os.path.join(root, "containers")
    for key in os.listdir(containers) if os.path.isdir(containers) else ():
        try:
            with open(os.path.join(containers, key, "tasks", "1", "pid"), encoding="utf-8") as f:
                pid = json.load(f)["pid"]
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read() == b"sleep\x0030\x00":
                    return pid
        except (OSError, ValueError, KeyError):
            continue
    return None


def test_a_build_killed_in_its_run_step_leaves_only_the_saved_state(tmp_path):
    """The engine process dies (SIGKILL) while a RUN step's process runs. `docker` mode
    saved the engine after the previous command (the pull), not during the build, so the
    next command finds busybox only, no container, and removes the step container that
    no saved state knows: its process, mount and cgroup."""
    (tmp_path / "Dockerfile").write_text("FROM busybox\nRUN sleep 30\n")
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        pull = _cli(root, "docker", "pull", "busybox")
        assert pull.returncode == 0, pull.stderr
        build = subprocess.Popen(
            [sys.executable, "-m", "simulator", "--backend", "linux", "--root", root, "docker", "build",
             "-t", "slow", str(tmp_path)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while (step := _running_step(root)) is None:
                assert time.monotonic() < deadline and build.poll() is None
                time.sleep(0.05)
        finally:
            build.send_signal(signal.SIGKILL)
            build.wait()
        assert os.path.exists(f"/proc/{step}")   # its shim outlives the engine, as containerd-shim does
        ps = _cli(root, "docker", "ps", "-a")
        assert (ps.returncode, ps.stdout) == (
            0, "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"), ps.stderr
        assert leftovers(root) == []
        assert os.listdir(os.path.join(root, "snapshots")) == []
        images = _cli(root, "docker", "images", "--format", "{{.Repository}}:{{.Tag}}")
        assert images.stdout == "busybox:latest\n", images.stderr
        reset = _cli(root, "system", "reset")
        assert (reset.returncode, reset.stdout) == (0, f"removed everything under {root}\n"), reset.stderr
        assert not os.path.exists(root) and leftovers(root) == []
