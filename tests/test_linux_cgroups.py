"""The real executor's cgroups: the files Docker's limits become (worked out by hand from moby
and runc), and the kernel enforcing them on real processes: freezing, the OOM killer, the
pids limit, killing everything, and cleaning up after a crash.

`settings()` is tested everywhere. The rest needs root and cgroups; elsewhere it skips with
the reason, except under CI (`CI` set), where that is a failure. The v2 tests use a cgroup2
mount (/sys/fs/cgroup itself, or a hybrid host's /sys/fs/cgroup/unified) and skip when
there is none. Every test leaves no cgroup and no process behind.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from simulator.backend.linux import ExecutorUnavailable
from simulator.backend.linux.cgroups import Cgroups, Limits, cgroup_mounts, settings

ROOT_OF_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUSYBOX = "/usr/bin/busybox"
MiB = 1 << 20


# -- the files Docker's limits become (no root needed) ------------------------------
def test_v1_files_for_memory_swap_pids_and_cpus():
    # docker run -m 8m --memory-swap 16m --pids-limit 5 --cpus 1.5
    limits = Limits(memory=8 * MiB, memory_swap=16 * MiB, pids=5, nano_cpus=1_500_000_000)
    assert settings(limits, 1, swap_accounting=True) == [
        ("memory", "memory.limit_in_bytes", "8388608"),
        ("memory", "memory.memsw.limit_in_bytes", "16777216"),
        ("pids", "pids.max", "5"),
        ("cpu", "cpu.cfs_period_us", "100000"),
        ("cpu", "cpu.cfs_quota_us", "150000"),
    ]


def test_v1_memory_swap_default_unlimited_and_without_accounting():
    # -m 8m alone: memory+swap defaults to twice the memory (moby adaptContainerSettings)
    assert settings(Limits(memory=8 * MiB), 1, True)[1] == ("memory", "memory.memsw.limit_in_bytes", "16777216")
    assert settings(Limits(memory=8 * MiB, memory_swap=-1), 1, True)[1] == ("memory", "memory.memsw.limit_in_bytes", "-1")
    assert settings(Limits(memory=8 * MiB, memory_swap=16 * MiB), 1, False) == [
        ("memory", "memory.limit_in_bytes", "8388608")]
    assert settings(Limits(), 1, True) == [] and settings(Limits(), 2, True) == []


def test_v2_files_hold_swap_alone_and_quota_with_period():
    limits = Limits(memory=8 * MiB, memory_swap=24 * MiB, pids=5, nano_cpus=1_500_000_000)
    assert settings(limits, 2, swap_accounting=True) == [
        ("memory", "memory.swap.max", "16777216"),   # 24m - 8m
        ("memory", "memory.max", "8388608"),
        ("pids", "pids.max", "5"),
        ("cpu", "cpu.max", "150000 100000"),
    ]
    assert settings(Limits(memory=8 * MiB), 2, True)[0] == ("memory", "memory.swap.max", "8388608")
    assert settings(Limits(memory=8 * MiB, memory_swap=-1), 2, True)[0] == ("memory", "memory.swap.max", "max")
    assert settings(Limits(memory=8 * MiB, memory_swap=8 * MiB), 2, True)[0] == ("memory", "memory.swap.max", "0")
    assert settings(Limits(memory=8 * MiB), 2, False) == [("memory", "memory.max", "8388608")]
    assert settings(Limits(nano_cpus=10_000_000), 2, True) == [("cpu", "cpu.max", "1000 100000")]   # --cpus 0.01


@pytest.mark.parametrize("limits, message", [
    (Limits(memory_swap=16 * MiB), "always set the Memory limit"),
    (Limits(memory=16 * MiB, memory_swap=8 * MiB), "larger than memory limit"),
    (Limits(nano_cpus=9_999_999), "less than 1ms"),
    (Limits(pids=-1), "negative"),
])
def test_limits_docker_refuses(limits, message):
    with pytest.raises(ValueError, match=message):
        settings(limits, 1, True)


# -- fixtures -----------------------------------------------------------------------
def _open(parent: str, root: str = "/sys/fs/cgroup") -> Cgroups:
    try:
        return Cgroups(parent, root)
    except ExecutorUnavailable as err:
        if os.environ.get("CI"):
            pytest.fail(f"cgroups unavailable in CI: {err}")
        pytest.skip(str(err))


def _v2_root() -> str:
    for root in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
        if any(point == root and kind == "cgroup2" for point, kind, _ in cgroup_mounts()):
            return root
    pytest.skip("no cgroup2 mount at /sys/fs/cgroup or /sys/fs/cgroup/unified")


def _parent() -> str:
    return f"simtest-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _assert_gone(groups: Cgroups) -> None:
    for point in set(groups.mounts.values()):
        assert not os.path.exists(os.path.join(point, groups.parent))


@pytest.fixture
def cg():
    """The host's own layout (v1 controllers here, v2 on a unified host)."""
    groups = _open(_parent())
    yield groups
    groups.cleanup()
    _assert_gone(groups)


@pytest.fixture
def v2():
    """Whatever cgroup2 mount this host has (on a hybrid host, one without controllers)."""
    if sys.platform != "linux" or os.geteuid() != 0:
        _open(_parent())   # skips (or fails under CI) with the reason
    groups = _open(_parent(), _v2_root())
    yield groups
    groups.cleanup()
    _assert_gone(groups)


@pytest.fixture(params=["host", "v2"])
def any_layout(request):
    return request.getfixturevalue("cg" if request.param == "host" else "v2")


@pytest.fixture
def spawn():
    """Start a process already inside a cgroup (it joins between fork and exec); every one
    is killed and reaped at the end."""
    started = []

    def start(group, argv, **kwargs):
        def join():
            for procs in group.procs_files():
                with open(procs, "w") as f:
                    f.write(str(os.getpid()))
        proc = subprocess.Popen(argv, preexec_fn=join, **kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def _read(path: str) -> str:
    with open(path) as f:
        return f.read().strip()


def _stat(pid: int) -> tuple[str, int]:
    """(state letter, utime in clock ticks) from /proc/<pid>/stat (fields 3 and 14, man 5 proc)."""
    fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
    return fields[0], int(fields[11])


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# -- limits on the host's layout ----------------------------------------------------
def test_limits_are_written_to_the_kernel(cg):
    group = cg.create("limited", Limits(memory=8 * MiB, memory_swap=16 * MiB, pids=5, nano_cpus=1_500_000_000))
    if cg.version == 1:
        expected = {("memory", "memory.limit_in_bytes"): "8388608", ("pids", "pids.max"): "5",
                    ("cpu", "cpu.cfs_quota_us"): "150000", ("cpu", "cpu.cfs_period_us"): "100000"}
        if cg.swap_accounting:
            expected["memory", "memory.memsw.limit_in_bytes"] = "16777216"
    else:
        expected = {("memory", "memory.max"): "8388608", ("pids", "pids.max"): "5",
                    ("cpu", "cpu.max"): "150000 100000"}
        if cg.swap_accounting:
            expected["memory", "memory.swap.max"] = "8388608"
    for (controller, file), value in expected.items():
        assert _read(os.path.join(group.dir(controller), file)) == value, file
    assert cg.leftovers() == ["limited"]


def test_no_limits_leave_the_kernel_defaults(cg):
    group = cg.create("free")
    if cg.version == 1:
        # the largest page-aligned value below 2**63 (4 KiB pages): the kernel's "unlimited"
        page = os.sysconf("SC_PAGESIZE")
        assert _read(os.path.join(group.dir("memory"), "memory.limit_in_bytes")) == str((2**63 - 1) // page * page)
        assert _read(os.path.join(group.dir("pids"), "pids.max")) == "max"
        assert _read(os.path.join(group.dir("cpu"), "cpu.cfs_quota_us")) == "-1"
    else:
        assert _read(os.path.join(group.dir("memory"), "memory.max")) == "max"


def test_a_process_added_is_listed_and_in_every_hierarchy(cg):
    group = cg.create("one")
    proc = subprocess.Popen(["sleep", "60"])
    try:
        group.add(proc.pid)
        assert group.pids() == [proc.pid]
        # /proc/<pid>/cgroup: "id:controllers:path" per v1 hierarchy, "0::path" for v2
        where = {tuple(line.split(":", 2)[1].split(",")): line.split(":", 2)[2]
                 for line in _read(f"/proc/{proc.pid}/cgroup").splitlines()}
        inside = f"/{cg.parent}/one"
        if cg.version == 1:
            for controller in cg.controllers:
                assert [path for names, path in where.items() if controller in names] == [inside], controller
        else:
            assert where[("",)] == inside
        assert len(group.procs_files()) == len(set(cg.mounts.values()))
    finally:
        proc.kill()
        proc.wait()
    assert group.pids() == []   # an exited (even unreaped) process has left its cgroups


def test_the_oom_killer_kills_a_process_over_its_memory_limit(cg, spawn):
    if "memory" not in cg.controllers:
        pytest.skip("no memory cgroup controller")
    # memory+swap = memory: no swap either, whether or not the host has any
    group = cg.create("hungry", Limits(memory=8 * MiB, memory_swap=8 * MiB))
    # `tail` keeps the last line of /dev/zero, which never ends: it grows without bound
    proc = spawn(group, [BUSYBOX, "tail", "/dev/zero"], stdout=subprocess.DEVNULL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    assert group.oom_killed() is True


def test_a_process_within_its_limit_is_not_oom_killed_and_its_usage_shows(cg, spawn):
    if "memory" not in cg.controllers:
        pytest.skip("no memory cgroup controller")
    group = cg.create("roomy", Limits(memory=64 * MiB))
    # 32 MiB written byte by byte (anonymous memory, never inactive file cache)
    proc = spawn(group, [sys.executable, "-c", "import sys; b = b'x' * (32 << 20); print(flush=True); sys.stdin.read()"],
                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"\n"
    assert 32 * MiB <= group.memory_usage() < 64 * MiB
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    assert group.oom_killed() is False


def test_the_pids_limit_makes_fork_fail(cg, spawn):
    if "pids" not in cg.controllers:
        pytest.skip("no pids cgroup controller")
    group = cg.create("forky", Limits(pids=5))
    script = "for i in 1 2 3 4 5; do sleep 60 >/dev/null 2>&1 & echo started $i; done; echo done"
    shell = spawn(group, [BUSYBOX, "sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = shell.communicate(timeout=30)
    # shell + 4 sleeps = 5: the fifth fork gets EAGAIN and ash's fatal "can't fork" exits 2
    assert (shell.returncode, out) == (2, "started 1\nstarted 2\nstarted 3\nstarted 4\n")
    assert err == f"sh: can't fork: {os.strerror(errno.EAGAIN)}\n"
    assert len(group.pids()) == 4 and shell.pid not in group.pids()
    group.kill_all()
    assert group.pids() == []


def test_a_missing_controller_for_a_limit_is_one_clear_line(v2):
    if "memory" in v2.controllers:
        pytest.skip("this cgroup2 mount has the memory controller")
    with pytest.raises(ExecutorUnavailable, match=r"^the memory cgroup controller is not available under "):
        v2.create("nomem", Limits(memory=8 * MiB))
    assert v2.leftovers() == []


# -- freezing, killing, removing: the host's layout and v2 ----------------------------
def test_freeze_stops_the_processes_and_thaw_resumes_them(any_layout, spawn):
    group = any_layout.create("busy")
    proc = spawn(group, [BUSYBOX, "sh", "-c", "while :; do :; done"])
    assert _wait_for(lambda: _stat(proc.pid)[1] > 0)   # it has run
    group.freeze()
    assert group.frozen() is True
    state, ticks = _stat(proc.pid)
    time.sleep(0.3)
    assert _stat(proc.pid) == (state, ticks) and state != "R"   # no CPU time while frozen
    group.thaw()
    assert group.frozen() is False
    assert _wait_for(lambda: _stat(proc.pid)[1] > ticks)


def test_kill_all_reaches_a_frozen_group_and_remove_leaves_nothing(any_layout, spawn):
    group = any_layout.create("doomed")
    procs = [spawn(group, ["sleep", "60"]) for _ in range(3)]
    assert group.pids() == sorted(p.pid for p in procs)
    group.freeze()
    group.remove()
    assert [p.wait(timeout=10) for p in procs] == [-signal.SIGKILL] * 3
    assert not any(os.path.exists(d) for d in group.dirs)
    assert any_layout.leftovers() == []
    group.remove()   # again: nothing to do


def test_create_refuses_an_existing_name(any_layout):
    any_layout.create("twice")
    with pytest.raises(FileExistsError):
        any_layout.create("twice")
    assert any_layout.leftovers() == ["twice"]


def test_a_failed_create_removes_the_directories_it_made(cg):
    if len(set(cg.mounts.values())) < 2:
        pytest.skip("needs two hierarchies (cgroup v1)")
    group = cg.get("half")
    os.mkdir(group.dirs[-1])   # the last hierarchy already has it: the others are made first
    with pytest.raises(FileExistsError):
        cg.create("half")
    assert [os.path.exists(d) for d in group.dirs] == [False] * (len(group.dirs) - 1) + [True]
    os.rmdir(group.dirs[-1])


def test_a_limit_the_kernel_refuses_leaves_no_directory(cg):
    if "cpu" not in cg.controllers:
        pytest.skip("no cpu cgroup controller")
    # 1e9 CPUs: a quota of 1e14 µs, over CFS's largest, 2**44 - 1 µs (kernel MAX_BW): EINVAL
    with pytest.raises(OSError) as raised:
        cg.create("greedy", Limits(memory=8 * MiB, nano_cpus=10**18))
    assert raised.value.errno == errno.EINVAL and raised.value.filename.endswith(("cpu.cfs_quota_us", "cpu.max"))
    assert cg.leftovers() == []


def test_cleanup_after_a_crash_kills_and_removes_everything(any_layout):
    crash = ("import os, subprocess, sys; sys.path.insert(0, sys.argv[3])\n"
             "from simulator.backend.linux.cgroups import Cgroups\n"
             "groups = Cgroups(sys.argv[1], sys.argv[2])\n"
             "for name in ('a', 'b'):\n"
             "    group = groups.create(name)\n"
             "    for _ in range(2):\n"
             "        proc = subprocess.Popen(['sleep', '60'], stdout=subprocess.DEVNULL)\n"
             "        group.add(proc.pid)\n"
             "        print(proc.pid, flush=True)\n"
             "group.freeze()\n"
             "os._exit(9)\n")
    done = subprocess.run([sys.executable, "-c", crash, any_layout.parent, any_layout.root, ROOT_OF_REPO],
                          stdout=subprocess.PIPE, text=True, timeout=60)
    pids = [int(p) for p in done.stdout.split()]
    assert done.returncode == 9 and len(pids) == 4
    survivor = Cgroups(any_layout.parent, any_layout.root)   # a new engine after the crash
    assert survivor.leftovers() == ["a", "b"]
    assert survivor.get("b").frozen() is True
    assert sorted(survivor.get("a").pids() + survivor.get("b").pids()) == sorted(pids)
    survivor.cleanup(keep={"b"})   # what a restarted engine still knows stays
    assert survivor.leftovers() == ["b"] and survivor.get("b").frozen() is True
    survivor.cleanup()
    _assert_gone(survivor)

    def dead(pid):   # gone, or a zombie until init reaps the orphan
        try:
            return _stat(pid)[0] == "Z"
        except FileNotFoundError:
            return True
    assert _wait_for(lambda: all(dead(p) for p in pids))


# -- what the v2 tree without controllers tells ---------------------------------------
def test_v2_has_one_directory_and_reports_no_memory_without_the_controller(v2, spawn):
    group = v2.create("plain")
    assert group.procs_files() == [os.path.join(v2.root, v2.parent, "plain", "cgroup.procs")]
    proc = spawn(group, ["sleep", "60"])
    assert group.pids() == [proc.pid]
    if "memory" not in v2.controllers:
        assert group.memory_usage() is None and group.oom_killed() is False
    group.kill_all()
    assert proc.wait(timeout=10) == -signal.SIGKILL


# -- unavailable --------------------------------------------------------------------
def test_not_being_root_is_one_clear_line(monkeypatch):
    if sys.platform != "linux":
        pytest.skip("the platform is reported first")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(ExecutorUnavailable, match=r"^creating cgroups needs root: run as root or with sudo$"):
        Cgroups("simtest-never")


def test_no_cgroup_mount_is_one_clear_line(tmp_path):
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("the platform and root are reported first")
    with pytest.raises(ExecutorUnavailable, match=r"^no cgroup2 mount and none of the v1 controllers .* under "):
        Cgroups("simtest-never", str(tmp_path))
    assert os.listdir(tmp_path) == []
