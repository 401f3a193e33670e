"""What a simulated program sees while it runs: the union view, its environment, its
file descriptors and its own clock.

A `Run` is one simulated process tree (a container's main process or an `exec`): it
collects the output written to the terminal with the time offset at which it was
written. A `Ctx` is one program invocation inside it (argv, env, cwd, fds). Programs
are functions `(ctx) -> exit status` registered by name in `programs/__init__.py`.
"""

from __future__ import annotations

import errno
import posixpath
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ....model.fs import FSError, UnionFS
from ....model.layer import Kind, normpath

FOREVER = float("inf")


class Forever(Exception):
    """The process blocks for good (`sleep infinity`, a server's accept loop).

    `interruptible`: a signal handler can run while it blocks (a shell loop of short
    sleeps, `wait`), rather than only after a foreground child ends (busybox ash runs
    a trap only once the foreground command returns).
    """

    def __init__(self, interruptible: bool = False):
        super().__init__("runs forever")
        self.interruptible = interruptible


class Polling(Forever):
    """The process waits for the files to change (a shell loop that came back to the
    same state); `waiting`, when set, is plain data with which the backend runs it again.

    While the exception climbs out, each construct that runs its parts in sequence (or
    execs another program) calls `left()`: it appends what it still has to run to `rest`
    and moves `at` to itself. Any other construct (a pipeline, `&&`, a subshell, a
    program that runs a child) leaves `at` alone, so the one above it sees that the
    process cannot be continued from `rest`.
    """

    def __init__(self, at: object, rest: list, since: float):
        super().__init__(interruptible=True)
        self.at = at
        self.rest = rest
        self.since = since   # seconds from the run's start since which it has been waiting
        self.waiting: object | None = None

    def left(self, child: object, parent: object, rest=()) -> None:
        """The exception leaves `child`, which `parent` runs with `rest` after it."""
        if self.at is child:
            self.at = parent
            self.rest.extend(rest)


class ExitShell(Exception):
    """`exit N` (or a fatal shell error): leave the shell or subshell with `code`."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class Sink:
    """Where a file descriptor's writes go."""

    def write(self, text: str) -> None:
        raise NotImplementedError


class Terminal(Sink):
    """The container's stdout or stderr: text is logged with the writer's time offset."""

    def __init__(self, run: "Run", stream: str):
        self.run, self.stream = run, stream

    def write(self, text: str) -> None:
        if text:
            self.run.log(self.stream, text)


class Buffer(Sink):
    """A pipe or a command substitution: text is kept for the reader."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


class StdinText(Sink):
    """fd 0 read from a pipe or a file: the text the command reads (`read` consumes it)."""

    def __init__(self, text: str):
        self.content = text

    def write(self, text: str) -> None:
        pass


class Null(Sink):
    def write(self, text: str) -> None:
        pass


class FileSink(Sink):
    """A regular file opened for writing (`>` truncates once at open, then appends)."""

    def __init__(self, ctx: "Ctx", path: str):
        self.ctx, self.path = ctx, path

    def write(self, text: str) -> None:
        if text:
            self.ctx.fs.write(self.path, encode(text), append=True, uid=self.ctx.uid, gid=self.ctx.gid)


DEVICES = {"/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/stdout", "/dev/stderr",
           "/dev/stdin", "/dev/tty", "/dev/full"}


@dataclass
class Run:
    """One simulated process tree: its view, its clock offset and what it printed."""

    fs: UnionFS
    started: datetime
    output: list[tuple[float, str, str]] = field(default_factory=list)
    time: float = 0.0
    memory: int = 0
    pid1: bool = True
    # signal name -> exit status after handling it (None: it goes on); what the handler prints (offsets
    # from the signal). `handlers_always`: the handlers also act while blocked in a
    # foreground child (servers), not only in an interruptible wait.
    handlers: dict[str, int | None] = field(default_factory=dict)
    signal_output: dict[str, list[tuple[float, str, str]]] = field(default_factory=dict)
    handlers_always: bool = False

    def log(self, stream: str, text: str) -> None:
        if self.output and self.output[-1][0] == self.time and self.output[-1][1] == stream:
            self.output[-1] = (self.time, stream, self.output[-1][2] + text)
        else:
            self.output.append((self.time, stream, text))

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass; a sleep that would end after the last date the clock can
        represent (year 9999) never ends, like `sleep infinity`."""
        try:
            self.started + timedelta(seconds=self.time + seconds)
        except OverflowError:
            raise Forever() from None
        self.time += seconds


@dataclass
class Ctx:
    """One program invocation: argv, exported environment, cwd, user and fds 0-2."""

    run: Run
    argv: list[str]
    env: dict[str, str]
    cwd: str
    uid: int = 0
    gid: int = 0
    stdin: str = ""
    fds: dict[int, Sink] = field(default_factory=dict)

    @property
    def fs(self) -> UnionFS:
        return self.run.fs

    @property
    def name(self) -> str:
        return posixpath.basename(self.argv[0])

    def out(self, text: str) -> None:
        self.fds[1].write(text)

    def err(self, text: str) -> None:
        self.fds[2].write(text)

    def fail(self, message: str, code: int = 1) -> int:
        """Print `<prog>: <message>` to stderr, as busybox applets do, and return `code`."""
        self.err(f"{self.name}: {message}\n")
        return code

    def path(self, name: str) -> str:
        """An absolute, normalised path for `name` relative to cwd."""
        return normpath(name if name.startswith("/") else posixpath.join(self.cwd, name))

    def read(self, name: str) -> str:
        """A file's text; `-` is stdin. Raises FSError."""
        if name == "-" or name in ("/dev/stdin",):
            return self.stdin
        path = self.path(name)
        if path in ("/dev/null", "/dev/full"):
            return ""
        if path in ("/dev/zero", "/dev/urandom", "/dev/random"):
            raise EndlessInput(path)
        return decode(self.fs.read(path))

    def sink(self, name: str, append: bool = False) -> Sink:
        """Open a file for writing (creating/truncating it). Raises FSError."""
        path = self.path(name)
        if path in ("/dev/null", "/dev/zero", "/dev/full"):
            return Null()
        if path == "/dev/stdout":
            return self.fds[1]
        if path == "/dev/stderr":
            return self.fds[2]
        real = self.fs.resolve(path)
        entry = self.fs.get(real)
        if entry is not None and entry.kind is Kind.DIR:
            raise FSError(errno.EISDIR, path)
        if entry is None or not append:
            self.fs.write(real, b"", uid=self.uid, gid=self.gid) if entry is None else self.fs.write(real, b"")
        return FileSink(self, real)

    def is_device(self, name: str) -> bool:
        return self.path(name) in DEVICES

    def sleep(self, seconds: float) -> None:
        self.run.sleep(seconds)


class EndlessInput(Exception):
    """A read of /dev/zero or /dev/urandom: the reader gets as much as it asks for."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path
