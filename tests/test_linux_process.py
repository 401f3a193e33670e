"""The real executor's processes (simulator/backend/linux/shim.py): a busybox container on
an overlay rootfs must behave as under Docker 20.10 with runc 1.1: PID 1 of its own PID
namespace, its own hostname, only a loopback that is up, runc's /dev, the signals a
namespace's init gets, the json-file log, and runc's words for what cannot start.
Expected values come from the kernel's rules and from a real engine (the exact messages
were recorded from Debian's docker.io 20.10.24 with runc 1.1.5).

Needs root, overlayfs and ../shared/tools/busybox-rootfs.sh; elsewhere the tests that
need them skip with the reason, except under CI (`CI` set), where that is a failure.
After every test no process it started is left, and nothing stays mounted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import time
from datetime import datetime, timezone

import pytest

from simulator.backend.linux import mount as linux_mount
from simulator.backend.linux.shim import (
    MAX_LINE, Exit, Launch, Task, exec_in, log_entry, rfc3339nano, split_lines, start, wait_any)
from simulator.engine.errors import StartError

ROOTFS_SCRIPT = os.environ.get("BUSYBOX_ROOTFS_SCRIPT", os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "tools", "busybox-rootfs.sh")))
PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CREATE = ("failed to create shim task: OCI runtime create failed: runc create failed: "
          "unable to start container process: ")
EXEC = "exec failed: unable to start container process: "
WRONG_TYPE = (": Are you trying to mount a directory onto a file (or vice-versa)? "
              "Check if the specified host path exists and is the expected type")


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"real executor unavailable in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def lower(tmp_path_factory) -> str:
    """busybox's root filesystem, extracted once (the overlays' lower directory)."""
    if sys.platform != "linux" or os.geteuid() != 0:
        _unavailable("container processes need Linux and root")
    if not os.path.exists(ROOTFS_SCRIPT):
        _unavailable(f"{ROOTFS_SCRIPT} is missing")
    place = tmp_path_factory.mktemp("busybox")
    tar = place / "rootfs.tar"
    made = subprocess.run(["bash", ROOTFS_SCRIPT, str(tar)], capture_output=True, text=True)
    if made.returncode != 0:
        _unavailable(f"busybox-rootfs.sh: {made.stderr.strip()}")
    root = place / "lower"
    with tarfile.open(tar) as archive:
        archive.extractall(root, **({"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}))
    yield str(root)
    shutil.rmtree(place, ignore_errors=True)


class Box:
    """An overlay rootfs over busybox in the test's folder, and the tasks started on it."""

    def __init__(self, tmp_path, lower: str):
        self.tmp = tmp_path
        self.rootfs = str(tmp_path / "merged")
        for name in ("upper", "work", "merged"):
            os.makedirs(tmp_path / name)
        try:
            linux_mount.mount("overlay", self.rootfs, "overlay", 0, linux_mount.overlay_options(
                [lower], str(tmp_path / "upper"), str(tmp_path / "work")))
        except OSError as err:
            _unavailable(f"overlayfs: {err.strerror}")
        self.tasks: list[Task] = []
        self.count = 0

    def launch(self, argv, **kw) -> Launch:
        self.count += 1
        state = str(self.tmp / f"task{self.count}")
        kw.setdefault("env", [PATH])
        kw.setdefault("hostname", "0123456789ab")
        return Launch(rootfs=self.rootfs, argv=list(argv), state_dir=state,
                      log_path=os.path.join(state, "log.json"), **kw)

    def start(self, argv, **kw) -> Task:
        task = start(self.launch(argv, **kw))
        self.tasks.append(task)
        return task

    def exec(self, task, argv, **kw) -> Task:
        process = exec_in(task, self.launch(argv, **kw))
        self.tasks.append(process)
        return process

    def run(self, argv, **kw) -> tuple[Exit, list[tuple[str, str]]]:
        """Start, wait (10 s at most) and return the exit and the log as (stream, text)."""
        task = self.start(argv, **kw)
        ended = task.wait(10)
        assert ended is not None, f"{argv} did not end"
        return ended, entries(task)


def entries(task: Task) -> list[tuple[str, str]]:
    if not os.path.exists(task.log_path):
        return []
    with open(task.log_path, encoding="utf-8") as f:
        return [(e["stream"], e["log"]) for e in map(json.loads, f)]


def stdout(log) -> str:
    return "".join(text for stream, text in log if stream == "stdout")


def _gone(pid: int) -> bool:
    return not os.path.exists(f"/proc/{pid}")


def _children() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                        found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return found


@pytest.fixture
def box(tmp_path, lower):
    children = set(_children())
    b = Box(tmp_path, lower)
    try:
        yield b
    finally:
        for task in b.tasks:
            task.signal(signal.SIGKILL)
            task.wait(10)
        linux_mount.unmount_all(str(tmp_path))
    for task in b.tasks:
        assert _gone(task.shim_pid) and _gone(task.pid), "a shim or a container process outlived its test"
    assert set(_children()) <= children, "a child process is left"
    assert not linux_mount.mounts_under(str(tmp_path))


def _wait_for(path: str, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


# -- the log, without a container ---------------------------------------------------
def test_log_lines_are_docker_json_file_lines():
    # recorded from json-file: printf 'c<&>\001\tx' (no newline) in busybox
    at = int(datetime(2026, 11, 29, 17, 33, 24, tzinfo=timezone.utc).timestamp()) * 10**9 + 72372751
    assert log_entry(b"c<&>\x01\tx", "stdout", at) == \
        b'{"log":"c\\u003c\\u0026\\u003e\\u0001\\u0009x","stream":"stdout","time":"2026-11-29T17:33:24.072372751Z"}\n'
    assert rfc3339nano(at - 72372751 + 41624570) == "2026-11-29T17:33:24.04162457Z"
    assert rfc3339nano(at - 72372751) == "2026-11-29T17:33:24Z"
    assert json.loads(log_entry(b'a\\t"\n', "stderr", 0)) == {"log": 'a\\t"\n', "stream": "stderr",
                                                             "time": "1970-01-01T00:00:00Z"}
    assert b'"log":"\\ufffd\\u2028\xc3\xa9"' in log_entry(b"\xff\xe2\x80\xa8\xc3\xa9", "stdout", 0)


def test_long_lines_are_split_at_16_kib():
    assert MAX_LINE == 16384
    lines, rest = split_lines(b"a\n" + b"x" * 40000, final=False)
    assert lines == [b"a\n", b"x" * 16384, b"x" * 16384] and rest == b"x" * 7232
    assert split_lines(rest, final=True) == ([rest], b"")
    assert split_lines(b"no newline", final=False) == ([], b"no newline")


# -- output, exit codes, start errors -----------------------------------------------
def test_output_is_logged_line_by_line_with_its_stream(box):
    task = box.start(["sh", "-c", "echo one; sleep 0.05; echo two >&2; sleep 0.05; printf 'three\\nfour'"])
    ended = task.wait(10)
    assert ended.code == 0 and ended.signal is None
    assert entries(task) == [("stdout", "one\n"), ("stderr", "two\n"), ("stdout", "three\n"), ("stdout", "four")]
    with open(task.log_path, encoding="utf-8") as f:
        times = [json.loads(line)["time"] for line in f]
    stamps = [datetime.fromisoformat(t[:26].rstrip(".") + "+00:00").timestamp() for t in times]
    assert task.started <= stamps[0] + 1e-6 and stamps == sorted(stamps) and stamps[-1] <= ended.finished
    assert os.path.exists(os.path.join(task.state_dir, "exit"))


def test_exit_codes_and_the_latency_of_true(box):
    assert box.run(["sh", "-c", "exit 3"])[0].code == 3
    latencies = []
    for _ in range(10):
        began = time.perf_counter()
        assert box.run(["true"])[0].code == 0
        latencies.append(time.perf_counter() - began)
    print(f"start + wait of `true`: median {statistics.median(latencies) * 1000:.1f} ms")
    assert statistics.median(latencies) < 2


@pytest.mark.parametrize("argv, cwd, message, code", [
    (["nosuchcommand"], "/", CREATE + 'exec: "nosuchcommand": executable file not found in $PATH: unknown', 127),
    (["/nonexist"], "/", CREATE + 'exec: "/nonexist": stat /nonexist: no such file or directory: unknown', 127),
    (["./nonexist"], "/", CREATE + 'exec: "./nonexist": stat ./nonexist: no such file or directory: unknown', 127),
    (["/etc/passwd"], "/", CREATE + 'exec: "/etc/passwd": permission denied: unknown', 126),
    (["/etc"], "/", CREATE + 'exec: "/etc": permission denied: unknown', 126),
    (["pwd"], "/proc/nonexist",
     CREATE + "error during container init: mkdir /proc/nonexist: no such file or directory: unknown", 127),
    (["pwd"], "/dev/null",
     CREATE + "error during container init: mkdir /dev/null: not a directory: unknown" + WRONG_TYPE, 127),
])
def test_what_cannot_start_is_a_start_error_in_runc_words(box, argv, cwd, message, code):
    with pytest.raises(StartError) as caught:
        box.start(argv, cwd=cwd)
    assert (caught.value.message, caught.value.exit_code) == (message, code)
    assert set(os.listdir(box.tmp / "task1")) <= {"log.json"}   # no pid, no exit: no task


def test_a_failed_step_before_exec_names_the_step(box, tmp_path):
    with pytest.raises(StartError) as caught:   # EINVAL: over the kernel's 64 bytes
        box.start(["true"], hostname="h" * 65)
    assert (caught.value.message, caught.value.exit_code) == \
        (CREATE + "error during container init: sethostname: invalid argument: unknown", 128)
    with pytest.raises(StartError) as caught:
        box.start(["true"], binds=[(str(tmp_path), "/etc/passwd", False)])
    assert (caught.value.message, caught.value.exit_code) == (
        CREATE + f'error during container init: error mounting "{tmp_path}" to rootfs at "/etc/passwd": '
        "not a directory: unknown" + WRONG_TYPE, 127)


def test_path_lookup_is_go_1_19s(box):
    with pytest.raises(StartError) as caught:   # PATH=. found ./ls: refused (Go 1.19 ErrDot)
        box.start(["ls"], cwd="/bin", env=["PATH=."])
    assert caught.value.message == \
        CREATE + 'exec: "ls": cannot run executable found relative to current directory: unknown'
    assert caught.value.exit_code == 128
    with pytest.raises(StartError) as caught:
        box.start(["ls"], env=["PATH="])
    assert caught.value.exit_code == 127
    assert box.run(["ls", "-d", "/"], env=["PATH=/nope::/bin"])[1] == [("stdout", "/\n")]


def test_an_exec_that_fails_after_the_lookup_is_reported_by_the_process(box):
    with open(os.path.join(box.rootfs, "x"), "w") as f:
        f.write("garbage\n")
    os.chmod(os.path.join(box.rootfs, "x"), 0o755)
    ended, log = box.run(["/x"])
    assert (ended.code, log) == (1, [("stderr", "exec /x: exec format error\n")])


# -- namespaces and the root --------------------------------------------------------
def test_pid_1_of_its_own_pid_namespace(box):
    assert box.run(["sh", "-c", "echo $$"])[1] == [("stdout", "1\n")]
    assert stdout(box.run(["cat", "/proc/1/cmdline"])[1]) == "cat\0/proc/1/cmdline\0"
    assert stdout(box.run(["ps", "-o", "pid,ppid,sid,args"])[1]) == \
        "PID   PPID  SID   COMMAND\n    1     0     1 ps -o pid,ppid,sid,args\n"


def test_hostname_is_its_own(box):
    before = socket.gethostname()
    assert box.run(["hostname"], hostname="c0ffee")[1] == [("stdout", "c0ffee\n")]
    assert socket.gethostname() == before


def test_user_groups_env_and_working_directory(box):
    ended, log = box.run(["sh", "-c", "id -u; id -g; grep Groups /proc/self/status; pwd"],
                         uid=65534, gid=65534, additional_gids=(65534, 10), cwd="/home/new/dir")
    assert ended.code == 0
    assert stdout(log) == "65534\n65534\nGroups:\t10 65534 \n/home/new/dir\n"
    # the environment as given; a repeated name keeps its first place and its last value (Go's Setenv)
    log = box.run(["env"], env=["A=1", PATH, "A=2", "HOME=/home"])[1]
    assert stdout(log) == f"A=2\n{PATH}\nHOME=/home\n"
    made = os.stat(os.path.join(box.rootfs, "home/new/dir"))   # created by root, as runc does
    assert (made.st_uid, made.st_mode & 0o777) == (0, 0o755)


def test_a_private_working_directory_is_entered_before_dropping_to_the_user(box):
    os.makedirs(os.path.join(box.rootfs, "private"), mode=0o700)
    assert box.run(["pwd"], uid=65534, gid=65534, cwd="/private")[1] == [("stdout", "/private\n")]
    with pytest.raises(StartError) as caught:
        box.start(["/private/x"], uid=65534, gid=65534)
    assert caught.value.message == CREATE + 'exec: "/private/x": stat /private/x: permission denied: unknown'
    assert caught.value.exit_code == 126


def test_dev_is_runcs_minimal_dev(box):
    ended, log = box.run(["sh", "-c", "ls /dev; stat -c '%A %t,%T %U' /dev/null /dev/tty; "
                                      "readlink /dev/stdout; readlink /dev/ptmx"])
    assert stdout(log) == ("fd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n"
                           "crw-rw-rw- 1,3 root\ncrw-rw-rw- 5,0 root\n/proc/self/fd/1\npts/ptmx\n")


def test_proc_sys_and_the_mounts(box):
    # mount point, type and source of each mount, as in a Docker 20.10 container (--network none)
    script = (r"sed 's/^\([^ ]* \)\{4\}\([^ ]*\) .* - \([^ ]*\) \([^ ]*\) .*/\2 \3 \4/' /proc/self/mountinfo;"
              " touch /sys/x")
    log = box.run(["sh", "-c", script])[1]
    assert stdout(log) == ("/ overlay overlay\n/proc proc proc\n/dev tmpfs tmpfs\n/dev/pts devpts devpts\n"
                           "/sys sysfs sysfs\n/dev/mqueue mqueue mqueue\n/dev/shm tmpfs shm\n")
    assert log[-1] == ("stderr", "touch: /sys/x: Read-only file system\n")


def test_binds_read_write_and_read_only(box, tmp_path):
    data, conf = tmp_path / "data", tmp_path / "app.conf"
    data.mkdir()
    conf.write_text("setting\n")
    ended, log = box.run(["sh", "-c", "echo hi > /srv/data/new; cat /etc/app.conf; echo x > /etc/app.conf"],
                         binds=[(str(data), "/srv/data", False), (str(conf), "/etc/app.conf", True)])
    assert (data / "new").read_text() == "hi\n"
    assert log == [("stdout", "setting\n"), ("stderr", "sh: can't create /etc/app.conf: Read-only file system\n")]
    assert ended.code == 1


def test_a_bind_target_through_a_symlink_stays_in_the_rootfs(box, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "f").write_text("in\n")
    os.symlink("/../../../../../tmp", os.path.join(box.rootfs, "escape"))
    assert box.run(["cat", "/tmp/f"], binds=[(str(data), "/escape", True)])[1] == [("stdout", "in\n")]


def test_only_a_loopback_that_is_up(box):
    log = box.run(["sh", "-c", "ls /sys/class/net; ip link"])[1]
    assert stdout(log) == ("lo\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n"
                           "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n")
    script = ("nc -l -p 7000 -e echo hello & for i in 1 2 3 4 5 6 7 8 9 10; do "
              "nc 127.0.0.1 7000 </dev/null 2>/dev/null && break; sleep 0.1; done")
    assert box.run(["sh", "-c", script])[1] == [("stdout", "hello\n")]


def test_no_descriptor_of_the_caller_is_inherited(box, tmp_path):
    leak = os.open(tmp_path, os.O_RDONLY)
    os.set_inheritable(leak, True)
    try:
        log = box.run(["ls", "/proc/self/fd"])[1]
    finally:
        os.close(leak)
    assert stdout(log) == "0\n1\n2\n3\n"   # 3: ls's own directory


def test_stdin_is_piped_or_dev_null(box):
    assert box.run(["cat"], stdin=b"hello\nworld")[1] == [("stdout", "hello\n"), ("stdout", "world")]
    assert box.run(["cat"], stdin=b"")[1] == []
    assert box.run(["readlink", "/proc/self/fd/0"])[1] == [("stdout", "/dev/null\n")]


def test_cgroups_are_joined_before_exec_and_by_exec(box):
    name = f"simulator-test-{os.getpid()}-{time.monotonic_ns()}"
    made = []
    try:
        for root in ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified"):
            if os.path.isdir(root):
                os.mkdir(os.path.join(root, name))
                made.append(os.path.join(root, name))
        if not made:
            _unavailable("no cgroup v1 memory or cgroup2 hierarchy")
        expected = {f"memory:/{name}" if "/memory/" in m else f":/{name}" for m in made}
        main = box.start(["cat", "/proc/self/cgroup"], cgroup_procs=[os.path.join(m, "cgroup.procs") for m in made])
        assert main.wait(10).code == 0   # cat's own view: the cgroups were joined before exec
        lines = {line.split(":", 1)[1] for line in stdout(entries(main)).splitlines()}
        assert expected <= lines
        main = box.start(["sleep", "30"], cgroup_procs=[os.path.join(m, "cgroup.procs") for m in made])
        process = box.exec(main, ["cat", "/proc/self/cgroup"])
        assert process.wait(10).code == 0
        assert expected <= {line.split(":", 1)[1] for line in stdout(entries(process)).splitlines()}
    finally:
        for task in box.tasks:   # an empty cgroup only can be removed
            task.signal(signal.SIGKILL)
            task.wait(10)
        for path in made:
            os.rmdir(path)


def test_new_namespaces_false_shares_the_hosts_pid_uts_and_network(box):
    log = box.run(["sh", "-c", "echo $$; hostname"], new_namespaces=False)[1]
    pid, host = stdout(log).split()
    assert int(pid) > 1 and host == socket.gethostname()


# -- signals ------------------------------------------------------------------------
def test_pid_1_ignores_sigterm_without_a_handler_but_not_sigkill(box):
    task = box.start(["sleep", "30"])
    task.signal(signal.SIGTERM)
    assert task.wait(0.3) is None and task.alive()
    task.signal(signal.SIGKILL)
    ended = task.wait(5)
    assert (ended.code, ended.signal) == (137, "SIGKILL")
    task.signal(signal.SIGKILL)   # ended: nothing happens


def test_a_trap_handles_sigterm(box):
    task = box.start(["sh", "-c", "trap 'exit 5' TERM; echo ready; while true; do sleep 0.05; done"])
    deadline = time.monotonic() + 5
    while entries(task) != [("stdout", "ready\n")]:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    task.signal(signal.SIGTERM)
    assert task.wait(5) == Exit(5, None, task.poll().finished)


def test_the_shim_outlives_the_callers_signals_and_the_container_dies_with_the_shim(box):
    task = box.start(["sleep", "30"])
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        os.kill(task.shim_pid, signum)
    assert task.wait(0.3) is None
    os.kill(task.shim_pid, signal.SIGKILL)
    ended = task.wait(5)
    assert (ended.code, ended.signal) == (137, "SIGKILL")
    deadline = time.monotonic() + 5
    while not _gone(task.pid):
        assert time.monotonic() < deadline, "the container outlived its shim"
        time.sleep(0.01)


def test_a_caller_that_ignores_sigchld_still_gets_exit_codes(box):
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # the kernel then reaps the caller's children
    try:
        assert box.run(["sh", "-c", "exit 7"])[0].code == 7
    finally:
        signal.signal(signal.SIGCHLD, before)


def test_wait_any_returns_the_tasks_that_ended(box):
    slow = box.start(["sleep", "30"])
    quick = box.start(["sh", "-c", "sleep 0.1"])
    assert wait_any([slow, quick], 10) == [quick]
    assert wait_any([slow], 0.05) == []
    slow.signal(signal.SIGKILL)
    assert slow.wait(5).code == 137
    assert wait_any([slow, quick], 0) == [slow, quick]


def test_attach_finds_a_task_again_from_its_state_dir(box):
    task = box.start(["sleep", "30"])
    again = Task.attach(task.state_dir)
    assert (again.shim_pid, again.pid, again.log_path) == (task.shim_pid, task.pid, task.log_path)
    assert again.poll() is None and again.alive()
    again.signal(signal.SIGKILL)
    assert task.wait(5).code == 137
    assert Task.attach(task.state_dir).poll() == task.poll()
    assert Task.attach(str(box.tmp)) is None   # no task was ever started there


# -- exec ---------------------------------------------------------------------------
def test_exec_runs_in_the_containers_namespaces_and_root(box):
    main = box.start(["sh", "-c", "echo shared > /tmp/f; exec sleep 30"], hostname="feed")
    _wait_for(os.path.join(box.rootfs, "tmp/f"))
    process = box.exec(main, ["sh", "-c", "hostname; cat /tmp/f; echo $$; ls /sys/class/net; ps -o pid,args"])
    ended = process.wait(10)
    assert ended.code == 0
    lines = stdout(entries(process)).splitlines()
    assert lines[:2] == ["feed", "shared"] and int(lines[2]) > 1 and lines[3] == "lo"
    assert lines[4:6] == ["PID   COMMAND", "    1 sleep 30"]
    assert main.alive()


def test_exec_errors_use_docker_execs_words(box):
    main = box.start(["sleep", "30"])
    cases = [
        (["nosuch"], "/", EXEC + 'exec: "nosuch": executable file not found in $PATH: unknown'),
        (["/etc/passwd"], "/", EXEC + 'exec: "/etc/passwd": permission denied: unknown'),
        (["pwd"], "/nonexist",
         EXEC + 'chdir to cwd ("/nonexist") set in config.json failed: no such file or directory: unknown'),
        (["true"], "/etc/passwd",
         EXEC + 'chdir to cwd ("/etc/passwd") set in config.json failed: not a directory: unknown' + WRONG_TYPE),
    ]
    for argv, cwd, message in cases:
        with pytest.raises(StartError) as caught:
            box.exec(main, argv, cwd=cwd)
        assert (caught.value.message, caught.value.exit_code) == (message, 126)
    assert main.alive()


def test_exec_processes_die_with_pid_1(box):
    main = box.start(["sleep", "30"])
    process = box.exec(main, ["sleep", "30"])
    main.signal(signal.SIGKILL)
    assert process.wait(5).code == 137 and main.wait(5).code == 137
    with pytest.raises(ProcessLookupError):
        box.exec(main, ["true"])
