"""`LinuxBackend`: the engine's snapshots and processes on the real kernel.

State root (default /var/lib/simulator; one engine per root):

    layers/, snapshots/             the overlay snapshotter (snapshots.py)
    containers/<key>/hosts          the runtime's /etc/hosts, bind-mounted per start
    containers/<key>/tasks/<n>/     one process: its shim's pid and exit files, its log

A container's rootfs is an overlay mount over its image's layers (top first) and its init
layer; the engine keeps working on the model view of it (`SyncedView`), pushed to the
mount before a process starts or is waited for and pulled back before the engine reads.
Processes run under a shim in new mount, PID, UTS, IPC and network namespaces, in a
cgroup with the container's limits (shim.py, cgroups.py); the engine learns of their ends
from the shims' exit files. Time is the host's (`RealClock`).

Volumes and bind mounts are real folders bind-mounted into the container, each synced
with its model store like a snapshot (a bind mount's store is the model's copy of the host
folder, so the host folder itself is never written, as on the in-memory backend):

    volumes/<name>, binds/<sha256 of the source path>

Simplification (docs/fidelity.md): the network namespace holds only `lo` (no bridge, no
published ports).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal as _signal
import time
from copy import deepcopy
from datetime import datetime, timezone

from ...engine.errors import Conflict, StartError
from ...model.clock import RealClock
from ...model.fs import Observer, Tree, UnionFS
from ...model.layer import Content, Entry, Layer
from ..base import Backend, Exit, Limits, ProcessSpec, Task
from ..memory.programs.users import UnknownUser, exec_user, home, member_of
from . import shim
from .cgroups import Cgroups
from .cgroups import Limits as CgroupLimits
from .snapshots import LinuxSnapshots
from .sync import SyncedView

DEFAULT_ROOT = "/var/lib/simulator"
BUSYBOX = "/usr/bin/busybox"
DOCKER_INIT = "/usr/bin/docker-init"
HANDLER_GRACE = 0.25   # seconds after its start before a process is signalled
SETTLE = 1.0           # seconds `start` waits at most for a new container to settle


class LinuxTask(Task):
    """A real process: its shim handle, the cgroup of its container (main process only),
    and its json-file log read back for `output`."""

    def __init__(self, key: str, handle, started: datetime, cgroup=None):
        self.key = key
        self.handle = handle
        self.pid = handle.pid
        self.started = started
        self.cgroup = cgroup
        self.exit: Exit | None = None
        self.signalled = False
        self._lines: list[tuple[datetime, str, str]] = []
        self._offset = 0

    def output(self, until: datetime) -> list[tuple[datetime, str, str]]:
        self._read_log()
        return [line for line in self._lines if line[0] <= until]

    def _read_log(self) -> None:
        try:
            with open(self.handle.log_path, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1    # a line the shim is still writing waits for next time
        for raw in data[:end].splitlines():
            record = json.loads(raw)
            self._lines.append((parse_rfc3339(record["time"]), record["stream"], record["log"]))
        self._offset += end

    def __getstate__(self):
        state = dict(self.__dict__)
        state["handle"] = self.handle.state_dir
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.handle = shim.Task.attach(state["handle"])


class LinuxBackend(Backend):
    """Snapshots as overlay mounts and processes as namespaced, cgrouped real processes under
    `root`. Raises ExecutorUnavailable (one line: why, what to do) when the host cannot
    (not root, no overlayfs, no cgroups). Whatever an earlier engine on the same root
    left behind and no longer knows (after a crash) is removed when it starts."""

    signal_settle = 1.0

    def __init__(self, root: str = DEFAULT_ROOT):
        self.clock = RealClock()
        self.root = os.path.realpath(root)
        self.views: dict[str, SyncedView] = {}
        self.tasks: dict[str, LinuxTask] = {}      # key -> its main process
        self.mounted: dict[str, UnionFS] = {}      # key -> its view with mounts over it
        self.mount_dirs: dict[str, SyncedView] = {}   # host folder -> a mount's store
        self.detached = False     # a trace snapshot's copy: reads its views, touches nothing
        self._open()
        self.reconcile()

    def _open(self) -> None:
        self.snapshots = LinuxSnapshots(self.root)
        self.cgroups = Cgroups("simulator-" + hashlib.sha256(self.root.encode()).hexdigest()[:12])
        os.makedirs(self._containers(), exist_ok=True)

    def __deepcopy__(self, memo):
        """A frozen copy, as a trace snapshot wants it: the model views as the kernel has them
        now. It only reads: `get` returns its own views and never touches the mounts."""
        if not self.detached:
            for key in self.views:
                self.get(key)
        copy = object.__new__(type(self))
        memo[id(self)] = copy
        copy.__dict__.update({k: deepcopy(v, memo) for k, v in self.__dict__.items()
                              if k not in ("snapshots", "cgroups")})
        copy.snapshots = copy.cgroups = None
        copy.detached = True
        return copy

    def __getstate__(self):
        state = dict(self.__dict__)
        del state["snapshots"], state["cgroups"]
        state.pop("_busybox", None)   # read again from the host when needed
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._open()
        self.reconcile()

    def _live(self) -> None:
        if self.detached:
            raise RuntimeError("this is a trace snapshot of a Linux engine: its state can be read, "
                               "but only the live engine runs containers")

    def _containers(self, *parts: str) -> str:
        return os.path.join(self.root, "containers", *parts)

    # -- snapshots --------------------------------------------------------------------
    def prepare(self, key: str, lower: Tree, observe: Observer | None = None,
                layers: tuple[Layer, ...] = ()) -> UnionFS:
        self._live()
        if key in self.views:
            raise KeyError(f"snapshot {key} already exists")
        merged = self.snapshots.prepare(key, list(layers))
        fs = UnionFS(lower, now=lambda: int(self.clock.now().timestamp()), observe=observe)
        self.views[key] = SyncedView(fs, merged, os.path.join(os.path.dirname(merged), "fs"))
        os.makedirs(self._containers(key, "tasks"), exist_ok=True)
        return fs

    def get(self, key: str) -> UnionFS:
        if self.detached:
            return self.mounted.get(key, self.views[key].fs)
        fs = self.views[key].sync()
        for view, _, _ in self._mounts(key):
            view.sync()
        return self.mounted.get(key, fs)

    def refresh(self, key: str) -> None:
        if key in self.views:
            self.get(key)

    def lay_over(self, key, wrap) -> None:
        self.mounted[key] = wrap(self.views[key].fs)

    def _mounts(self, key: str) -> list[tuple[SyncedView, str, bool]]:
        """The container's mounts as (synced folder, destination, read-only), made on first use."""
        out = []
        for mount in getattr(self.mounted.get(key), "mounts", ()):
            name = mount.name if mount.kind == "volume" else hashlib.sha256(mount.source.encode()).hexdigest()
            folder = os.path.join(self.root, "volumes" if mount.kind == "volume" else "binds", name)
            # a bind mount's store is a folder of the simulated host (engine/volumes.py _Subtree)
            store, prefix = getattr(mount.fs, "host", mount.fs), getattr(mount.fs, "folder", "")
            view = self.mount_dirs.get(folder)
            if view is None or view.fs is not store:
                os.makedirs(folder, exist_ok=True)
                view = self.mount_dirs[folder] = SyncedView(store, folder, folder, synced={}, prefix=prefix)
            out.append((view, mount.destination, not mount.rw))
        return sorted(out, key=lambda m: m[1].count("/"))

    def remove(self, key: str) -> None:
        self._live()
        view = self.views.pop(key, None)
        self.mounted.pop(key, None)
        task = self.tasks.pop(key, None)
        if task is not None:
            self._finish(task)
        if view is not None:
            self.snapshots.remove(key)
        shutil.rmtree(self._containers(key), ignore_errors=True)

    def set_hosts(self, key: str, hosts: Entry) -> None:
        self._live()
        super().set_hosts(key, hosts)
        with open(self._containers(key, "hosts"), "wb") as f:
            f.write(hosts.content.read())

    def busybox_layer(self) -> Layer:
        if getattr(self, "_busybox", None) is None:
            self._busybox = host_busybox()
        return self._busybox

    # -- processes --------------------------------------------------------------------
    def start(self, key: str, spec: ProcessSpec, limits: Limits = Limits()) -> LinuxTask:
        self._live()
        view = self.views[key]
        fs = self.get(key)
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in spec.env)
        try:   # the daemon looks the user up while it writes the OCI spec, before runc runs
            uid, gid = exec_user(fs, spec.user)
        except UnknownUser as err:
            raise StartError(str(err), 128) from None
        gids = tuple(member_of(fs, uid, gid))   # runc: the primary group, then the groups listing the user
        if not env.get("HOME"):   # runc setupUser: HOME from the user's passwd entry
            env["HOME"] = home(fs, uid)
        state_dir = _new_task_dir(self._containers(key, "tasks"))
        hosts = self._containers(key, "hosts")
        binds = [(m.merged, dest, ro) for m, dest, ro in self._mounts(key)]
        if os.path.exists(hosts):
            binds.append((hosts, "/etc/hosts", False))
        argv = list(spec.argv)
        if spec.init:   # moby: the host's docker-init (tini) bind-mounted as /sbin/docker-init, then `--`
            binds.append((DOCKER_INIT, "/sbin/docker-init", True))
            argv = ["/sbin/docker-init", "--", *argv]
        launch = shim.Launch(
            rootfs=view.merged, argv=argv, env=[f"{k}={v}" for k, v in env.items()],
            cwd=spec.cwd or "/", uid=uid, gid=gid, additional_gids=gids, hostname=spec.hostname or key[:12], binds=binds,
            stdin=spec.stdin.encode() if spec.stdin else None,
            state_dir=state_dir, log_path=os.path.join(state_dir, "log.json"))
        started = self.clock.now()
        if not spec.pid1:
            try:
                return LinuxTask(key, shim.exec_in(self.tasks[key].handle, launch), started)
            except ProcessLookupError:   # its main process ended a moment ago
                raise Conflict(f"Container {key} is not running") from None
        cgroup = self.cgroups.create(key, CgroupLimits(limits.memory, limits.memory_swap, limits.pids,
                                                       limits.nano_cpus))
        launch.cgroup_procs = cgroup.procs_files()
        try:
            handle = shim.start(launch)
        except BaseException:
            cgroup.remove()
            raise
        task = LinuxTask(key, handle, started, cgroup)
        self.tasks[key] = task
        self._settle(task)
        return task

    def _settle(self, task: LinuxTask) -> None:
        """Wait until the new container's processes are all asleep (blocked in the kernel)
        or gone, for at most SETTLE seconds: a command that ends at once has then ended
        when `start` returns, as the daemon's slower start makes it look on Docker."""
        deadline = time.monotonic() + SETTLE
        quiet = 0
        while time.monotonic() < deadline and task.handle.poll() is None:
            states = [_state(pid) for pid in task.cgroup.pids()]
            quiet = quiet + 1 if states and all(s in "SDTtZI" for s in states) else 0
            if quiet == 2:
                return
            time.sleep(0.005)

    def signal(self, task: LinuxTask, signal: str) -> bool:
        self._live()
        number = getattr(_signal, "SIG" + signal, None) or int(signal)
        # A program installs its handlers a few milliseconds after exec, and PID 1 drops a
        # signal it has no handler for: give a process that young time to be ready, as
        # Docker's own slower start (~200 ms) does.
        age = (self.clock.now() - task.started).total_seconds()
        if age < HANDLER_GRACE and not _caught(task.pid, number):
            self.clock.advance(HANDLER_GRACE - age)
        handled = number != _signal.SIGKILL and _caught(task.pid, number)
        task.signalled = True
        task.handle.signal(number)
        return handled

    def freeze(self, task: LinuxTask) -> None:
        self._live()
        self.tasks[task.key].cgroup.freeze()

    def thaw(self, task: LinuxTask) -> None:
        self._live()
        self.tasks[task.key].cgroup.thaw()

    def next_exit(self, tasks, until):
        self._live()
        for key in {t.key for t in tasks}:
            if key in self.views:      # what `cp` wrote reaches the processes
                self.views[key].push()
                for view, _, _ in self._mounts(key):
                    view.push()
        while True:
            ended = [t for t in tasks if t.exit is not None or self._poll(t)]
            if ended:
                first = min(ended, key=lambda t: t.exit.at)
                return first, first.exit
            now = self.clock.now()
            if until is not None and now >= until:
                return None
            shim.wait_any([t.handle for t in tasks],
                          None if until is None else (until - now).total_seconds())

    def watch(self, task: LinuxTask, seconds: float) -> int | None:
        shim.wait_any([task.handle], seconds)
        ended = task.handle.poll()
        return None if ended is None else ended.code

    def _poll(self, task: LinuxTask) -> bool:
        ended = task.handle.poll()
        if ended is None:
            return False
        oom = False
        if task.cgroup is not None:
            oom = task.cgroup.oom_killed()
            task.cgroup.remove()       # what the main process left (its PID namespace is gone too)
            task.cgroup = None
        lines = task.output(datetime.max.replace(tzinfo=timezone.utc))   # all of it now: `--rm` removes it next
        # the shim stamps a line when it reads it, which may be just after it saw the exit
        at = max([datetime.fromtimestamp(ended.finished, timezone.utc)] + [line[0] for line in lines[-1:]])
        task.exit = Exit(ended.code, at, oom, task.signalled)
        return True

    def _finish(self, task: LinuxTask) -> None:
        """Make sure the task and its container's processes are gone (SIGKILL, then reap)."""
        if task.exit is None:
            task.handle.signal(_signal.SIGKILL)
            task.handle.wait(None)
            self._poll(task)
        if task.cgroup is not None:
            task.cgroup.remove()

    # -- leftovers --------------------------------------------------------------------
    def reconcile(self) -> None:
        """Remove what this root holds that the engine does not know: snapshots and container
        folders without a view (a crash between the engine's saves), their shims' processes,
        and cgroups without a live main process."""
        for key in self.snapshots.keys():
            if key not in self.views:
                _kill_shims(self._containers(key))
                self.snapshots.remove(key)
        for key in os.listdir(self._containers()):
            if key not in self.views:
                _kill_shims(self._containers(key))
                shutil.rmtree(self._containers(key), ignore_errors=True)
        live = {task.cgroup.name for task in self.tasks.values() if task.cgroup is not None}
        self.cgroups.cleanup(keep=live)

    def reset(self) -> None:
        """Kill every process, unmount everything and delete the whole state root."""
        self._live()
        for key in list(self.views):
            self.remove(key)
        self.views.clear()
        self.tasks.clear()
        self.reconcile()
        self.cgroups.cleanup()
        self.snapshots.cleanup()


def _new_task_dir(tasks: str) -> str:
    """A new numbered folder under `tasks` (1, 2, ...: the next after the highest there, so an
    engine whose state was not saved never reuses one)."""
    numbers = [int(name) for name in os.listdir(tasks) if name.isdigit()]
    n = max(numbers, default=0) + 1
    while True:
        try:
            os.mkdir(os.path.join(tasks, str(n)))
            return os.path.join(tasks, str(n))
        except FileExistsError:
            n += 1


def parse_rfc3339(text: str) -> datetime:
    """A json-file log time (Go's RFC3339Nano in UTC: "...T12:00:00.5Z", the fraction's
    trailing zeros dropped, none when whole) to microseconds."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    at = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return at.replace(microsecond=int((fraction + "000000")[:6]))


def host_busybox() -> Layer:
    """busybox:latest's one layer with the host's static busybox as /bin/busybox (the file
    list of ../shared/tools/busybox-rootfs.sh, as in the in-memory catalogue)."""
    from ..memory.catalogue import busybox
    with open(BUSYBOX, "rb") as f:
        return busybox.layer(Content.of(f.read()))


def _state(pid: int) -> str:
    """The state letter of process `pid` (proc(5) stat field 3; "Z" once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return "Z"


def _caught(pid: int, number: int) -> bool:
    """Whether process `pid` takes signal `number`: a handler (SigCgt), or blocked to be waited
    for (SigBlk: tini's sigtimedwait); either way it is not dropped (proc(5))."""
    masks = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(("SigCgt:", "SigBlk:")):
                    masks[line[:6]] = int(line.split()[1], 16)
    except OSError:
        return False
    return bool((masks.get("SigCgt", 0) | masks.get("SigBlk", 0)) >> (number - 1) & 1)


def _kill_shims(folder: str) -> None:
    """SIGKILL the processes of every task recorded under a container folder."""
    tasks = os.path.join(folder, "tasks")
    if not os.path.isdir(tasks):
        return
    for name in sorted(os.listdir(tasks)):
        handle = shim.Task.attach(os.path.join(tasks, name))
        if handle is not None and handle.alive():
            handle.signal(_signal.SIGKILL)
            handle.wait(5)
