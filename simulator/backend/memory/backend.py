"""`MemoryBackend`: snapshots as in-memory union views, processes as simulated programs.

Snapshots are `UnionFS` objects kept by key (containerd's snapshotter: prepare / get /
commit / remove). `run_process` resolves the executable as runc does (moby 20.10 with runc
1.1: `libcontainer/standard_init_linux.go` -> Go's `exec.LookPath`) and runs the
simulated program. Simplification: a simulated process does all its filesystem work
when it starts; its output carries time offsets so that logs show it at the right time.
A shell that settles in a loop polling the files keeps a `Waiting` description, and
`resume_process` runs it again from that loop once the files may have changed.
"""

from __future__ import annotations

import posixpath
from typing import Callable

from ...engine.errors import StartError
from ...model.clock import VirtualClock
from ...model.fs import Observer, Tree, UnionFS
from ...model.layer import normpath
from ..base import ProcessSpec
from ..simulated import Process, SimulatedBackend
from .programs import DEFAULT_PATH, execute, find_command, is_executable
from .programs.runtime import Ctx, ExitShell, Forever, Polling, Run, Terminal
from .programs.users import UnknownUser, exec_user, home
from .shell import Waiting, resume_sh

# What containerd + runc add around an exec failure (as recorded from Docker 20.10).
RUNTIME_ERROR = ("failed to create shim task: OCI runtime create failed: runc create failed: "
                 "unable to start container process: {detail}: unknown")


def runtime_error(detail: str, exit_code: int) -> StartError:
    return StartError(RUNTIME_ERROR.format(detail=detail), exit_code)


class MemoryBackend(SimulatedBackend):
    """Union views in memory and simulated processes on a virtual clock.

    clock: gives the start instant of processes (for `date` and log timestamps) and
    file mtimes; the engine passes its own.
    """

    def __init__(self, clock: VirtualClock | None = None):
        self.clock = clock or VirtualClock()
        self.views: dict[str, UnionFS] = {}

    def _mtime(self) -> int:
        return int(self.clock.now().timestamp())

    def prepare(self, key: str, lower: Tree, observe: Observer | None = None, layers=()) -> UnionFS:
        if key in self.views:
            raise KeyError(f"snapshot {key} already exists")
        view = UnionFS(lower, now=self._mtime, observe=observe)
        self.views[key] = view
        return view

    def get(self, key: str) -> UnionFS:
        return self.views[key]

    def remove(self, key: str) -> None:
        self.views.pop(key, None)

    def lay_over(self, key, wrap) -> None:
        if key in self.views:
            self.views[key] = wrap(self.views[key])

    def run_process(self, key: str, spec: ProcessSpec) -> Process:
        """Run `spec` in view `key`; StartError 128 (unknown user or group), 127 (not found) or
        126 (not executable)."""
        fs = self.get(key)
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in spec.env)
        argv0 = spec.argv[0] if spec.argv else ""
        try:   # the daemon looks the user up while it writes the OCI spec, before runc runs
            uid, gid = exec_user(fs, spec.user)
        except UnknownUser as err:
            raise StartError(str(err), 128) from None
        path = self.lookup(fs, argv0, env.get("PATH", DEFAULT_PATH), spec.cwd)
        if not env.get("HOME"):   # runc setupUser: HOME from the user's passwd entry
            env["HOME"] = home(fs, uid)
        run = Run(fs, self.clock.now(), pid1=spec.pid1 and not spec.init)
        ctx = Ctx(run, list(spec.argv), env, normpath(spec.cwd or "/"), uid, gid, spec.stdin,
                  {1: Terminal(run, "stdout"), 2: Terminal(run, "stderr")})
        return self.run(ctx, lambda: execute(ctx, path))

    def resume_process(self, key: str, process: Process, elapsed: float) -> Process | None:
        """Run a shell waiting in a polling loop again from that loop, on the view as it is
        now, `elapsed` seconds after the process started (not before the loop settled).
        The result keeps what it printed so far and is measured from the same start."""
        waiting = process.waiting
        if not isinstance(waiting, Waiting):
            return None
        run = Run(self.get(key), self.clock.now(), pid1=waiting.pid1)
        ctx = Ctx(run, list(waiting.argv), dict(waiting.env), waiting.cwd, waiting.uid, waiting.gid,
                  waiting.stdin, {1: Terminal(run, "stdout"), 2: Terminal(run, "stderr")})
        after = self.run(ctx, lambda: resume_sh(ctx, waiting))
        shift = max(elapsed, waiting.since)
        after.output = process.output + [(shift + at, stream, text) for at, stream, text in after.output]
        after.runs_for = None if after.runs_for is None else shift + after.runs_for
        after.memory = max(after.memory, process.memory)
        if isinstance(after.waiting, Waiting):
            after.waiting.since += shift
        return after

    @staticmethod
    def lookup(fs: UnionFS, argv0: str, path_var: str, cwd: str) -> str:
        """The executable's path, or the StartError runc gives."""
        if "/" not in argv0:
            found = find_command(fs, argv0, path_var, cwd)
            if found is None or not found[1]:
                raise runtime_error(f'exec: "{argv0}": executable file not found in $PATH', 127)
            return found[0]
        path = normpath(argv0 if argv0.startswith("/") else posixpath.join(cwd, argv0))
        ok = is_executable(fs, path)
        if ok is None:
            raise runtime_error(f'exec: "{argv0}": stat {argv0}: no such file or directory', 127)
        if not ok:
            raise runtime_error(f'exec: "{argv0}": permission denied', 126)
        return path

    @staticmethod
    def run(ctx: Ctx, program: Callable[[], int]) -> Process:
        """Run `program` (the program of `ctx`) to its end, or until it blocks, and describe it."""
        run = ctx.run
        proc = Process()
        try:
            proc.exit_code = program() & 0xFF
            proc.runs_for = run.time
        except ExitShell as e:
            proc.exit_code = e.code & 0xFF
            proc.runs_for = run.time
        except Forever as blocked:
            proc.runs_for = None
            proc.handlers = dict(run.handlers) if blocked.interruptible or run.handlers_always else {}
            proc.signal_output = dict(run.signal_output)
            if isinstance(blocked, Polling) and blocked.at is ctx:
                proc.waiting = blocked.waiting
        proc.output = run.output
        proc.memory = run.memory
        return proc
