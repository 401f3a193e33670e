"""The `sh` program: its command line, and running a `Waiting` shell again."""

from __future__ import annotations

from ....model.fs import FSError
from ..programs.runtime import Ctx, Polling
from .interpreter import Shell
from .syntax import CmdList
from .waiting import Waiting


def run_sh(ctx: Ctx) -> int:
    """The `sh` program: `sh -c SCRIPT [NAME [ARGS]]`, `sh FILE [ARGS]`, or `sh` reading stdin."""
    args = ctx.argv[1:]
    errexit = False
    script = None
    while args and args[0].startswith("-") and len(args[0]) > 1:
        flag = args.pop(0)
        if flag == "--":
            break
        if "e" in flag[1:]:
            errexit = True
        if "c" in flag[1:]:
            if not args:
                ctx.err(f"{ctx.argv[0]}: -c requires an argument\n")
                return 2
            script = args.pop(0)
    name = ctx.argv[0]   # ash names itself as invoked: `sh`, `/bin/sh`
    from_file = named = False
    if script is None:
        if args:
            path = args.pop(0)
            from_file = named = True
            try:
                script = ctx.read(path)
            except FSError:
                ctx.err(f"{name}: can't open '{path}': No such file or directory\n")
                return 2
            name = path
        else:
            script = ctx.stdin
    elif args:
        name = args.pop(0)
        named = True
    shell = Shell(ctx, name, args, from_file=from_file, named=named)
    shell.errexit = errexit
    return _program(shell, ctx, script)


def resume_sh(ctx: Ctx, waiting: Waiting) -> int:
    """Run a `Waiting` shell again from its loop, as the program of `ctx` (a new run on
    the same view); raises Polling, as `run_sh` does, if it still waits."""
    shell = Shell.__new__(Shell)
    shell.__dict__.update(waiting.state)
    shell.ctx = ctx
    shell.background_end = 0.0   # its `&` jobs ran to their end while it waited
    return _program(shell, ctx, waiting.src, waiting.offset, CmdList(list(waiting.rest)))


def _program(shell: Shell, ctx: Ctx, src: str, offset: int = 0, first: CmdList | None = None) -> int:
    """`shell.run_script` as the program of `ctx`: a loop it waits in is `ctx`'s wait."""
    try:
        return shell.run_script(src, offset, first)
    except Polling as e:
        e.left(shell, ctx)
        raise
