"""The backend interface: snapshots (writable union views) and processes (tasks).

Snapshots follow containerd's snapshotter: `prepare(key, lower, layers)` makes a writable
view over a read-only tree, `get(key)` returns it, `commit(key)` freezes its upper into a
Layer, `remove(key)` forgets it.

Processes follow an OCI runtime (create+start, kill, pause/resume, state, delete) seen
from the daemon's side, as containerd reports them: `start` returns a `Task`; `signal`,
`freeze` and `thaw` act on it; `next_exit` tells the earliest exit among some tasks (the
runtime's exit events), waiting for it on a real clock or working it out on a virtual one.
The engine never asks how a process will behave, only what happened, so a backend whose
processes are real and one whose processes are simulated drive the same engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from ..model.fs import Observer, Tree, UnionFS
from ..model.layer import Entry, Layer


@dataclass(frozen=True)
class ProcessSpec:
    """What to run (OCI runtime-spec `process`): argv, env as `K=V` strings, cwd, user;
    stdin: all the text the process can read from its standard input (`run -i`)."""

    argv: tuple[str, ...]
    env: tuple[str, ...] = ()
    cwd: str = "/"
    user: str = ""
    init: bool = False          # `--init`: tini as PID 1 forwards signals to the command
    pid1: bool = True           # False for `exec`: a second process in a running container
    stdin: str = ""
    hostname: str = ""


@dataclass(frozen=True)
class Limits:
    """The container's cgroup limits (Docker's HostConfig): memory and memory_swap in bytes
    (0: none; memory_swap -1: unlimited swap), nano_cpus = `--cpus` x 1e9 (0: none), pids
    (0: none)."""

    memory: int = 0
    memory_swap: int = 0
    nano_cpus: int = 0
    pids: int = 0


@dataclass(frozen=True)
class Exit:
    """How a task ended: its status (128+N when signal N killed it), when, whether the
    OOM killer ended it, and whether a signal the engine sent caused it."""

    code: int
    at: datetime
    oom: bool = False
    by_signal: bool = False


class Task(ABC):
    """A started process as the runtime reports it: its PID, when it started, what it wrote.
    `exit` is set once the engine has seen it end."""

    pid: int
    started: datetime
    exit: Exit | None = None

    @abstractmethod
    def output(self, until: datetime) -> list[tuple[datetime, str, str]]:
        """(time, stream, text) written up to `until`, in order; stream is stdout or stderr."""


class Backend(ABC):
    """What the engine needs from a place that holds filesystems and runs processes."""

    # How long the engine waits to see a process end after a signal other than SIGKILL
    # (0 where signals act at once; a real kernel delivers them asynchronously).
    signal_settle: float = 0.0

    @abstractmethod
    def prepare(self, key: str, lower: Tree, observe: Observer | None = None,
                layers: tuple[Layer, ...] = ()) -> UnionFS:
        """A writable view over `lower`, which is `layers` (base first) merged; raises
        KeyError if `key` exists."""

    @abstractmethod
    def get(self, key: str) -> UnionFS:
        """The view prepared under `key`."""

    def commit(self, key: str) -> Layer:
        """The view's upper as an immutable Layer (the view stays)."""
        return self.get(key).layer()

    @abstractmethod
    def remove(self, key: str) -> None:
        """Forget the view (its upper is gone)."""

    @abstractmethod
    def lay_over(self, key: str, wrap: Callable[[UnionFS], UnionFS]) -> None:
        """From now on `get(key)` is `wrap(view)`: the view with the container's mounts over
        it (engine/mounts.py `MountedFS`), which the processes see too."""

    def refresh(self, key: str) -> None:
        """Take in what processes did to the files of view `key` (a real backend reads its
        upper directory, and the view's observer hears of each change); nothing where the
        view already is what the processes see."""

    def set_hosts(self, key: str, hosts: Entry) -> None:
        """The runtime's /etc/hosts of view `key` for its next process (Docker writes it
        per start, outside the writable layer, so it never shows in diff or commit)."""
        view = self.get(key)
        lower = view.lower.child(Layer.of({"/etc/hosts": hosts}))
        for fs in (view, getattr(view, "root", None)):   # a MountedFS shares its root view's lower
            if fs is not None:
                fs.lower = lower

    def busybox_layer(self) -> Layer | None:
        """The layer of busybox:latest for this backend, when it needs its own (a real
        executable); None: the catalogue's."""
        return None

    # -- processes --------------------------------------------------------------------
    @abstractmethod
    def start(self, key: str, spec: ProcessSpec, limits: Limits = Limits()) -> Task:
        """Run `spec` in view `key` (spec.pid1: as the container's main process; else beside
        the running main process, as `docker exec`). Raises engine.errors.StartError
        (126/127/128) when the executable cannot be found or run, as runc would."""

    @abstractmethod
    def signal(self, task: Task, signal: str) -> bool:
        """Send `signal` (a name: "TERM") to the task; True if the process has a handler
        for it (it was caught), False if the default action applies."""

    @abstractmethod
    def freeze(self, task: Task) -> None:
        """Stop every process of the task's container (the cgroup freezer)."""

    @abstractmethod
    def thaw(self, task: Task) -> None:
        """Let the task's container run again."""

    @abstractmethod
    def next_exit(self, tasks: list[Task], until: datetime | None) -> tuple[Task, Exit] | None:
        """The earliest exit among `tasks` at or before `until` (None: no limit), or None if
        none of them ends by then. A real backend waits (at most until `until`); a simulated
        one works it out. Ties go to the task listed first."""

    def watch(self, task: Task, seconds: float) -> int | None:
        """Wait up to `seconds` (real time) for `task` to end, without acting on its end (the
        engine that next loads the state does): its exit status, or None if it still runs.
        Only backends whose processes are real can be watched this way."""
        raise NotImplementedError(f"{type(self).__name__} has no real processes to watch")

    def ends(self, task: Task) -> bool:
        """False when `task` surely never ends by itself (a simulated process blocked for
        good); a real process might always end."""
        return True

    def files_changed(self, task: Task) -> bool | None:
        """The files `task` sees may have changed (`exec`, `cp`): None if that changes
        nothing it does; else whether it now ends by itself. Real processes look by
        themselves: None."""
        return None
