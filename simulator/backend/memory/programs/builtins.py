"""The shell's builtins (busybox ash): they run inside the shell process, so they can
change its variables, directory and traps, and they exist even where no /bin file does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ....model.fs import FSError
from ....model.layer import Kind
from .runtime import ExitShell, Forever, Polling, StdinText
from .text import echo, printf
from .testcmd import run_test

if TYPE_CHECKING:
    from ..shell import Shell
    from .runtime import Ctx

Builtin = Callable[["Shell", "Ctx"], int]
BUILTINS: dict[str, Builtin] = {}


def builtin(*names: str):
    def register(fn: Builtin) -> Builtin:
        for n in names:
            BUILTINS[n] = fn
        return fn
    return register


builtin("echo")(lambda sh, ctx: echo(ctx))
builtin("printf")(lambda sh, ctx: printf(ctx))
builtin(":", "true")(lambda sh, ctx: 0)
builtin("false")(lambda sh, ctx: 1)


@builtin("test", "[")
def _test(sh: "Shell", ctx: "Ctx") -> int:
    return run_test(ctx, lambda msg: sh.error(msg))


@builtin("cd")
def _cd(sh: "Shell", ctx: "Ctx") -> int:
    target = ctx.argv[1] if len(ctx.argv) > 1 else sh.vars.get("HOME", "/")
    if target == "-":
        target = sh.vars.get("OLDPWD", sh.ctx.cwd)
    path = ctx.path(target)
    try:
        entry = ctx.fs.stat(path)
        if entry.kind is not Kind.DIR:
            sh.error(f"can't cd to {target}: Not a directory", "cd")
            return 2
        real = ctx.fs.resolve(path)
    except FSError as e:
        sh.error(f"can't cd to {target}: {str(e).split(': ', 1)[-1]}", "cd")
        return 2
    sh.vars["OLDPWD"] = sh.ctx.cwd
    sh.ctx.cwd = real if real == path else path
    sh.vars["PWD"] = sh.ctx.cwd
    return 0


@builtin("pwd")
def _pwd(sh: "Shell", ctx: "Ctx") -> int:
    ctx.out(sh.ctx.cwd + "\n")
    return 0


@builtin("export", "readonly", "local")
def _export(sh: "Shell", ctx: "Ctx") -> int:
    args = ctx.argv[1:]
    if not args or args == ["-p"]:
        if ctx.argv[0] == "export":
            for name in sorted(sh.exported):
                if name in sh.vars:
                    value = sh.vars[name].replace("'", "'\"'\"'")
                    ctx.out(f"export {name}='{value}'\n")
        return 0
    for a in args:
        name, eq, value = a.partition("=")
        if eq:
            sh.vars[name] = value
        if ctx.argv[0] == "export":
            sh.exported.add(name)
    return 0


@builtin("unset")
def _unset(sh: "Shell", ctx: "Ctx") -> int:
    for name in ctx.argv[1:]:
        if name in ("-v", "-f"):
            continue
        sh.vars.pop(name, None)
        sh.functions.pop(name, None)
        sh.exported.discard(name)
    return 0


@builtin("set")
def _set(sh: "Shell", ctx: "Ctx") -> int:
    args = ctx.argv[1:]
    if not args:
        for name in sorted(sh.vars):
            ctx.out(f"{name}='{sh.vars[name]}'\n")
        return 0
    while args and args[0][:1] in "-+" and args[0] != "--":
        flag = args.pop(0)
        if "e" in flag:
            sh.errexit = flag.startswith("-")
    if args and args[0] == "--":
        args.pop(0)
        sh.params = list(args)
    elif args:
        sh.params = list(args)
    return 0


@builtin("shift")
def _shift(sh: "Shell", ctx: "Ctx") -> int:
    n = int(ctx.argv[1]) if len(ctx.argv) > 1 and ctx.argv[1].isdigit() else 1
    if n > len(sh.params):
        return 1
    sh.params = sh.params[n:]
    return 0


def _number(sh: "Shell", text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        sh.error(f"Illegal number: {text}", name)
        raise ExitShell(2)


@builtin("exit")
def _exit(sh: "Shell", ctx: "Ctx") -> int:
    code = _number(sh, ctx.argv[1], "exit") if len(ctx.argv) > 1 else sh.status
    raise ExitShell(code & 0xFF)


@builtin("return")
def _return(sh: "Shell", ctx: "Ctx") -> int:
    from ..shell import ReturnFromFunction
    raise ReturnFromFunction(_number(sh, ctx.argv[1], "return") if len(ctx.argv) > 1 else sh.status)


@builtin("break", "continue")
def _loop_control(sh: "Shell", ctx: "Ctx") -> int:
    from ..shell import LoopControl
    raise LoopControl(ctx.argv[0], int(ctx.argv[1]) if len(ctx.argv) > 1 else 1)


@builtin("trap")
def _trap(sh: "Shell", ctx: "Ctx") -> int:
    """`trap CMDS SIG...`, `trap - SIG...` (reset), `trap` (list)."""
    args = ctx.argv[1:]
    if not args:
        for sig in sorted(sh.traps):
            ctx.out(f"trap -- '{sh.traps[sig]}' {sig}\n")
        return 0
    action, sigs = args[0], args[1:]
    for sig in sigs:
        name = sig.upper().removeprefix("SIG")
        name = {"0": "EXIT", "1": "HUP", "2": "INT", "3": "QUIT", "15": "TERM", "10": "USR1"}.get(name, name)
        if action == "-":
            sh.traps.pop(name, None)
        else:
            sh.traps[name] = action
    return 0


@builtin("kill")
def _kill(sh: "Shell", ctx: "Ctx") -> int:
    """`kill [-s SIG | -SIG] PID...` aimed at the shell itself (`$$`, PID 1 of its
    container): a trapped signal runs the trap; SIGINT ends a `sh -c` shell with 130
    (busybox ash catches SIGINT when `minusc` is set, then exits 128+2); any other signal
    to PID 1 without a handler is not delivered (pid_namespaces(7), even SIGKILL from
    inside), so kill returns 0 and the script goes on. Other PIDs do not exist here."""
    from ....engine.signals import IGNORED_BY_DEFAULT, NAMES, SIGNALS
    args = ctx.argv[1:]
    sig = "TERM"
    if len(args) > 1 and args[0] == "-s":
        sig, args = args[1], args[2:]
    elif args and args[0].startswith("-") and args[0] != "--":
        sig, args = args[0][1:], args[1:]
    name = NAMES.get(int(sig), "") if sig.isdigit() else sig.upper().removeprefix("SIG")
    if name not in SIGNALS:
        sh.error(f"bad signal name '{sig}'", "kill")
        return 1
    status = 0
    for pid in args:
        if pid != sh.lookup("$"):
            sh.error(f"can't kill pid {pid}: No such process", "kill")
            status = 1
        elif name in sh.traps:
            sh.run_nested(sh.traps[name])
        elif name == "INT" and not sh.from_file:
            raise ExitShell(128 + SIGNALS[name])
        elif not ctx.run.pid1 and name not in IGNORED_BY_DEFAULT:
            raise ExitShell(128 + SIGNALS[name])
    return status


@builtin("wait")
def _wait(sh: "Shell", ctx: "Ctx") -> int:
    if sh.background_forever:
        raise Forever(interruptible=True)
    sh.ctx.run.time = max(sh.ctx.run.time, sh.background_end)
    return 0


@builtin("read")
def _read(sh: "Shell", ctx: "Ctx") -> int:
    names = [a for a in ctx.argv[1:] if not a.startswith("-")] or ["REPLY"]
    source = ctx.fds.get(0)
    text = source.content if isinstance(source, StdinText) else ctx.stdin
    if not text:
        return 1
    line, nl, rest = text.partition("\n")
    if isinstance(source, StdinText):
        source.content = rest
    else:
        sh.ctx.stdin = rest
    fields = line.split(None, len(names) - 1)
    for i, name in enumerate(names):
        sh.vars[name] = fields[i] if i < len(fields) else ""
    return 0 if nl else 1


@builtin("exec")
def _exec(sh: "Shell", ctx: "Ctx") -> int:
    """`exec CMD`: the command replaces the shell; with no command, redirections stay."""
    if len(ctx.argv) == 1:
        sh.ctx.fds.update(ctx.fds)
        return 0
    ctx.argv = ctx.argv[1:]
    try:
        status = sh.exec_external(ctx)
    except Polling as e:   # the command's wait is the shell process's own
        e.left(ctx, sh)
        raise
    raise ExitShell(status)


@builtin("eval")
def _eval(sh: "Shell", ctx: "Ctx") -> int:
    return sh.run_nested(" ".join(ctx.argv[1:]))


@builtin(".", "source")
def _source(sh: "Shell", ctx: "Ctx") -> int:
    if len(ctx.argv) < 2:
        return 0
    try:
        src = ctx.read(ctx.argv[1])
    except FSError:
        sh.error(f"{ctx.argv[1]}: not found", ".")
        raise ExitShell(2)
    return sh.run_nested(src)


@builtin("command", "type")
def _command(sh: "Shell", ctx: "Ctx") -> int:
    from . import find_command
    args = ctx.argv[1:]
    verbose = ctx.argv[0] == "type"
    if args and args[0] in ("-v", "-V"):
        verbose = True
        args = args[1:]
    if not verbose:
        ctx.argv = args
        return sh.exec_external(ctx) if args else 0
    status = 0
    for name in args:
        if name in BUILTINS or name in sh.functions:
            ctx.out(f"{name}\n" if ctx.argv[0] == "command" else f"{name} is a shell builtin\n")
            continue
        found = find_command(ctx.fs, name, sh.vars.get("PATH", ""), ctx.cwd)
        if found and found[1]:
            ctx.out(f"{found[0]}\n" if ctx.argv[0] == "command" else f"{name} is {found[0]}\n")
        else:
            status = 1
            if ctx.argv[0] == "type":
                ctx.out(f"{name}: not found\n")
    return status


@builtin("umask", "ulimit", "hash", "alias", "unalias")
def _ignored(sh: "Shell", ctx: "Ctx") -> int:
    return 0
