"""The Linux executor as a whole: busybox from the host, a crash of the engine process in
the middle of a run, 200 containers with kills and OOMs among them, and what is left after.

Needs root, overlayfs and cgroups; elsewhere the tests skip with the reason, except under
CI (`CI` set), where that is a failure.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from linux_support import cgroup_dirs, leftovers, linux_root
from simulator.model.layer import Layer

ROOT = Path(__file__).resolve().parent.parent
BUSYBOX_ROOTFS = ROOT.parent / "shared" / "tools" / "busybox-rootfs.sh"


def _engine(root):
    from simulator.backend.linux.backend import LinuxBackend
    from simulator.engine.engine import Engine

    engine = Engine(backend=LinuxBackend(root))
    engine.registry.import_busybox()
    return engine


@contextlib.contextmanager
def _linux_engine():
    """(engine, state root) on the Linux executor in a temporary folder; reset afterwards,
    which must leave nothing behind (no mount, cgroup or process, no root folder)."""
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        engine = _engine(root)
        try:
            yield engine, root
        finally:
            engine.backend.reset()
        assert leftovers(root) == [] and cgroup_dirs(root) == [] and not os.path.exists(root)


def _docker(engine, line: str, cwd: str = "/") -> tuple[str, int]:
    from simulator.cli.play import run_line
    return run_line(engine, line, cwd)


def _cli(root: str, *args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", "--backend", "linux", "--root", root, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, **kw)


def _docker_bg(root: str, *args: str) -> subprocess.Popen:
    """`python -m simulator --backend linux --root root docker ARGS...` running in the
    background, its stdout readable as text."""
    return subprocess.Popen([sys.executable, "-m", "simulator", "--backend", "linux", "--root", root, "docker", *args],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def test_busybox_layer_is_the_shared_rootfs_tar(tmp_path):
    """The Linux backend's busybox layer holds the host's busybox in the file list of
    ../shared/tools/busybox-rootfs.sh: the same tar, so the same diffID."""
    if os.geteuid() != 0 or not BUSYBOX_ROOTFS.exists() or not os.path.exists("/usr/bin/busybox"):
        pytest.skip("needs root, /usr/bin/busybox and ../shared/tools/busybox-rootfs.sh")
    from simulator.backend.linux.backend import host_busybox

    out = tmp_path / "rootfs.tar"
    subprocess.run(["bash", str(BUSYBOX_ROOTFS), str(out)], check=True, capture_output=True)
    with open(out, "rb") as f:
        expected = Layer.from_tar(io.BytesIO(f.read()))
    layer = host_busybox()
    assert layer.diff_id == expected.diff_id
    with tarfile.open(out) as tar:   # the binary is stored once (the applets are hard links to it)
        assert [m.size for m in tar.getmembers() if m.isfile() and m.size > 100_000] == [
            os.path.getsize("/usr/bin/busybox")]


def test_run_output_exit_diff_and_commit_on_a_real_kernel():
    with _linux_engine() as (engine, _):
        out, status = _docker(engine, "docker run --network none --name ca busybox sh -c "
                              "'echo $$; hostname; echo hi > /f; rm /etc/shadow; exit 3'")
        assert status == 3
        pid1, hostname = out.splitlines()
        c = engine.containers.get("ca")
        assert pid1 == "1" and hostname == c.id[:12]          # PID and UTS namespaces
        diff, _ = _docker(engine, "docker diff ca")
        assert diff.splitlines() == ["C /etc", "D /etc/shadow", "A /f"]
        state, _ = _docker(engine, "docker inspect --format '{{.State.Status}} {{.State.ExitCode}}' ca")
        assert state == "exited 3\n"
        _docker(engine, "docker commit ca snap")
        out, status = _docker(engine, "docker run --rm --network none snap sh -c 'cat /f; ls /etc/shadow'")
        assert (out, status) == ("hi\nls: /etc/shadow: No such file or directory\n", 1)


def _kill_when(root: str, argv: list[str], ready) -> None:
    """Start `python -m simulator --backend linux --root root ARGV...`, SIGKILL it once `ready()`."""
    victim = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--backend", "linux", "--root", root, *argv],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not ready():
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.05)
    time.sleep(0.5)
    victim.send_signal(signal.SIGKILL)
    victim.wait()


def test_crash_of_the_engine_mid_run_is_recovered_or_cleaned(tmp_path):
    """Engine processes are SIGKILLed mid-command. An attached `docker run` has saved its
    running container before it waits, so, as on Docker when the client dies, the container
    goes on and the next command manages it. A `docker build` killed inside a RUN step never
    saved its step container: the next command removes it (mount, cgroup, processes)."""
    snapshots = lambda: os.listdir(os.path.join(root, "snapshots"))  # noqa: E731
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        done = _cli(root, "docker", "run", "-d", "--network", "none", "--name", "keep", "busybox",
                    "sleep", "1000")
        assert done.returncode == 0, done.stderr
        _kill_when(root, ["docker", "run", "--network", "none", "--name", "attached", "busybox", "sleep", "1000"],
                   lambda: len(snapshots()) == 2)
        (tmp_path / "Dockerfile").write_text("FROM busybox\nRUN sleep 1000\n")
        _kill_when(root, ["docker", "build", "-t", "never", str(tmp_path)], lambda: len(snapshots()) == 3)
        ps = _cli(root, "docker", "ps", "-a", "--format", "{{.Names}} {{.State}}")
        assert ps.stdout == "attached running\nkeep running\n", ps.stderr
        ids = _cli(root, "docker", "ps", "-q", "--no-trunc").stdout.split()
        assert sorted(snapshots()) == sorted(ids)          # the build's step container is gone
        assert _cli(root, "docker", "images", "-q", "never").stdout == ""
        stop = _cli(root, "docker", "stop", "-t", "1", "keep", "attached")
        assert stop.stdout == "keep\nattached\n", stop.stderr
        state = _cli(root, "docker", "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "keep", "attached")
        assert state.stdout == "exited 137\nexited 137\n"
        assert _cli(root, "docker", "rm", "keep", "attached").stdout == "keep\nattached\n"
        assert leftovers(root) == []
        reset = _cli(root, "system", "reset")
        assert reset.returncode == 0, reset.stderr
        assert leftovers(root) == [] and not os.path.exists(root)


def test_two_hundred_containers_with_kills_and_ooms_leave_nothing():
    with _linux_engine() as (engine, root):
        counts = {"oom": 0, "killed": 0, "ok": 0}
        for i in range(200):
            if i % 10 == 0:
                out, status = _docker(engine, f"docker run --network none --name c{i} -m 8m busybox tail /dev/zero")
                assert status == 137
                state, _ = _docker(engine, f"docker inspect --format '{{{{.State.OOMKilled}}}}' c{i}")
                assert state == "true\n"
                counts["oom"] += 1
            elif i % 10 == 1:
                _docker(engine, f"docker run -d --network none --name c{i} busybox sleep 1000")
                out, status = _docker(engine, f"docker kill c{i}")
                assert (out, status) == (f"c{i}\n", 0)
                counts["killed"] += 1
            elif i % 2:
                out, status = _docker(engine, f"docker run --rm --network none busybox echo {i}")
                assert (out, status) == (f"{i}\n", 0)
                counts["ok"] += 1
            else:
                out, status = _docker(engine, f"docker run --network none --name c{i} busybox sh -c 'echo {i} > /n'")
                assert status == 0
                counts["ok"] += 1
        assert counts == {"oom": 20, "killed": 20, "ok": 160}
        exited, _ = _docker(engine, "docker ps -aq --filter status=exited")
        assert len(exited.split()) == 20 + 20 + 80
        running, _ = _docker(engine, "docker ps -q")
        assert running == ""
        out, status = _docker(engine, "docker container prune -f")
        assert status == 0
        assert leftovers(root) == []
        assert os.listdir(os.path.join(root, "snapshots")) == []


@pytest.mark.parametrize("text, iso", [
    ("2026-11-29T17:54:23.72758Z", "2026-11-29T17:54:23.727580+00:00"),    # Go drops trailing zeros
    ("2026-11-29T17:54:23Z", "2026-11-29T17:54:23+00:00"),                 # and the dot when whole
    ("2026-11-29T17:54:23.123456789Z", "2026-11-29T17:54:23.123456+00:00"),
])
def test_log_times_are_read_whatever_their_fraction(text, iso):
    from simulator.backend.linux.backend import parse_rfc3339
    assert parse_rfc3339(text).isoformat() == iso


def test_a_chatty_container_prints_every_line():
    with _linux_engine() as (engine, _):
        out, status = _docker(engine, "docker run --rm --network none busybox seq 1 50000")
        assert status == 0
        assert out == "".join(f"{n}\n" for n in range(1, 50001))


def test_bind_mounts_show_their_own_folder_and_never_write_the_host(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "f").write_text("one\n")
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "g").write_text("two\n")
    with _linux_engine() as (engine, _):
        run = f"docker run --rm --network none -v {tmp_path}/one:/b busybox sh -c 'cat /b/f; echo new > /b/h'"
        assert _docker(engine, run, str(tmp_path)) == ("one\n", 0)
        assert _docker(engine, f"docker run --rm --network none -v {tmp_path}/two:/b busybox ls /b",
                       str(tmp_path)) == ("g\n", 0)
        assert _docker(engine, f"docker run --rm --network none -v {tmp_path}/one:/b busybox ls /b",
                       str(tmp_path)) == ("f\nh\n", 0)    # the container's write, in the model's copy
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["f"]   # the host folder untouched


@pytest.mark.parametrize("command", [["docker", "ps"], ["system", "reset"], ["play", "scenario.txt"]])
def test_not_root_is_one_line_and_status_2(tmp_path, monkeypatch, capsys, command):
    if sys.platform != "linux":
        pytest.skip("off Linux the executor names the platform first")
    from simulator.cli.main import main

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenario.txt").write_text("docker ps\n")
    assert main(["--backend", "linux", "--root", str(tmp_path / "r"), *command]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "simulator: the real executor needs root (mount, overlayfs): run as root or with sudo\n")
    assert not (tmp_path / "r").exists()      # checked before anything is made


def test_a_root_on_overlayfs_is_refused_with_the_reason(capsys):
    """overlayfs cannot be the upper directory's filesystem (kernel Documentation/filesystems/
    overlayfs.rst: the upper needs trusted xattrs and d_type, and an overlay has neither for
    another overlay): a state root inside an overlay mount is refused, saying so."""
    from simulator.backend.linux import mount as linux_mount
    from simulator.cli.main import main

    with linux_root() as parent:
        dirs = [os.path.join(parent, d) for d in ("lower", "upper", "work", "merged")]
        for d in dirs:
            os.mkdir(d)
        linux_mount.mount("overlay", dirs[3], "overlay", 0, linux_mount.overlay_options(dirs[:1], dirs[1], dirs[2]))
        try:
            root = os.path.join(dirs[3], "r")
            capsys.readouterr()
            assert main(["--backend", "linux", "--root", root, "docker", "ps"]) == 2
            out, err = capsys.readouterr()
            assert out == "" and err.count("\n") == 1
            assert err.startswith(f"simulator: {root} is on overlay, which cannot hold overlay upper directories (")
            assert err.endswith("): choose a state root on ext4, xfs or btrfs with --root DIR\n")
            assert linux_mount.mounts_under(dirs[3]) == [dirs[3]]   # the probe's mount is gone
        finally:
            linux_mount.unmount_all(dirs[3])


def test_an_attached_run_streams_forwards_ctrl_c_and_lets_other_commands_run():
    """As with docker/cli's attach: output arrives while the container runs; another terminal's
    `docker stop` is not blocked by the attached client; Ctrl-C reaches the container as SIGINT."""
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        try:
            attached = _docker_bg(root, "run", "--network", "none", "--name", "fg", "busybox", "sh", "-c",
                                  "echo first; sleep 1000")
            assert attached.stdout.readline() == "first\n"          # printed before the container ends
            stop = _cli(root, "docker", "stop", "-t", "1", "fg", timeout=30)
            assert (stop.returncode, stop.stdout) == (0, "fg\n")
            assert attached.wait(timeout=30) == 137 and attached.stdout.read() == ""
            trapped = _docker_bg(root, "run", "--network", "none", "busybox", "sh", "-c",
                                 "trap 'echo got INT; exit 5' INT; echo ready; while true; do sleep 0.1; done")
            assert trapped.stdout.readline() == "ready\n"
            trapped.send_signal(signal.SIGINT)
            assert trapped.wait(timeout=30) == 5 and trapped.stdout.read() == "got INT\n"
            termed = _docker_bg(root, "run", "--network", "none", "busybox", "sh", "-c",
                                "trap 'echo got TERM; exit 6' TERM; echo ready; while true; do sleep 0.1; done")
            assert termed.stdout.readline() == "ready\n"
            termed.send_signal(signal.SIGTERM)                      # forwarded too (sig-proxy)
            assert termed.wait(timeout=30) == 6 and termed.stdout.read() == "got TERM\n"
            again = _cli(root, "docker", "run", "--network", "none", "--name", "again", "--restart", "always",
                         "busybox", "sh", "-c", "echo once; exit 3", timeout=30)
            assert (again.returncode, again.stdout) == (3, "once\n")   # the first exit ends the attach
        finally:
            _cli(root, "system", "reset")
        assert leftovers(root) == []


def test_a_trace_of_the_linux_engine_keeps_each_step_as_the_kernel_had_it():
    """Trace snapshots of a Linux engine are frozen copies: an early step still shows the files
    of that moment after later processes changed them, and reading it touches no mount."""
    from simulator.trace import Trace
    with _linux_engine() as (engine, _):
        trace = Trace()
        with trace.record(engine):
            _docker(engine, "docker run -d --network none --name web busybox sh -c 'echo hi > /f; sleep 1000'")
            _docker(engine, "docker exec web sh -c 'rm /f; echo x > /g'")
        cid = engine.containers.get("web").id
        first = next(step for step in trace if step.event.kind == "cli.command"
                     and "exec" in step.event.data["line"])     # just before the exec ran
        assert first.state.backend.get(cid).changes() == [("A", "/f")]
        assert trace[-1].state.backend.get(cid).changes() == [("A", "/g")]
        assert engine.backend.get(cid).changes() == [("A", "/g")]


def test_a_trace_snapshot_cannot_drive_the_real_containers():
    from simulator.cli.play import run_line
    from simulator.trace import Trace
    with _linux_engine() as (engine, _):
        trace = Trace()
        with trace.record(engine):
            _docker(engine, "docker run -d --network none --name bg busybox sleep 1000")
        with pytest.raises(RuntimeError, match="trace snapshot"):
            run_line(trace[-1].state, "docker rm -f bg", ".")
        assert _docker(engine, "docker ps --format '{{.Names}}'") == ("bg\n", 0)   # untouched


def test_logs_follow_streams_and_ends_with_the_container():
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        try:
            _cli(root, "docker", "run", "-d", "--network", "none", "--name", "ticker", "busybox", "sh", "-c",
                 "echo one; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo two")
            follower = _docker_bg(root, "logs", "-f", "ticker")
            assert follower.stdout.readline() == "one\n"           # the backlog, while it runs
            exec_ = _cli(root, "docker", "exec", "ticker", "touch", "/tmp/go", timeout=30)   # not locked out
            assert exec_.returncode == 0, exec_.stderr
            assert follower.wait(timeout=30) == 0 and follower.stdout.read() == "two\n"
        finally:
            _cli(root, "system", "reset")
        assert leftovers(root) == []


def test_exec_streams_its_output_without_holding_the_state():
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        try:
            _cli(root, "docker", "run", "-d", "--network", "none", "--name", "box", "busybox", "sleep", "1000")
            execd = _docker_bg(root, "exec", "box", "sh", "-c",
                               "echo a; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo b > /b; echo b; exit 4")
            assert execd.stdout.readline() == "a\n"
            assert _cli(root, "docker", "exec", "box", "touch", "/tmp/go", timeout=30).returncode == 0
            assert execd.wait(timeout=30) == 4 and execd.stdout.read() == "b\n"
            diff = _cli(root, "docker", "diff", "box")
            assert diff.stdout == "A /b\nC /tmp\nA /tmp/go\n"
        finally:
            _cli(root, "system", "reset")
        assert leftovers(root) == []
