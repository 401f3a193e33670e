"""The docker CLI front end: command registry, dispatch, usage errors and error reporting.

A command module declares its commands with `@command(...)`; `run(engine, argv, ...)` parses
a docker command line the way docker/cli 20.10 does (cobra + pflag) and calls the command.
What the user sees follows docker/cli 20.10:

- flag errors: `<pflag message>\\nSee 'docker ps --help'.`, exit 125 (`cli/cobra.go` FlagErrorFunc);
- argument-count errors: `"docker rm" requires at least 1 argument.` + usage, exit 1 (`cli/required.go`);
- an unknown command: `docker: 'x' is not a docker command.\\nSee 'docker --help'`, exit 1;
- a daemon error (DockerError): `Error response from daemon: <message>`, exit 1; for `run` and
  `create`: `docker: Error response from daemon: <message>.\\nSee 'docker run --help'.`, exit 125
  (or the StartError's 126/127; `cli/command/container/run.go` reportError, runStartContainerErr);
  NotModified (HTTP 304) is success.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, TextIO

from ..engine.engine import Engine
from ..engine.errors import BuildError, DockerError, NotModified, StartError
from . import usage
from .flags import Flag, FlagError, HelpRequested, parse_flags

__all__ = ["command", "Flag", "Context", "UsageError", "Command", "run", "COMMANDS", "VERSION"]

VERSION = "Docker version 20.10.24, build simulator"

# Commands whose errors docker/cli reports as `docker: <error>.\nSee 'docker <name> --help'.`, exit 125.
_REPORTED_AS_DOCKER = ("run", "create")


class UsageError(Exception):
    """A command-line value a command rejects, printed like the docker CLI's usage errors.

    For most commands: `<message>\\nSee 'docker <command> --help'.`; for run/create:
    `docker: <message>.\\nSee 'docker run --help'.`. Exit status `status` (125, as docker's).
    """

    def __init__(self, message: str, status: int = 125):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Context:
    """What a command runs with.

    engine: the Engine. cwd: the directory relative paths resolve against (build contexts,
    `cp`, `-v`). out/err: write text to stdout/stderr (kept in order). path: the command as
    typed in canonical form, e.g. "docker container ls". stdin: the CLI's standard input
    (`run -i` passes it to the container), None when there is none (`play`, tests): empty
    and not a terminal. session: in `python -m simulator docker` mode, the command's hold on
    the state folder (`cli.state.Session`); an attached command may release it while it
    waits, after which `session.engine` is the engine to go on with.
    """

    engine: Any
    cwd: str
    out: Callable[[str], None]
    err: Callable[[str], None]
    path: str = "docker"
    stdin: TextIO | None = None
    session: Any = None      # docker mode's cli.state.Session: lets an attached command wait unlocked

    def stdin_bytes(self, limit: int = -1) -> bytes:
        """The standard input as bytes, at most `limit` of them (-1: all); empty when there is
        none (`play`, tests). A text stream without a byte buffer is encoded back losslessly."""
        if self.stdin is None:
            return b""
        raw = getattr(self.stdin, "buffer", None)
        return raw.read(limit) if raw is not None else self.stdin.read().encode("utf-8", "surrogateescape")


@dataclass
class Command:
    """A registered command: see `command` for the fields."""

    name: str
    aliases: tuple[str, ...]
    usage: str
    short: str
    args: tuple[int, int | None]
    flags: list[Flag]
    interspersed: bool
    func: Callable[..., int]

    def use_line(self, path: str) -> str:
        """The usage line for the command invoked as `path` ("docker container ls [OPTIONS]")."""
        return path + self.usage[len("docker " + self.name):]


@dataclass(frozen=True)
class _Entry:
    command: Command
    path: str                 # canonical path as docker names it: "docker container ls"
    aliases: list[str] = field(default_factory=list)   # the group's names for it, shown by --help


COMMANDS: dict[str, _Entry] = {}   # "ps", "container ls", "container list", ... -> entry


def command(name: str, *, usage: str, short: str, args: tuple[int, int | None] = (0, None),
            flags: list[Flag] | None = None, aliases: tuple[str, ...] = (),
            interspersed: bool = True):
    """Register a docker command.

    name: the top-level name ("ps"); aliases: management forms ("container ls", "container ps"),
    the first of each group being the name docker shows, in docker's order (`--help` lists them
    as docker does: "ls, ps, list"). usage: the usage line for `name` ("docker ps [OPTIONS]").
    args: (min, max) positional arguments, max None for unbounded. interspersed: False when flags
    end at the first positional argument (run, create, exec). The function is called as
    `func(ctx, opts, args) -> exit status`.
    """
    if not usage.startswith("docker " + name):
        raise ValueError("usage of %r must start with 'docker %s'" % (name, name))

    def register(func):
        cmd = Command(name, tuple(aliases), usage, short, args, list(flags or []), interspersed, func)
        COMMANDS[name] = _Entry(cmd, "docker " + name)
        groups: dict[str, list[str]] = {}
        for alias in aliases:
            group, sub = alias.split()
            groups.setdefault(group, []).append(sub)
        for group, subs in groups.items():
            entry = _Entry(cmd, "docker %s %s" % (group, subs[0]), subs if len(subs) > 1 else [])
            for sub in subs:
                COMMANDS["%s %s" % (group, sub)] = entry
        return func

    return register


def _plural(n: int) -> str:
    return "argument" if n == 1 else "arguments"


def _arity_error(cmd: Command, n: int) -> str | None:
    """cli/required.go: the message for `n` positional arguments, or None when fine."""
    lo, hi = cmd.args
    if hi == 0:
        return None if n == 0 else "accepts no arguments."
    if lo == hi:
        return None if n == lo else "requires exactly %d %s." % (lo, _plural(lo))
    if hi is None:
        return None if n >= lo else "requires at least %d %s." % (lo, _plural(lo))
    if lo == 0:
        return None if n <= hi else "requires at most %d %s." % (hi, _plural(hi))
    return None if lo <= n <= hi else "requires at least %d and at most %d %s." % (lo, hi, _plural(hi))


def _see(path: str) -> str:
    return "See '%s --help'.\n" % path


def _run_command(engine, entry: _Entry, argv: list[str], cwd: str, out, err, stdin=None, session=None) -> int:
    cmd, path = entry.command, entry.path
    try:
        opts, args = parse_flags(cmd.flags, argv, cmd.interspersed)
    except HelpRequested as h:
        if h.deprecated_h:
            out("Flag shorthand -h has been deprecated, please use --help\n")
        out(usage.command_help(cmd.use_line(path), cmd.short, entry.aliases, cmd.flags))
        return 0
    except FlagError as e:
        err("%s\n%s" % (e, _see(path)))
        return 125
    problem = _arity_error(cmd, len(args))
    if problem:
        err('"%s" %s\n%s\nUsage:  %s\n\n%s\n' % (path, problem, _see(path), cmd.use_line(path), cmd.short))
        return 1
    reported = cmd.name in _REPORTED_AS_DOCKER
    ctx = Context(engine, cwd, out, err, path, stdin, session)
    if isinstance(engine, Engine):
        engine.catch_up()
    try:
        return cmd.func(ctx, opts, args)
    except UsageError as e:
        if reported:
            err("docker: %s.\nSee 'docker %s --help'.\n" % (e.message.rstrip("."), cmd.name))
        else:
            err("%s\n%s" % (e.message, _see(path)))
        return e.status
    except NotModified:
        return 0
    except BuildError as e:
        err(e.message + "\n")
        return e.code
    except DockerError as e:
        if reported:
            err("docker: Error response from daemon: %s.\nSee 'docker %s --help'.\n"
                % (e.message.rstrip("."), cmd.name))
        else:
            err("Error response from daemon: %s\n" % e.message)
        if getattr(e, "note", ""):   # the simulator's own explanation, after Docker's error
            err(e.note + "\n")
        if reported:
            return e.exit_code if isinstance(e, StartError) else 125
        return 1


def _not_simulated(path: str, err) -> int:
    err("docker: '%s' is a docker command this simulator does not model (see docs/fidelity.md).\n" % path)
    return 1


def _run_group(engine, group: str, argv: list[str], cwd: str, out, err, stdin=None, session=None) -> int:
    if not argv or argv[0] in ("--help", "-h"):
        (out if argv else err)(usage.group_help(group))
        return 0
    sub = argv[0]
    if sub.startswith("-"):
        err("unknown flag: %s\n%s\n%s" % (sub.partition("=")[0], _see("docker " + group), usage.group_help(group)))
        return 125
    entry = COMMANDS.get("%s %s" % (group, sub))
    if entry is not None:
        return _run_command(engine, entry, argv[1:], cwd, out, err, stdin, session)
    if usage.docker_knows("%s %s" % (group, sub)):
        return _not_simulated("%s %s" % (group, sub), err)
    err(usage.group_help(group))
    return 1


def run(engine, argv: list[str], cwd: str, out: Callable[[str], None], err: Callable[[str], None],
        stdin: TextIO | None = None, session=None) -> int:
    """Run one docker command line (`argv` without the leading "docker"); return its exit status.
    `stdin`: the CLI's standard input, `session`: docker mode's hold on the state (see `Context`)."""
    try:
        opts, rest = parse_flags(usage.GLOBAL_FLAGS, argv, interspersed=False)
    except HelpRequested:
        out(usage.top_help())
        return 0
    except FlagError as e:
        err("%s\n%s%s\n" % (e, _see("docker"), usage.top_help()))
        return 125
    if opts.version:
        out(VERSION + "\n")
        return 0
    if not rest:
        err(usage.top_help())
        return 0
    name = rest[0]
    if name in usage.GROUPS:
        if name in {alias.split()[0] for alias in COMMANDS if " " in alias}:
            return _run_group(engine, name, rest[1:], cwd, out, err, stdin, session)
        return _not_simulated(name, err)
    entry = COMMANDS.get(name)
    if entry is not None:
        return _run_command(engine, entry, rest[1:], cwd, out, err, stdin, session)
    if usage.docker_knows(name):
        return _not_simulated(name, err)
    err("docker: '%s' is not a docker command.\nSee 'docker --help'\n" % name)
    return 1
