"""The simulated programs, found by the name of the executable that runs them.

A program is a function `(ctx: Ctx) -> int` registered with `@program("name", ...)`.
The executable found in the union view names the program: its basename as invoked
(busybox applets are hard or symbolic links named after the applet; `busybox X` runs
applet X), with version suffixes dropped (`python3.11` -> `python3`). A file that
starts with `#!` runs its interpreter. An executable with no simulated program prints
`<path>: simulated program not available` and exits 126.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable

from ....model.fs import FSError, UnionFS
from ....model.layer import Kind, normpath
from .runtime import Ctx, Polling

Program = Callable[[Ctx], int]
PROGRAMS: dict[str, Program] = {}
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Scripts of base images that run as simulated programs rather than through the shell.
SCRIPTS = {"docker-entrypoint.sh"}


def program(*names: str) -> Callable[[Program], Program]:
    def register(fn: Program) -> Program:
        for name in names:
            PROGRAMS[name] = fn
        return fn
    return register


def is_executable(fs: UnionFS, path: str) -> bool | None:
    """True for an executable regular file, False for a directory or a file without
    any execute bit, None if nothing is there."""
    try:
        entry = fs.stat(path)
    except FSError:
        return None
    return entry.kind is Kind.FILE and bool(entry.mode & 0o111)


def find_command(fs: UnionFS, name: str, path_var: str, cwd: str) -> tuple[str, bool] | None:
    """Where a command runs from: (path, runnable), or None if not found.

    A name with a `/` is used as is; otherwise each PATH entry is tried in order and
    the first executable file wins (a non-executable match is remembered, so that the
    shell can say `Permission denied`).
    """
    if "/" in name:
        path = normpath(name if name.startswith("/") else posixpath.join(cwd, name))
        ok = is_executable(fs, path)
        return None if ok is None else (path, ok)
    denied = None
    for d in (path_var or DEFAULT_PATH).split(":"):
        path = normpath(posixpath.join(d or cwd, name))
        ok = is_executable(fs, path)
        if ok:
            return path, True
        if ok is False and denied is None and fs.get(fs.resolve(path)).kind is Kind.FILE:
            denied = path
    return (denied, False) if denied else None


def program_name(path: str, argv0: str) -> str:
    name = posixpath.basename(path)
    return re.sub(r"^(python|pip)(\d+(\.\d+)?)?$", r"\1", name)


def execute(ctx: Ctx, path: str) -> int:
    """Run the executable at `path` with `ctx.argv` (already checked to be executable)."""
    if posixpath.basename(path) in SCRIPTS:
        return PROGRAMS[posixpath.basename(path)](ctx)
    content = ctx.fs.stat(path).content
    head = content.data[:256] if content is not None and content.data is not None else b""
    if head.startswith(b"#!"):
        line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(None, 1)
        interp = line[0] if line else ""
        found = find_command(ctx.fs, interp, "", ctx.cwd) if interp else None
        if not found or not found[1]:
            ctx.err(f"sh: {ctx.argv[0]}: not found\n")
            return 127
        argv = [interp] + line[1:] + [ctx.argv[0] if "/" in ctx.argv[0] else path] + ctx.argv[1:]
        script = Ctx(ctx.run, argv, ctx.env, ctx.cwd, ctx.uid, ctx.gid, ctx.stdin, ctx.fds)
        try:
            return execute(script, found[0])
        except Polling as e:   # the interpreter replaced the program (execve), so its wait is ours
            e.left(script, ctx)
            raise
    name = program_name(path, ctx.argv[0])
    if name == "busybox" and len(ctx.argv) > 1:
        ctx = Ctx(ctx.run, ctx.argv[1:], ctx.env, ctx.cwd, ctx.uid, ctx.gid, ctx.stdin, ctx.fds)
        name = ctx.argv[0]
    fn = PROGRAMS.get(name)
    if fn is None:
        ctx.err(f"{path}: simulated program not available\n")
        return 126
    return fn(ctx)


def _run_sh(ctx: Ctx) -> int:
    # Imported when first run: the shell package itself imports programs.runtime.
    from ..shell import run_sh
    return run_sh(ctx)


def _load() -> None:
    from . import files, hello, text, system, servers, packages  # noqa: F401  (registration)
    # bash and dash run the same POSIX shell (their own error wording and bash-only
    # syntax are not simulated; docs/fidelity.md says so).
    for name in ("sh", "ash", "bash", "dash"):
        PROGRAMS[name] = _run_sh


_load()
