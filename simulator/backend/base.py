"""The backend interface: snapshots (writable union views) and processes.

Snapshots follow containerd's snapshotter: `prepare(key, lower)` makes a writable view
over a read-only tree, `get(key)` returns it, `commit(key)` freezes its upper into a
Layer, `remove(key)` forgets it. Processes follow an OCI runtime: `start` runs a
command in a snapshot and returns a `Process`, which says what the process printed,
when it ends by itself and how it answers signals; `resume` works out again the future
of a process that waits for its files to change, once they may have.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from ..model.fs import Observer, Tree, UnionFS
from ..model.layer import Layer


@dataclass(frozen=True)
class ProcessSpec:
    """What to run (OCI runtime-spec `process`): argv, env as `K=V` strings, cwd, user;
    stdin: all the text the process can read from its standard input (`run -i`)."""

    argv: tuple[str, ...]
    env: tuple[str, ...] = ()
    cwd: str = "/"
    user: str = ""
    init: bool = False          # `--init`: tini as PID 1 forwards signals to the command
    pid1: bool = True           # False for `exec`: signals are not special
    stdin: str = ""


@dataclass
class Process:
    """A process as the engine sees it, measured from its start (seconds).

    output: (offset, stream, text) in the order written; stream is "stdout" or "stderr".
    runs_for: seconds until it exits by itself, or None if it runs until signalled.
    exit_code: its status when it exits by itself.
    handlers: signal name (e.g. "TERM") -> exit status after handling it, or None when
      the handler returns and the process goes on (a shell trap without `exit`). A signal with
      no handler kills the process (status 128+N), except for PID 1 in its PID
      namespace, which ignores it (KILL and STOP always act).
    memory: peak bytes it allocates (for `--memory` and the OOM killer).
    signal_output: signal name -> what its handler prints, as (offset from the signal,
      stream, text) (e.g. a shell trap's `echo caught TERM`).
    waiting: for a process that blocks until the files change (a shell loop polling for
      a file), the backend's plain-data description with which `Backend.resume` continues
      it; None otherwise.
    """

    output: list[tuple[float, str, str]] = field(default_factory=list)
    runs_for: float | None = 0.0
    exit_code: int = 0
    handlers: dict[str, int | None] = field(default_factory=dict)
    memory: int = 0
    signal_output: dict[str, list[tuple[float, str, str]]] = field(default_factory=dict)
    waiting: object | None = None


class Backend(ABC):
    """What the engine needs from a place that holds filesystems and runs processes."""

    @abstractmethod
    def prepare(self, key: str, lower: Tree, observe: Observer | None = None) -> UnionFS:
        """A writable view over `lower`; raises KeyError if `key` exists."""

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
    def start(self, key: str, spec: ProcessSpec) -> Process:
        """Run `spec` in the view `key`. Raises engine.errors.StartError (126/127/128)
        when the executable cannot be found or run, as runc would."""

    def resume(self, key: str, process: Process, elapsed: float) -> Process | None:
        """The files of view `key` may have changed `elapsed` seconds after `process`
        started: if it waits on them (`process.waiting`), its new future, measured from
        the same start (output so far kept); None if it does not wait on files."""
        return None
