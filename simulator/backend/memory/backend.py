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

import errno
import posixpath
from typing import Callable

from ...engine.errors import StartError
from ...model.clock import VirtualClock
from ...model.fs import FSError, Observer, Tree, UnionFS
from ...model.layer import Kind, normpath
from ..base import ProcessSpec
from ..simulated import Process, SimulatedBackend
from ..start_errors import CHDIR_FAILED, INIT, go_errno, start_error
from .programs import DEFAULT_PATH, execute, find_command
from .programs.runtime import Ctx, ExitShell, Forever, Polling, Run, Terminal
from .programs.users import UnknownUser, exec_user, home
from .shell import Waiting, resume_sh


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
        """Run `spec` in view `key` (`spec.pid1` False: `docker exec`). StartError: 128 for an
        unknown user or group (the daemon's refusal, before runc), else runc's failure as
        `start_errors.start_error` reports it (127 not found, 126 not executable; 126
        whatever failed for an exec)."""
        fs = self.get(key)
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in spec.env)
        argv0 = spec.argv[0] if spec.argv else ""
        cwd = spec.cwd or "/"
        if spec.pid1:
            self.make_cwd(fs, cwd)
        try:   # the daemon looks the user up while it writes the OCI spec, before runc runs
            uid, gid = exec_user(fs, spec.user)
        except UnknownUser as err:
            raise StartError(str(err), 128) from None
        if not spec.pid1:
            self.enter_cwd(fs, cwd)
        path = self.lookup(fs, argv0, env.get("PATH", DEFAULT_PATH), cwd, in_exec=not spec.pid1)
        if not env.get("HOME"):   # runc setupUser: HOME from the user's passwd entry
            env["HOME"] = home(fs, uid)
        run = Run(fs, self.clock.now(), pid1=spec.pid1 and not spec.init)
        ctx = Ctx(run, list(spec.argv), env, normpath(cwd), uid, gid, spec.stdin,
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
    def make_cwd(fs: UnionFS, cwd: str) -> None:
        """A container's first process: its working directory is created if missing, as root,
        mode 0755 (runc 1.1 prepareRootfs `os.MkdirAll`; the daemon's SetupWorkingDirectory
        does the same at create). StartError 127 when a component is not a directory, named
        as Go's MkdirAll names it (the first one that exists and is no directory)."""
        try:
            fs.mkdir(cwd, 0o755, parents_too=True)
        except FSError as err:
            parts = [p for p in normpath(cwd).split("/") if p]
            prefixes = ["/" + "/".join(parts[:n]) for n in range(1, len(parts) + 1)]
            bad = next((p for p in prefixes if _kind(fs, p) not in (None, Kind.DIR)), cwd)
            raise start_error(f"{INIT}mkdir {bad}: {go_errno(err.code)}", False) from None

    @staticmethod
    def enter_cwd(fs: UnionFS, cwd: str) -> None:
        """`docker exec`: its working directory must exist (runc finalizeNamespace chdir, as
        root first, so permissions do not matter); the exec's StartError 126 otherwise."""
        try:
            code = None if fs.stat(cwd).kind is Kind.DIR else errno.ENOTDIR
        except FSError as err:
            code = err.code
        if code is not None:
            raise start_error(CHDIR_FAILED.format(cwd=cwd, reason=go_errno(code)), True)

    @staticmethod
    def lookup(fs: UnionFS, argv0: str, path_var: str, cwd: str, in_exec: bool = False) -> str:
        """The executable's path (Go 1.19 `exec.LookPath`, run by runc in the container),
        or the StartError runc's failure gives (`start_errors.start_error`)."""
        if "/" not in argv0:
            found = find_command(fs, argv0, path_var, cwd)
            if found is None or not found[1]:
                raise start_error(f'exec: "{argv0}": executable file not found in $PATH', in_exec)
            return found[0]
        path = normpath(argv0 if argv0.startswith("/") else posixpath.join(cwd, argv0))
        try:
            entry = fs.stat(path)
        except FSError as err:
            raise start_error(f'exec: "{argv0}": stat {argv0}: {go_errno(err.code)}', in_exec) from None
        if entry.kind is not Kind.FILE or not entry.mode & 0o111:   # Go: a directory or no x bit
            raise start_error(f'exec: "{argv0}": permission denied', in_exec)
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


def _kind(fs: UnionFS, path: str) -> Kind | None:
    """What `path` is after its symlinks, None when nothing is there."""
    try:
        return fs.stat(path).kind
    except FSError:
        return None
