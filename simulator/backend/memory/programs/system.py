"""Programs about the process and the system: id, whoami, hostname, pwd, env, printenv,
date (virtual clock), uname, true, false, sleep."""

from __future__ import annotations

from datetime import timedelta

from . import program
from .runtime import FOREVER, Ctx
from .users import group_name, member_of, user_name


@program("id")
def id_(ctx: Ctx) -> int:
    fs = ctx.fs
    opts = ctx.argv[1:]
    if "-u" in opts:
        ctx.out((user_name(fs, ctx.uid) if "-n" in opts else str(ctx.uid)) + "\n")
        return 0
    if "-g" in opts:
        ctx.out((group_name(fs, ctx.gid) if "-n" in opts else str(ctx.gid)) + "\n")
        return 0
    named = lambda n, name: f"{n}({name})" if name else str(n)
    groups = ",".join(named(g, group_name(fs, g)) for g in member_of(fs, ctx.uid, ctx.gid))
    ctx.out(f"uid={named(ctx.uid, user_name(fs, ctx.uid))} gid={named(ctx.gid, group_name(fs, ctx.gid))} "
            f"groups={groups}\n")
    return 0


@program("whoami")
def whoami(ctx: Ctx) -> int:
    name = user_name(ctx.fs, ctx.uid)
    if name is None:
        return ctx.fail(f"unknown uid {ctx.uid}")
    ctx.out(name + "\n")
    return 0


def host_name(ctx: Ctx) -> str:
    """The UTS host name, which Docker sets to Config.Hostname (`--hostname`, else the short
    ID) and writes to /etc/hostname; the HOSTNAME variable does not change it."""
    try:
        return ctx.read("/etc/hostname").strip() or "localhost"
    except OSError:
        return "localhost"


@program("hostname")
def hostname(ctx: Ctx) -> int:
    ctx.out(host_name(ctx) + "\n")
    return 0


@program("pwd")
def pwd(ctx: Ctx) -> int:
    ctx.out(ctx.cwd + "\n")
    return 0


@program("env", "printenv")
def env(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if ctx.name == "printenv" and args:
        values = [ctx.env[a] for a in args if a in ctx.env]
        ctx.out("".join(v + "\n" for v in values))
        return 0 if len(values) == len(args) else 1
    variables = dict(ctx.env)
    while args and "=" in args[0]:
        k, _, v = args.pop(0).partition("=")
        variables[k] = v
    if args:
        from . import execute, find_command
        found = find_command(ctx.fs, args[0], variables.get("PATH", ""), ctx.cwd)
        if not found or not found[1]:
            return ctx.fail(f"can't execute '{args[0]}': No such file or directory", 127)
        return execute(Ctx(ctx.run, args, variables, ctx.cwd, ctx.uid, ctx.gid, ctx.stdin, ctx.fds), found[0])
    ctx.out("".join(f"{k}={v}\n" for k, v in variables.items()))
    return 0


@program("date")
def date(ctx: Ctx) -> int:
    """The virtual clock at this point of the process, in UTC (busybox's default format)."""
    now = ctx.run.started + timedelta(seconds=ctx.run.time)
    args = [a for a in ctx.argv[1:] if a not in ("-u", "--utc")]
    if args and args[0].startswith("+"):
        ctx.out(now.strftime(args[0][1:]) + "\n")
    else:
        ctx.out(now.strftime("%a %b ") + f"{now.day:2d}" + now.strftime(" %H:%M:%S UTC %Y") + "\n")
    return 0


@program("uname")
def uname(ctx: Ctx) -> int:
    """The host's kernel, as a container sees it (a fixed, typical one here)."""
    parts = {"s": "Linux", "n": host_name(ctx), "r": "5.15.0-91-generic", "v": "#101-Ubuntu SMP", "m": "x86_64",
             "o": "GNU/Linux"}
    flags = "".join(a[1:] for a in ctx.argv[1:] if a.startswith("-"))
    keys = "snrvmo" if "a" in flags else [k for k in "snrvmo" if k in flags] or ["s"]
    ctx.out(" ".join(parts[k] for k in keys) + "\n")
    return 0


program("true")(lambda ctx: 0)
program("false")(lambda ctx: 1)


@program("sleep")
def sleep(ctx: Ctx) -> int:
    """sleep N[smhd] ... (summed); `sleep infinity` never ends."""
    total = 0.0
    if len(ctx.argv) < 2:
        ctx.err("Usage: sleep [N]...\n")
        return 1
    for arg in ctx.argv[1:]:
        if arg in ("inf", "infinity"):
            total = FOREVER
            break
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(arg[-1:], None)
        number = arg[:-1] if unit else arg
        try:
            total += float(number) * (unit or 1)
        except ValueError:
            ctx.err(f"sleep: invalid number '{arg}'\n")
            return 1
    ctx.sleep(total)
    return 0
