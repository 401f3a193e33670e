"""Processes whose whole future is known when they start, on a virtual clock.

A simulated program runs to its end (or until it blocks) the moment it starts and is
described by a `Process`: what it printed at which offsets, when it ends by itself, how
it answers signals, how much memory it takes. `SimulatedBackend` turns those descriptions
into the runtime's view (`Task`, `next_exit`, `signal`, `freeze`/`thaw`), following the
kernel's rules: a signal without a handler kills a process (128+N), except PID 1 of a PID
namespace, which ignores it (pid_namespaces(7)); KILL and STOP always act; tini (`--init`)
forwards signals to a command that is not PID 1; a process above its memory limit is
ended by the OOM killer (SIGKILL, 137).
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..engine import signals
from .base import Backend, Exit, Limits, ProcessSpec, Task

KILL_EXIT = 128 + 9


@dataclass
class Process:
    """A simulated process, measured from its start (seconds).

    output: (offset, stream, text) in the order written; stream is "stdout" or "stderr".
    runs_for: seconds until it exits by itself, or None if it runs until signalled.
    exit_code: its status when it exits by itself.
    handlers: signal name (e.g. "TERM") -> exit status after handling it, or None when
      the handler returns and the process goes on (a shell trap without `exit`).
    memory: peak bytes it allocates (for `--memory` and the OOM killer).
    signal_output: signal name -> what its handler prints, as (offset from the signal,
      stream, text) (e.g. a shell trap's `echo caught TERM`).
    waiting: for a process that blocks until the files change (a shell loop polling for
      a file), the backend's plain-data description with which `resume` continues it.
    """

    output: list[tuple[float, str, str]] = field(default_factory=list)
    runs_for: float | None = 0.0
    exit_code: int = 0
    handlers: dict[str, int | None] = field(default_factory=dict)
    memory: int = 0
    signal_output: dict[str, list[tuple[float, str, str]]] = field(default_factory=dict)
    waiting: object | None = None


@dataclass(eq=False)
class SimulatedTask(Task):
    """A task whose `process` is known; `origin` is its start shifted by the time it spent
    frozen, so that offsets stay offsets of running time."""

    key: str
    spec: ProcessSpec
    process: Process
    started: datetime
    origin: datetime
    pid: int = 0
    exit: Exit | None = None
    frozen_since: datetime | None = None
    signalled: bool = False         # the exit now due was caused by a signal
    oom: bool = False               # the OOM killer ended it

    def output(self, until: datetime) -> list[tuple[datetime, str, str]]:
        last = min(until, self.exit.at) if self.exit else until
        limit = (last - self.origin).total_seconds() + 1e-6   # datetimes keep microseconds
        return [(self.origin + timedelta(seconds=offset), stream, text)
                for offset, stream, text in self.process.output if offset <= limit]

    def due(self) -> datetime | None:
        """When it ends by itself, or None (frozen, or it runs until signalled)."""
        if self.frozen_since is not None or self.process.runs_for is None:
            return None
        return self.origin + timedelta(seconds=self.process.runs_for)


class SimulatedBackend(Backend):
    """The process half of a backend whose programs are simulated. Subclasses give
    `run_process` (the program's whole future) and, for programs waiting on files,
    `resume_process`; `clock` is the engine's virtual clock."""

    clock = None
    _pids = 1000

    @abstractmethod
    def run_process(self, key: str, spec: ProcessSpec) -> Process:
        """Run `spec` in view `key` now; StartError when it cannot start."""

    def resume_process(self, key: str, process: Process, elapsed: float) -> Process | None:
        """A process waiting on files, run again `elapsed` seconds after it started."""
        return None

    def start(self, key: str, spec: ProcessSpec, limits: Limits = Limits()) -> SimulatedTask:
        process = self.run_process(key, spec)
        now = self.clock.now()
        pid = 0
        if spec.pid1:
            self._pids += 1
            pid = self._pids
        task = SimulatedTask(key, spec, process, now, now, pid)
        if limits.memory and process.memory > limits.memory:
            task.process = Process(output=process.output, runs_for=0.0, exit_code=KILL_EXIT)
            task.oom = True
        return task

    def signal(self, task: SimulatedTask, signal: str) -> bool:
        process = task.process
        handled = signal in process.handlers and signal != "KILL"
        if signal == "KILL":
            code = KILL_EXIT
        elif handled:
            now = self.clock.now()
            offset = (now - task.origin).total_seconds()
            process.output.extend((offset + at, stream, text)
                                  for at, stream, text in process.signal_output.get(signal, []))
            code = process.handlers[signal]
        elif signal in signals.IGNORED_BY_DEFAULT or signal == "STOP":
            code = None
        elif task.spec.init or not task.spec.pid1:
            code = 128 + signals.number(signal)   # not PID 1 (tini forwards it): it dies of it
        else:
            code = None                           # PID 1 without a handler: not delivered
        if code is not None:
            self.thaw(task)
            process.runs_for = (self.clock.now() - task.origin).total_seconds()
            process.exit_code = code
            task.signalled = True
        return handled

    def freeze(self, task: SimulatedTask) -> None:
        if task.frozen_since is None:
            task.frozen_since = self.clock.now()

    def thaw(self, task: SimulatedTask) -> None:
        if task.frozen_since is not None:
            task.origin += self.clock.now() - task.frozen_since
            task.frozen_since = None

    def next_exit(self, tasks, until):
        best = None
        for task in tasks:
            at = task.due()
            if at is not None and (until is None or at <= until) and (best is None or at < best[0]):
                best = (at, task)
        if best is None:
            return None
        at, task = best
        task.exit = Exit(task.process.exit_code, at, task.oom, task.signalled)
        return task, task.exit

    def ends(self, task: SimulatedTask) -> bool:
        return task.due() is not None

    def files_changed(self, task: SimulatedTask) -> bool | None:
        if task.exit is not None or task.frozen_since is not None:
            return None
        before = task.process
        elapsed = (self.clock.now() - task.origin).total_seconds()
        after = self.resume_process(task.key, before, elapsed)
        if after is None:
            return None
        task.process = after
        if after.runs_for is None and after.output == before.output:
            return None
        return after.runs_for is not None
