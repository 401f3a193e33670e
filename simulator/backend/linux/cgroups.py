"""Control groups for the real executor's containers, after runc's libcontainer cgroup
managers: `fs` (cgroup v1, one hierarchy per controller) and `fs2` (cgroup v2, one tree).

Layout, as moby's cgroupfs driver places a container at `/docker/<id>` in every hierarchy:

    v1: <mount point of each controller>/<parent>/<name>   memory, pids, cpu, freezer (those mounted)
    v2: <cgroup2 mount>/<parent>/<name>                     cpu, memory, pids enabled through every
                                                           ancestor's cgroup.subtree_control

The layout is read from /proc/self/mountinfo: v2 when `root` (/sys/fs/cgroup) is itself a
cgroup2 mount, otherwise the v1 controllers mounted directly under it (a hybrid host's empty
cgroup2 at /sys/fs/cgroup/unified is not used). `Limits` are Docker's HostConfig values; the
files written and their values are `settings()` (moby daemon_unix.go and runc's fs/fs2 `Set`).
Everything needs root; otherwise `ExecutorUnavailable` says why in one line.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import sys
import time
from dataclasses import dataclass

from .mount import ExecutorUnavailable, _unescape

CONTROLLERS = ("memory", "pids", "cpu", "freezer")   # v1 hierarchies a container joins
_V2_CONTROLLERS = ("cpu", "memory", "pids")           # v2 controllers enabled for containers
_V2 = "unified"                                       # the key of the one v2 directory
CPU_PERIOD = 100000                                   # µs; moby's period for --cpus
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_WAIT = 10.0                                          # s to wait for freezing / emptying


@dataclass(frozen=True)
class Limits:
    """A container's resource limits as Docker's HostConfig holds them.

    memory: bytes, 0 = no limit. memory_swap: memory plus swap in bytes, 0 = the default
    (twice `memory`, moby `adaptContainerSettings`), -1 = unlimited swap. pids: most processes
    and threads, 0 = no limit (moby's `getPidsLimit` turns negatives into 0). nano_cpus:
    --cpus × 1e9, 0 = no limit.
    """

    memory: int = 0
    memory_swap: int = 0
    pids: int = 0
    nano_cpus: int = 0


def settings(limits: Limits, version: int, swap_accounting: bool) -> list[tuple[str, str, str]]:
    """The (controller, file, value) writes for `limits`, in the order they must happen.

    v1 (runc fs): memory.limit_in_bytes, then memory.memsw.limit_in_bytes = memory+swap (-1 =
    unlimited; skipped without swap accounting, as moby drops MemorySwap then), pids.max,
    cpu.cfs_period_us then cpu.cfs_quota_us. v2 (runc fs2): memory.swap.max = swap alone
    (memory+swap - memory, runc `ConvertMemorySwapToCgroupV2Value`; "max" for -1) before
    memory.max, pids.max, cpu.max "quota period". The CPU quota is nano_cpus × 100000 / 1e9 µs
    per 100000 µs period (moby `daemon_unix.go`). ValueError for what moby refuses.
    """
    if limits.memory < 0 or limits.pids < 0 or limits.nano_cpus < 0 or limits.memory_swap < -1:
        raise ValueError(f"negative limit in {limits}")
    if limits.memory == 0 and limits.memory_swap > 0:
        raise ValueError("You should always set the Memory limit when using Memoryswap limit, see usage")
    if 0 < limits.memory_swap < limits.memory:
        raise ValueError("Minimum memoryswap limit should be larger than memory limit, see usage")
    quota = limits.nano_cpus * CPU_PERIOD // 10**9
    if limits.nano_cpus and quota < 1000:
        raise ValueError("CPU cfs quota can not be less than 1ms (i.e. 1000)")
    writes = []
    if limits.memory:
        total = limits.memory_swap or 2 * limits.memory
        if version == 1:
            writes.append(("memory", "memory.limit_in_bytes", str(limits.memory)))
            if swap_accounting:
                writes.append(("memory", "memory.memsw.limit_in_bytes", str(total)))
        else:
            if swap_accounting:
                writes.append(("memory", "memory.swap.max", "max" if total == -1 else str(total - limits.memory)))
            writes.append(("memory", "memory.max", str(limits.memory)))
    if limits.pids:
        writes.append(("pids", "pids.max", str(limits.pids)))
    if limits.nano_cpus:
        if version == 1:
            writes += [("cpu", "cpu.cfs_period_us", str(CPU_PERIOD)), ("cpu", "cpu.cfs_quota_us", str(quota))]
        else:
            writes.append(("cpu", "cpu.max", f"{quota} {CPU_PERIOD}"))
    return writes


def cgroup_mounts() -> list[tuple[str, str, set[str]]]:
    """(mount point, fstype, super options) of every cgroup/cgroup2 mount (man 5 proc)."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as table:
        for line in table:
            fields = line.split()
            tail = fields[fields.index("-") + 1:]   # fstype, source, super options
            if tail[0] in ("cgroup", "cgroup2"):
                found.append((_unescape(fields[4]), tail[0], set(tail[2].split(","))))
    return found


class Cgroups:
    """The cgroups of one engine's containers: `<root's hierarchies>/<parent>/<name>`.

    `parent` is one path component (e.g. "simulator-1a2b"), made in every hierarchy used.
    Attributes: version (1 or 2), controllers (the usable ones), swap_accounting (whether
    memory+swap can be limited: v1 memory.memsw.*, v2 memory.swap.*; kernels built without
    it or booted with swapaccount=0 lack it). Raises ExecutorUnavailable when this host has
    no usable cgroups here: not Linux, not root, nothing mounted, or the parent cannot be made.
    """

    def __init__(self, parent: str, root: str = "/sys/fs/cgroup"):
        if not _NAME.fullmatch(parent):
            raise ValueError(f"invalid cgroup parent {parent!r}: letters, digits, '_', '.', '-' (not first)")
        if sys.platform != "linux":
            raise ExecutorUnavailable(f"cgroups need Linux (this is {sys.platform})")
        if os.geteuid() != 0:
            raise ExecutorUnavailable("creating cgroups needs root: run as root or with sudo")
        self.parent, self.root = parent, os.path.realpath(root)
        mounts = cgroup_mounts()
        if any(point == self.root and kind == "cgroup2" for point, kind, _ in mounts):
            self.version, self.mounts = 2, {_V2: self.root}
        else:
            self.version, self.mounts = 1, {}
            for point, kind, options in mounts:
                if kind == "cgroup" and os.path.dirname(point) == self.root:
                    for controller in options.intersection(CONTROLLERS):
                        self.mounts.setdefault(controller, point)
        if not self.mounts:
            raise ExecutorUnavailable(f"no cgroup2 mount and none of the v1 controllers {', '.join(CONTROLLERS)} "
                                      f"under {self.root}: mount them (e.g. `mount -t cgroup2 none {self.root}`)")
        self._make_parent()
        if self.version == 1:
            self.controllers = set(self.mounts)
            self.swap_accounting = ("memory" in self.mounts and
                                    os.path.exists(os.path.join(self._parent_dir("memory"), "memory.memsw.limit_in_bytes")))
        else:
            self.controllers = set(_read(os.path.join(self._parent_dir(_V2), "cgroup.subtree_control")).split())
            self.controllers.add("freezer")   # cgroup.freeze is in every non-root v2 cgroup (Linux 5.2)
            self.swap_accounting = os.path.exists(os.path.join(self._parent_dir(_V2), "memory.swap.max"))

    def _parent_dir(self, key: str) -> str | None:
        point = self.mounts.get(key)
        return os.path.join(point, self.parent) if point else None

    def _make_parent(self) -> None:
        """mkdir the parent in each hierarchy; on v2, first enable the container controllers
        in the root's and the parent's cgroup.subtree_control (runc fs2 `CreateCgroupPath`)."""
        for point in sorted(set(self.mounts.values())):
            place = os.path.join(point, self.parent)
            try:
                os.makedirs(place, exist_ok=True)
                if self.version == 2:
                    for level in (point, place):
                        _enable(level)
            except OSError as err:
                raise ExecutorUnavailable(f"cannot create the cgroup {place} ({err.strerror}): "
                                          f"is {point} mounted read-only?") from None

    def create(self, name: str, limits: Limits = Limits()) -> Cgroup:
        """Make the container's cgroup `name` in every hierarchy and write `limits` (see
        `settings`). FileExistsError if it exists; ValueError for limits Docker refuses;
        ExecutorUnavailable if a limit needs a controller this host lacks. Nothing is left
        behind on failure."""
        writes = settings(limits, self.version, self.swap_accounting)
        missing = sorted({c for c, _, _ in writes} - self.controllers)
        if missing:
            which = f"{missing[0]} cgroup controller is" if len(missing) == 1 else f"{', '.join(missing)} cgroup controllers are"
            raise ExecutorUnavailable(f"the {which} not available under {self.root}: "
                                      + ("mount under it (cgroup v1)" if self.version == 1 else
                                         "enable in the root's cgroup.subtree_control (impossible while a v1 "
                                         "hierarchy holds it)"))
        group = self.get(name)
        made = []
        try:
            self._make_parent()   # again, after a cleanup()
            for place in group.dirs:
                os.mkdir(place)
                made.append(place)
            for controller, file, value in writes:
                _write(os.path.join(group.dir(controller), file), value)
        except BaseException:
            for place in reversed(made):
                _rmdir(place)
            raise
        return group

    def get(self, name: str) -> Cgroup:
        """The container cgroup `name`, existing or not (for reattaching after a restart)."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"invalid cgroup name {name!r}: letters, digits, '_', '.', '-' (not first)")
        return Cgroup(self, name)

    def leftovers(self) -> list[str]:
        """Names of the container cgroups under the parent in any hierarchy, sorted."""
        names = set()
        for key in self.mounts:
            try:
                names.update(e.name for e in os.scandir(self._parent_dir(key)) if e.is_dir(follow_symlinks=False))
            except FileNotFoundError:
                pass
        return sorted(names)

    def cleanup(self, keep=()) -> None:
        """Kill and remove every container cgroup under the parent except those named in
        `keep`, then, when none is kept, the parent itself (after a crash, and at shutdown)."""
        for name in self.leftovers():
            if name not in keep:
                self.get(name).remove()
        if keep:
            return
        for point in sorted(set(self.mounts.values())):
            _rmdir(os.path.join(point, self.parent))


class Cgroup:
    """One container's cgroup: a directory per v1 hierarchy, or one v2 directory.

    `name`, `dirs` (the directories, one per hierarchy). Made by `Cgroups.create`/`get`.
    """

    def __init__(self, owner: Cgroups, name: str):
        self.name, self.version = name, owner.version
        self._dirs = {key: os.path.join(owner._parent_dir(key), name) for key in owner.mounts}
        self.dirs = sorted(set(self._dirs.values()))

    def __repr__(self) -> str:
        return f"Cgroup({self.name!r}, v{self.version})"

    def dir(self, controller: str) -> str | None:
        """The directory holding `controller`'s files, None if that controller is not mounted."""
        return self._dirs[_V2] if self.version == 2 else self._dirs.get(controller)

    # -- processes --------------------------------------------------------------------
    def procs_files(self) -> list[str]:
        """The cgroup.procs files a process is written into to join: one per hierarchy."""
        return [os.path.join(d, "cgroup.procs") for d in self.dirs]

    def add(self, pid: int) -> None:
        """Move process `pid` (and all its threads) into this cgroup, in every hierarchy.
        EINVAL is retried briefly: a just-forked task can refuse (runc `WriteCgroupProc`)."""
        for procs in self.procs_files():
            for attempt in range(5):
                try:
                    _write(procs, str(pid))
                    break
                except OSError as err:
                    if err.errno != errno.EINVAL or attempt == 4:
                        raise
                    time.sleep(0.03)

    def pids(self) -> list[int]:
        """Every process in this cgroup or below it, in any hierarchy, sorted. Exited
        processes leave their cgroup at exit, so zombies are not listed."""
        found = set()
        for top in self.dirs:
            for place, _, _ in os.walk(top):
                try:
                    found.update(int(p) for p in _read(os.path.join(place, "cgroup.procs")).split())
                except FileNotFoundError:
                    pass
        return sorted(found)

    # -- freezer ----------------------------------------------------------------------
    def _freezer(self) -> str:
        place = self.dir("freezer")
        if place is None:
            raise ExecutorUnavailable("the freezer cgroup controller is not mounted: pausing needs it")
        return place

    def freeze(self, timeout: float = _WAIT) -> None:
        """Stop every process in the cgroup, returning once the kernel reports it frozen:
        v1 freezer.state reads FROZEN (FROZEN is rewritten while it reads FREEZING, as runc
        does); v2 cgroup.events says `frozen 1`. On timeout it thaws and raises OSError(EBUSY)."""
        place = self._freezer()
        deadline = time.monotonic() + timeout
        while True:
            if self.version == 1:
                _write(os.path.join(place, "freezer.state"), "FROZEN")
            elif not os.path.exists(os.path.join(place, "cgroup.freeze")):
                raise ExecutorUnavailable("cgroup v2 freezing needs Linux 5.2 or later (cgroup.freeze)")
            else:
                _write(os.path.join(place, "cgroup.freeze"), "1")
            if self.frozen():
                return
            if time.monotonic() > deadline:
                self.thaw()
                raise OSError(errno.EBUSY, "the cgroup's processes did not freeze", place)
            time.sleep(0.001)

    def thaw(self) -> None:
        """Let the processes run again (v1 freezer.state THAWED, v2 cgroup.freeze 0)."""
        place = self._freezer()
        if self.version == 1:
            _write(os.path.join(place, "freezer.state"), "THAWED")
        else:
            _write(os.path.join(place, "cgroup.freeze"), "0")

    def frozen(self) -> bool:
        """Whether the kernel reports the cgroup frozen (not merely freezing)."""
        place = self.dir("freezer")
        if place is None:
            return False
        try:
            if self.version == 1:
                return _read(os.path.join(place, "freezer.state")).strip() == "FROZEN"
            return _keyed(os.path.join(place, "cgroup.events")).get("frozen") == 1
        except FileNotFoundError:
            return False

    # -- ending -----------------------------------------------------------------------
    def kill_all(self, timeout: float = _WAIT) -> None:
        """SIGKILL every process and wait until none is left (OSError EBUSY after `timeout`).
        v2 with cgroup.kill (Linux 5.14) lets the kernel do it; otherwise, like runc's
        `signalAllProcesses`, the cgroup is frozen so nothing forks between listing and
        signalling, every process is signalled, then it is thawed so the kills take effect
        (also when it was paused)."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return
            if time.monotonic() > deadline:
                raise OSError(errno.EBUSY, f"processes {pids} outlived SIGKILL", self.dirs[0])
            self._signal_all()
            time.sleep(0.01)

    def _signal_all(self) -> None:
        kill_file = os.path.join(self.dirs[0], "cgroup.kill")
        if self.version == 2 and os.path.exists(kill_file):
            _write(kill_file, "1")
            return
        can_freeze = self.dir("freezer") is not None
        if can_freeze:
            try:
                self.freeze(timeout=1.0)
            except OSError:
                can_freeze = False   # dying processes may keep it FREEZING: signal anyway
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if can_freeze or self.frozen():
            self.thaw()

    def remove(self) -> None:
        """Kill every process, then rmdir each directory (sub-cgroups first). Removing a
        removed cgroup does nothing."""
        if any(os.path.isdir(d) for d in self.dirs):
            self.kill_all()
        for top in self.dirs:
            for place, _, _ in os.walk(top, topdown=False):
                _rmdir(place)

    # -- accounting -------------------------------------------------------------------
    def oom_killed(self) -> bool:
        """Whether the kernel's OOM killer has killed a process of this cgroup.

        v2: memory.events `oom_kill` > 0. v1: memory.oom_control `oom_kill` > 0 (Linux 4.13);
        older kernels lack that line, and then the answer is a heuristic: `under_oom` is 1
        or memory.failcnt > 0 — the latter also counts hitting the limit and reclaiming
        cache without a kill. False without a memory controller."""
        place = self.dir("memory")
        try:
            if self.version == 2:
                return _keyed(os.path.join(place, "memory.events")).get("oom_kill", 0) > 0
            if place is None:
                return False
            control = _keyed(os.path.join(place, "memory.oom_control"))
            if "oom_kill" in control:
                return control["oom_kill"] > 0
            return control.get("under_oom") == 1 or int(_read(os.path.join(place, "memory.failcnt"))) > 0
        except FileNotFoundError:
            return False

    def memory_usage(self) -> int | None:
        """Bytes of memory in use as `docker stats` shows it: usage minus inactive file cache
        (docker CLI `calculateMemUsageUnixNoCache`: v1 memory.usage_in_bytes minus
        total_inactive_file, v2 memory.current minus inactive_file). None without a memory
        controller."""
        place = self.dir("memory")
        if place is None:
            return None
        current, stat_key = (("memory.usage_in_bytes", "total_inactive_file") if self.version == 1
                             else ("memory.current", "inactive_file"))
        try:
            usage = int(_read(os.path.join(place, current)))
            inactive = _keyed(os.path.join(place, "memory.stat")).get(stat_key, 0)
        except FileNotFoundError:
            return None
        return usage - inactive if inactive < usage else usage


def _enable(place: str) -> None:
    """Enable the container controllers this v2 cgroup offers for its children, one at a
    time, so that one the kernel refuses does not block the others."""
    offered = _read(os.path.join(place, "cgroup.controllers")).split()
    for controller in _V2_CONTROLLERS:
        if controller in offered:
            try:
                _write(os.path.join(place, "cgroup.subtree_control"), "+" + controller)
            except OSError:
                pass   # then its limits are refused in create(), naming the controller


def _read(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read()


def _keyed(path: str) -> dict[str, int]:
    """A flat-keyed cgroup file ("key value" lines: memory.events, memory.stat, ...)."""
    return {k: int(v) for k, v in (line.split() for line in _read(path).splitlines() if line.strip())}


def _write(path: str, value: str) -> None:
    """One write(2) of `value`, as the kernel parses cgroup files; OSError names the file."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as err:
        raise OSError(err.errno, f"open for writing: {err.strerror}", path) from None
    try:
        os.write(fd, value.encode())
    except OSError as err:
        raise OSError(err.errno, f"write {value!r}: {err.strerror}", path) from None
    finally:
        os.close(fd)


def _rmdir(path: str) -> None:
    """rmdir a cgroup; EBUSY (processes still leaving) is retried for about a second,
    a missing directory is fine."""
    for attempt in range(100):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError as err:
            if err.errno != errno.EBUSY or attempt == 99:
                raise
            time.sleep(0.01)
