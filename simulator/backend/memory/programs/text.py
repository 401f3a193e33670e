"""Text tools as busybox prints them: echo, printf, cat, head, tail, wc, grep, sed, tee,
seq, basename, dirname, sort, uniq, tr, cut."""

from __future__ import annotations

import posixpath
import re

from ....model.fs import FSError
from . import program
from .runtime import Ctx, Forever

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\",
           "e": "\x1b"}


def unescape(text: str, stop_at_c: bool = True) -> tuple[str, bool]:
    """Backslash escapes of `echo -e` / `printf %b`; returns (text, stopped by \\c)."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "c" and stop_at_c:
                return "".join(out), True
            if n in ESCAPES:
                out.append(ESCAPES[n])
                i += 2
                continue
            if n == "0" or n.isdigit():
                m = re.match(r"0?([0-7]{1,3})", text[i + 1:])
                out.append(chr(int(m.group(1), 8) & 0xFF))
                i += 1 + len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out), False


def echo(ctx: Ctx) -> int:
    """busybox echo: -n (no newline), -e (escapes), -E; escapes are off by default."""
    args = ctx.argv[1:]
    newline, escapes = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        flags = args.pop(0)
        newline = newline and "n" not in flags
        for f in flags[1:]:
            escapes = {"e": True, "E": False}.get(f, escapes)
    text = " ".join(args)
    if escapes:
        text, stopped = unescape(text)
        newline = newline and not stopped
    ctx.out(text + ("\n" if newline else ""))
    return 0


program("echo")(echo)


def printf(ctx: Ctx) -> int:
    """printf FORMAT [ARG]...: %s %b %c %d %i %u %x %X %o %f %e %g %%, widths and flags;
    the format is reused while arguments remain."""
    if len(ctx.argv) < 2:
        return 1
    fmt, args = ctx.argv[1], ctx.argv[2:]
    status = 0
    spec = re.compile(r"%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?([sbcdiuxXofeEgG%])")
    out = []
    while True:
        used = 0
        pos = 0
        for m in spec.finditer(fmt):
            out.append(unescape(fmt[pos:m.start()], False)[0])
            pos = m.end()
            flags, width, prec, conv = m.groups()
            if conv == "%":
                out.append("%")
                continue
            arg = args[used] if used < len(args) else None
            used += 1
            if conv in "sb":
                value = arg or ""
                if conv == "b":
                    value = unescape(value)[0]
                piece = ("%" + flags + (width or "") + ("." + prec if prec else "") + "s") % value
            elif conv == "c":
                piece = ("%" + flags + (width or "") + "s") % ((arg or "")[:1])
            elif conv in "feEgG":
                try:
                    num = float(arg or 0)
                except ValueError:
                    ctx.err(f"printf: invalid number '{arg}'\n")
                    num, status = 0.0, 1
                piece = ("%" + flags + (width or "") + ("." + prec if prec else "") + conv) % num
            else:
                try:
                    num = int(arg or "0", 0) if arg and arg[:1] not in "'\"" else (ord(arg[1]) if arg else 0)
                except ValueError:
                    ctx.err(f"printf: invalid number '{arg}'\n")
                    num, status = 0, 1
                c = {"i": "d", "u": "d"}.get(conv, conv)
                piece = ("%" + flags + (width or "") + ("." + prec if prec else "") + c) % num
            out.append(piece)
        out.append(unescape(fmt[pos:], False)[0])
        args = args[used:]
        if not args or used == 0:
            break
    ctx.out("".join(out))
    return status


program("printf")(printf)


def _reason(e: FSError) -> str:
    return str(e).split(": ", 1)[-1]


def _read_all(ctx: Ctx, files: list[str], errfmt: str) -> tuple[list[tuple[str, str]], int]:
    out, status = [], 0
    for name in files or ["-"]:
        try:
            out.append((name, ctx.read(name)))
        except FSError as e:
            ctx.err(errfmt.format(prog=ctx.name, name=name, reason=_reason(e)))
            status = 1
    return out, status


def _flags(args: list[str], with_value: str = "") -> tuple[dict[str, str | bool], list[str]]:
    """Short options (`-abc`, `-n 5`, `-n5`) before the operands; `--` ends them."""
    opts: dict[str, str | bool] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i + 1:])
            break
        if a.startswith("-") and len(a) > 1 and not a[1:].isdigit():
            j = 1
            while j < len(a):
                f = a[j]
                if f in with_value:
                    value = a[j + 1:] or (args[i + 1] if i + 1 < len(args) else "")
                    if not a[j + 1:]:
                        i += 1
                    opts[f] = value
                    break
                opts[f] = True
                j += 1
        elif a.startswith("-") and a[1:].isdigit() and "n" in with_value:
            opts["n"] = a[1:]
        else:
            rest.append(a)
        i += 1
    return opts, rest


@program("cat")
def cat(ctx: Ctx) -> int:
    opts, files = _flags(ctx.argv[1:])
    status = 0
    for name in files or ["-"]:
        if ctx.is_device(name) and ctx.path(name) in ("/dev/zero", "/dev/urandom", "/dev/random"):
            raise Forever()
        try:
            text = ctx.read(name)
        except FSError as e:
            ctx.err(f"cat: can't open '{name}': {_reason(e)}\n")
            status = 1
            continue
        if opts.get("n"):
            lines = text.splitlines(keepends=True)
            text = "".join(f"{k:6d}\t{line}" for k, line in enumerate(lines, 1))
        ctx.out(text)
    return status


def _endless(ctx: Ctx, name: str) -> bool:
    return ctx.path(name) in ("/dev/zero", "/dev/urandom", "/dev/random")


@program("head")
def head(ctx: Ctx) -> int:
    opts, files = _flags(ctx.argv[1:], "nc")
    status = 0
    many = len(files) > 1
    for k, name in enumerate(files or ["-"]):
        if name != "-" and _endless(ctx, name):
            size = int(opts.get("c") or 0) if "c" in opts else None
            ctx.out("\0" * size if size is not None else ("\0" * 10 * 1024))
            continue
        try:
            text = ctx.read(name)
        except FSError as e:
            ctx.err(f"head: {name}: {_reason(e)}\n")
            status = 1
            continue
        if many:
            ctx.out(("\n" if k else "") + f"==> {name} <==\n")
        if "c" in opts:
            ctx.out(text[: int(opts["c"])])
        else:
            n = int(opts.get("n") or 10)
            ctx.out("".join(text.splitlines(keepends=True)[:n]))
    return status


@program("tail")
def tail(ctx: Ctx) -> int:
    """tail [-n N] [-c N] [-f] FILE...; `tail /dev/zero` holds memory without bound
    (it looks for a last line that never comes): the way to test an OOM kill."""
    opts, files = _flags(ctx.argv[1:], "nc")
    status = 0
    if any(name != "-" and _endless(ctx, name) for name in files):
        ctx.run.memory = 1 << 62
        raise Forever()
    for name in files or ["-"]:
        try:
            text = ctx.read(name)
        except FSError as e:
            ctx.err(f"tail: can't open '{name}': {_reason(e)}\n")
            status = 1
            continue
        if "c" in opts:
            n = int(str(opts["c"]).lstrip("+") or 0)
            ctx.out(text[-n:] if n else "")
        else:
            spec = str(opts.get("n") or "10")
            lines = text.splitlines(keepends=True)
            ctx.out("".join(lines[int(spec[1:]) - 1:] if spec.startswith("+") else lines[-int(spec):] if int(spec) else []))
    if status and not any(True for name in files if ctx.fs.exists(ctx.path(name))):
        ctx.err("tail: no files\n")
    if opts.get("f") or opts.get("F"):
        raise Forever()
    return status


@program("wc")
def wc(ctx: Ctx) -> int:
    opts, files = _flags(ctx.argv[1:])
    chosen = [f for f in "lwc" if opts.get(f)] or ["l", "w", "c"]
    status = 0
    rows = []
    for name in files or ["-"]:
        try:
            text = ctx.read(name)
        except FSError as e:
            ctx.err(f"wc: {name}: {_reason(e)}\n")
            status = 1
            continue
        counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode("utf-8", "surrogateescape"))}
        rows.append(([counts[f] for f in chosen], None if name == "-" else name))
    if len(rows) > 1:
        rows.append(([sum(r[0][i] for r in rows) for i in range(len(chosen))], "total"))
    for values, name in rows:
        if len(values) == 1:
            line = str(values[0])
        else:
            line = " ".join(f"{v:9d}" for v in values)
        ctx.out(line + (f" {name}" if name else "") + "\n")
    return status


def _regex(pattern: str, extended: bool, fixed: bool) -> str:
    if fixed:
        return re.escape(pattern)
    if extended:
        return pattern
    # basic regex: \( \) \{ \} \| \+ \? are the operators; bare ones are literal
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            n = pattern[i + 1]
            out.append(n if n in "(){}|+?" else "\\" + n)
            i += 2
            continue
        out.append("\\" + c if c in "(){}|+?" else c)
        i += 1
    return "".join(out)


@program("grep", "egrep", "fgrep")
def grep(ctx: Ctx) -> int:
    opts, rest = _flags(ctx.argv[1:], "em")
    if not rest and "e" not in opts:
        ctx.err("Usage: grep [-HhnlLoqvsrRiwFEz] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n")
        return 2
    pattern = opts["e"] if "e" in opts else rest.pop(0)
    rx = re.compile(_regex(str(pattern), bool(opts.get("E")) or ctx.name == "egrep",
                           bool(opts.get("F")) or ctx.name == "fgrep"),
                    re.IGNORECASE if opts.get("i") else 0)
    files, status = _read_all(ctx, rest, "{prog}: {name}: {reason}\n")
    found = False
    for name, text in files:
        count = 0
        for k, line in enumerate(text.splitlines(), 1):
            hit = bool(rx.fullmatch(line) if opts.get("x") else rx.search(line))
            if hit != bool(opts.get("v")):
                count += 1
                found = True
                if opts.get("q"):
                    return 0
                if not (opts.get("c") or opts.get("l")):
                    prefix = (f"{name}:" if len(files) > 1 else "") + (f"{k}:" if opts.get("n") else "")
                    ctx.out(prefix + line + "\n")
        if opts.get("c"):
            ctx.out((f"{name}:" if len(files) > 1 else "") + f"{count}\n")
        if opts.get("l") and count:
            ctx.out(f"{name}\n")
    if status:
        return 2
    return 0 if found else 1


@program("sed")
def sed(ctx: Ctx) -> int:
    """sed [-n] [-i] [-e] SCRIPT [FILE]...: `s/re/repl/[g]`, `Np`, `Nd`, `/re/d`, `/re/p`."""
    opts, rest = _flags(ctx.argv[1:], "e")
    script = opts.get("e") or (rest.pop(0) if rest else "")
    commands = [c.strip() for c in str(script).split(";") if c.strip()]
    files, status = _read_all(ctx, rest, "{prog}: {name}: {reason}\n")
    for name, text in files:
        out = []
        for k, line in enumerate(text.splitlines(), 1):
            deleted = False
            printed = []
            for cmd in commands:
                m = re.match(r"^(\d+|\$|/(?:[^/\\]|\\.)*/)?([spd])(.*)$", cmd, re.S)
                if not m:
                    ctx.err(f"sed: unsupported command {cmd}\n")
                    return 1
                addr, op, arg = m.groups()
                if addr and not _sed_match(addr, k, line, len(text.splitlines())):
                    continue
                if op == "d":
                    deleted = True
                    break
                if op == "p":
                    printed.append(line)
                if op == "s":
                    sep = arg[0]
                    parts = re.split(r"(?<!\\)" + re.escape(sep), arg[1:])
                    regex, repl, flags = parts[0], parts[1], parts[2] if len(parts) > 2 else ""
                    repl = re.sub(r"\\(\d)", r"\\g<\1>", repl.replace("&", r"\g<0>"))
                    line = re.sub(_regex(regex, False, False), repl, line,
                                  count=0 if "g" in flags else 1)
            out.extend(printed)
            if not deleted and not opts.get("n"):
                out.append(line)
        result = "".join(f"{l}\n" for l in out)
        if opts.get("i") and name != "-":
            ctx.fs.write(ctx.path(name), result.encode("utf-8", "surrogateescape"))
        else:
            ctx.out(result)
    return status


def _sed_match(addr: str, k: int, line: str, total: int) -> bool:
    if addr == "$":
        return k == total
    if addr.isdigit():
        return k == int(addr)
    return bool(re.search(_regex(addr[1:-1], False, False), line))


@program("tee")
def tee(ctx: Ctx) -> int:
    opts, files = _flags(ctx.argv[1:])
    status = 0
    for name in files:
        try:
            ctx.sink(name, append=bool(opts.get("a"))).write(ctx.stdin)
        except FSError as e:
            ctx.err(f"tee: {name}: {_reason(e)}\n")
            status = 1
    ctx.out(ctx.stdin)
    return status


@program("seq")
def seq(ctx: Ctx) -> int:
    nums = [int(a) for a in ctx.argv[1:]]
    first, step, last = {1: (1, 1, nums[0]), 2: (nums[0], 1, nums[-1]), 3: tuple(nums)}[len(nums)] if nums else (1, 1, 0)
    ctx.out("".join(f"{n}\n" for n in range(first, last + (1 if step > 0 else -1), step)))
    return 0


@program("basename")
def basename(ctx: Ctx) -> int:
    if len(ctx.argv) < 2:
        return ctx.fail("missing operand")
    name = posixpath.basename(ctx.argv[1].rstrip("/")) or "/"
    if len(ctx.argv) > 2 and name.endswith(ctx.argv[2]) and name != ctx.argv[2]:
        name = name[: -len(ctx.argv[2])]
    ctx.out(name + "\n")
    return 0


@program("dirname")
def dirname(ctx: Ctx) -> int:
    if len(ctx.argv) < 2:
        return ctx.fail("missing operand")
    path = ctx.argv[1].rstrip("/") or "/"
    ctx.out((posixpath.dirname(path).rstrip("/") or ("/" if path.startswith("/") else ".")) + "\n")
    return 0


@program("sort")
def sort(ctx: Ctx) -> int:
    opts, files = _flags(ctx.argv[1:])
    inputs, status = _read_all(ctx, files, "{prog}: {name}: {reason}\n")
    lines = [l for _, text in inputs for l in text.splitlines()]
    key = (lambda l: float(re.match(r"\s*-?\d*\.?\d*", l).group() or 0)) if opts.get("n") else None
    lines = sorted(lines, key=key, reverse=bool(opts.get("r")))
    if opts.get("u"):
        lines = list(dict.fromkeys(lines))
    ctx.out("".join(l + "\n" for l in lines))
    return status


@program("uniq")
def uniq(ctx: Ctx) -> int:
    opts, files = _flags(ctx.argv[1:])
    inputs, status = _read_all(ctx, files[:1], "{prog}: {name}: {reason}\n")
    out: list[list] = []
    for line in (inputs[0][1] if inputs else "").splitlines():
        if out and out[-1][0] == line:
            out[-1][1] += 1
        else:
            out.append([line, 1])
    ctx.out("".join((f"{n:7d} " if opts.get("c") else "") + l + "\n" for l, n in out))
    return status


@program("tr")
def tr(ctx: Ctx) -> int:
    opts, sets = _flags(ctx.argv[1:])
    expand = lambda s: re.sub(r"(.)-(.)", lambda m: "".join(chr(c) for c in range(ord(m[1]), ord(m[2]) + 1)),
                              unescape(s, False)[0].replace("[:lower:]", "a-z").replace("[:upper:]", "A-Z"))
    src = expand(sets[0]) if sets else ""
    if opts.get("d"):
        ctx.out("".join(c for c in ctx.stdin if c not in src))
        return 0
    dst = expand(sets[1]) if len(sets) > 1 else ""
    dst = dst + dst[-1:] * (len(src) - len(dst))
    ctx.out(ctx.stdin.translate(str.maketrans(src, dst[: len(src)])))
    return 0


@program("cut")
def cut(ctx: Ctx) -> int:
    opts, files = _flags(ctx.argv[1:], "dfc")
    inputs, status = _read_all(ctx, files, "{prog}: {name}: {reason}\n")
    delim = str(opts.get("d") or "\t")
    wanted = set()
    for part in str(opts.get("f") or opts.get("c") or "1").split(","):
        lo, _, hi = part.partition("-")
        wanted.update(range(int(lo or 1), int(hi or lo or 1) + 1 if (hi or not _) else 10000))
    for _, text in inputs:
        for line in text.splitlines():
            if "c" in opts:
                ctx.out("".join(ch for k, ch in enumerate(line, 1) if k in wanted) + "\n")
            elif delim not in line:
                ctx.out(line + "\n")
            else:
                ctx.out(delim.join(f for k, f in enumerate(line.split(delim), 1) if k in wanted) + "\n")
    return status
