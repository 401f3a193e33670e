"""`--pids-limit` and `--cpus` from the command line to the container's cgroup.

The inspect values and the shell's failure were seen on Docker 20.10.24 (a private engine,
tests/conformance/realengine.py): `HostConfig.PidsLimit` is null unless the limit is
positive (moby 20.10 daemon_unix.go: 0 and negative values mean unlimited and are stored as
no limit), and busybox sh that cannot fork prints `sh: can't fork: Resource temporarily
unavailable` (EAGAIN from fork(2) at the pids controller's limit) and exits 2. The cgroup
files are the kernel's (Documentation/admin-guide/cgroup-v1/pids.rst, scheduler/sched-bwc.rst,
cgroup-v2.rst): pids.max = the limit; --cpus 1.5 is a quota of 150000 µs per 100000 µs
period, the period moby uses for --cpus.

The real-kernel tests need root, overlayfs and cgroups; elsewhere they skip with the reason,
except under CI (`CI` set), where that is a failure.
"""

from __future__ import annotations

import os

import pytest

from linux_support import leftovers, linux_root

NET = "--network none"


@pytest.mark.parametrize("flag, shown", [
    ("", "null"), ("--pids-limit 5", "5"), ("--pids-limit -1", "null"), ("--pids-limit 0", "null"),
    ("--pids-limit=-5", "null")])
def test_pids_limit_in_inspect_as_docker_shows_it(docker, flag, shown):
    r = docker(f"create {NET} --name lim {flag} busybox true")
    assert r.exit == 0, r.output
    r = docker("inspect --format '{{json .HostConfig.PidsLimit}}' lim")
    assert r.out == shown + "\n"


def test_pids_limit_needs_an_integer(docker):
    r = docker(f"create {NET} --pids-limit abc busybox true")
    assert r.exit == 125
    assert r.err == ('invalid argument "abc" for "--pids-limit" flag: strconv.ParseInt: parsing "abc": '
                     "invalid syntax\nSee 'docker create --help'.\n")


def test_pids_limit_is_listed_by_run_help(docker):
    # docker/cli 20.10 opts.go: flags.Int64Var(&copts.pidsLimit, "pids-limit", 0, ...)
    r = docker("run --help")
    line = next(x for x in r.out.splitlines() if "--pids-limit" in x)
    assert line.split() == ["--pids-limit", "int", "Tune", "container", "pids", "limit", "(set", "-1",
                            "for", "unlimited)"]


# -- on the real kernel ---------------------------------------------------------------------------
def _engine(root):
    from simulator.backend.linux.backend import LinuxBackend
    from simulator.engine.engine import Engine

    engine = Engine(backend=LinuxBackend(root))
    engine.registry.import_busybox()
    return engine


def _docker(engine, line: str) -> tuple[str, int]:
    from simulator.cli.play import run_line
    return run_line(engine, line, "/")


def _cgroup_dirs(pid: int) -> dict[str, str]:
    """Controller ("pids", "cpu", ...; "" for cgroup v2) -> the folder of the cgroup process
    `pid` is in (cgroups(7): /proc/PID/cgroup lines `id:controllers:path`, found under the
    hierarchy's mount point in /proc/self/mountinfo)."""
    points = {}
    with open("/proc/self/mountinfo", encoding="utf-8") as table:
        for line in table:
            fields = line.split()
            kind, options = fields[fields.index("-") + 1], fields[fields.index("-") + 3]
            if kind == "cgroup2":
                points.setdefault("", fields[4])
            elif kind == "cgroup":
                for option in options.split(","):
                    points.setdefault(option, fields[4])
    found = {}
    with open(f"/proc/{pid}/cgroup", encoding="utf-8") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                if controller in points:
                    found[controller] = points[controller] + path
    return found


def _read(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read().strip()


def test_pids_limit_makes_fork_fail_on_a_real_kernel():
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        engine = _engine(root)
        try:
            if "pids" not in engine.backend.cgroups.controllers:
                pytest.skip("no pids cgroup controller on this host")
            # sh and four sleeps make five processes: the fifth `sleep &` cannot fork
            out, status = _docker(engine, f"docker run {NET} --pids-limit 5 busybox sh -c "
                                  "'for i in 1 2 3 4 5 6; do sleep 5 & done; wait'")
            assert (out, status) == ("sh: can't fork: Resource temporarily unavailable\n", 2)
        finally:
            engine.backend.reset()
        assert leftovers(root) == [] and not os.path.exists(root)


def test_pids_and_cpu_limits_in_the_running_containers_cgroup():
    with linux_root() as parent:
        root = os.path.join(parent, "r")
        engine = _engine(root)
        try:
            if not {"pids", "cpu"} <= engine.backend.cgroups.controllers:
                pytest.skip("no pids or cpu cgroup controller on this host")
            out, status = _docker(engine, f"docker run -d {NET} --name lim --pids-limit 5 --cpus 1.5 busybox "
                                  "sleep 60")
            assert status == 0, out
            pid, _ = _docker(engine, "docker inspect --format '{{.State.Pid}}' lim")
            dirs = _cgroup_dirs(int(pid))
            if "" in dirs and "pids" not in dirs:   # cgroup v2: one folder, cpu.max "quota period"
                assert _read(os.path.join(dirs[""], "pids.max")) == "5"
                assert _read(os.path.join(dirs[""], "cpu.max")) == "150000 100000"
            else:
                assert _read(os.path.join(dirs["pids"], "pids.max")) == "5"
                assert _read(os.path.join(dirs["cpu"], "cpu.cfs_quota_us")) == "150000"
                assert _read(os.path.join(dirs["cpu"], "cpu.cfs_period_us")) == "100000"
            out, status = _docker(engine, "docker rm -f lim")
            assert (out, status) == ("lim\n", 0)
            assert leftovers(root) == []
        finally:
            engine.backend.reset()
        assert leftovers(root) == [] and not os.path.exists(root)
