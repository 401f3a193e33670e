"""File tools on the union view, with busybox's output and messages: ls, mkdir, rm,
rmdir, touch, cp, mv, ln, chmod, chown, find, stat."""

from __future__ import annotations

import errno
import fnmatch
import posixpath
import stat as st
from datetime import datetime, timedelta, timezone

from ....model.fs import FSError
from ....model.layer import Entry, Kind
from . import program
from .runtime import Ctx
from .text import _flags, _reason
from .users import group_name, user_name

SIX_MONTHS = timedelta(days=182)


def mode_string(entry: Entry) -> str:
    kind = {Kind.DIR: "d", Kind.SYMLINK: "l"}.get(entry.kind, "-")
    return kind + st.filemode(entry.mode)[1:]


def _blocks(entry: Entry) -> int:
    """1K blocks as `ls -s`/`total` count them (4K filesystem blocks)."""
    if entry.kind is Kind.DIR:
        return 4
    if entry.kind is Kind.SYMLINK:
        return 0
    return -(-entry.size // 4096) * 4


def _size(entry: Entry) -> int:
    return 4096 if entry.kind is Kind.DIR else entry.size


def _date(ctx: Ctx, mtime: int) -> str:
    when = datetime.fromtimestamp(mtime, timezone.utc)
    if abs(ctx.run.started - when) < SIX_MONTHS:
        return when.strftime("%b ") + f"{when.day:2d} " + when.strftime("%H:%M")
    return when.strftime("%b ") + f"{when.day:2d}  {when.year}"


def _long(ctx: Ctx, entry: Entry, name: str, numeric: bool, links: int) -> str:
    user = str(entry.uid) if numeric else (user_name(ctx.fs, entry.uid) or str(entry.uid))
    group = str(entry.gid) if numeric else (group_name(ctx.fs, entry.gid) or str(entry.gid))
    line = (f"{mode_string(entry)} {links:4d} {user[:8]:<8} {group[:8]:<8} {_size(entry):9d} "
            f"{_date(ctx, entry.mtime)} {name}")
    if entry.kind is Kind.SYMLINK:
        line += f" -> {entry.target}"
    return line


@program("ls")
def ls(ctx: Ctx) -> int:
    """ls [-1aAlndR] [PATH]...: one name per line (stdout is not a terminal)."""
    opts, paths = _flags(ctx.argv[1:])
    long_ = bool(opts.get("l") or opts.get("n"))
    numeric = bool(opts.get("n"))
    status = 0
    files, dirs = [], []
    for name in paths or ["."]:
        try:
            entry = ctx.fs.stat(ctx.path(name), follow=not long_ or name.endswith("/"))
        except FSError as e:
            ctx.err(f"ls: {name}: {_reason(e)}\n")
            status = 1
            continue
        (dirs if entry.kind is Kind.DIR and not opts.get("d") else files).append((name, entry))
    out: list[str] = []
    for name, entry in sorted(files):
        out.append(_long(ctx, entry, name, numeric, 1) if long_ else name)
    show_header = len(paths) > 1 or bool(opts.get("R"))
    queue = sorted(dirs)
    first = not out
    while queue:
        name, _ = queue.pop(0)
        if not first:
            out.append("")
        first = False
        if show_header:
            out.append(f"{name}:")
        path = ctx.fs.resolve(ctx.path(name))
        names = ctx.fs.listdir(path)
        if not (opts.get("a") or opts.get("A")):
            names = [n for n in names if not n.startswith(".")]
        rows = [(n, ctx.fs.stat(posixpath.join(path, n), follow=False)) for n in names]
        if opts.get("a"):
            rows = [(".", ctx.fs.stat(path)), ("..", ctx.fs.stat(posixpath.dirname(path) or "/"))] + rows
        if long_:
            out.append(f"total {sum(_blocks(e) for _, e in rows)}")
            out.extend(_long(ctx, e, n, numeric, _links(ctx, path, n, e)) for n, e in rows)
        else:
            out.extend(n for n, _ in rows)
        if opts.get("R"):
            sub = [(posixpath.join(name, n), e) for n, e in rows if e.kind is Kind.DIR and n not in (".", "..")]
            queue = sub + queue
    ctx.out("".join(line + "\n" for line in out))
    return status


def _links(ctx: Ctx, parent: str, name: str, entry: Entry) -> int:
    if entry.kind is not Kind.DIR:
        return 1
    path = posixpath.normpath(posixpath.join(parent, name))
    try:
        return 2 + sum(1 for n in ctx.fs.listdir(path)
                       if ctx.fs.stat(posixpath.join(path, n), follow=False).kind is Kind.DIR)
    except FSError:
        return 2


@program("mkdir")
def mkdir(ctx: Ctx) -> int:
    opts, paths = _flags(ctx.argv[1:], "m")
    mode = int(str(opts["m"]), 8) if "m" in opts else 0o755
    status = 0
    for name in paths:
        try:
            ctx.fs.mkdir(ctx.path(name), mode=mode, parents_too=bool(opts.get("p")), uid=ctx.uid, gid=ctx.gid)
        except FSError as e:
            ctx.err(f"mkdir: can't create directory '{name}': {_reason(e)}\n")
            status = 1
    return status


@program("rmdir")
def rmdir(ctx: Ctx) -> int:
    _, paths = _flags(ctx.argv[1:])
    status = 0
    for name in paths:
        try:
            entry = ctx.fs.stat(ctx.path(name), follow=False)
            if entry.kind is not Kind.DIR:
                raise FSError(errno.ENOTDIR, name)
            ctx.fs.remove(ctx.path(name))
        except FSError as e:
            ctx.err(f"rmdir: '{name}': {_reason(e)}\n")
            status = 1
    return status


@program("rm")
def rm(ctx: Ctx) -> int:
    opts, paths = _flags(ctx.argv[1:])
    recursive = bool(opts.get("r") or opts.get("R"))
    force = bool(opts.get("f"))
    status = 0
    for name in paths:
        path = ctx.path(name)
        try:
            entry = ctx.fs.stat(path, follow=False)
        except FSError as e:
            if not force:
                ctx.err(f"rm: can't remove '{name}': {_reason(e)}\n")
                status = 1
            continue
        if entry.kind is Kind.DIR and not recursive:
            ctx.err(f"rm: '{name}' is a directory\n")
            status = 1
            continue
        ctx.fs.remove(path, recursive=True)
    return status


@program("touch")
def touch(ctx: Ctx) -> int:
    opts, paths = _flags(ctx.argv[1:])
    status = 0
    for name in paths:
        path = ctx.path(name)
        try:
            if ctx.fs.exists(path):
                ctx.fs.set_meta(path, touch=True)
            elif not opts.get("c"):
                ctx.fs.write(path, b"", uid=ctx.uid, gid=ctx.gid)
        except FSError as e:
            ctx.err(f"touch: {name}: {_reason(e)}\n")
            status = 1
    return status


def _copy_tree(ctx: Ctx, src: str, dst: str) -> None:
    entries = list(ctx.fs.walk(ctx.fs.resolve(src, follow=False)))
    root = entries[0][0]
    for path, entry in entries:
        target = dst + path[len(root):]
        if entry.kind is Kind.DIR:
            if not ctx.fs.exists(target):
                ctx.fs.mkdir(target, mode=entry.mode, uid=ctx.uid, gid=ctx.gid)
        elif entry.kind is Kind.SYMLINK:
            ctx.fs.symlink(entry.target, target)
        else:
            ctx.fs.write(target, entry.content or b"", mode=entry.mode, uid=ctx.uid, gid=ctx.gid)


@program("cp")
def cp(ctx: Ctx) -> int:
    opts, args = _flags(ctx.argv[1:])
    if len(args) < 2:
        return ctx.fail("missing file operand" if not args else f"missing destination file operand after '{args[0]}'")
    *sources, dest = args
    dest_path = ctx.path(dest)
    into = ctx.fs.exists(dest_path) and ctx.fs.stat(dest_path).kind is Kind.DIR
    status = 0
    for name in sources:
        path = ctx.path(name)
        try:
            entry = ctx.fs.stat(path)
        except FSError as e:
            ctx.err(f"cp: can't stat '{name}': {_reason(e)}\n")
            status = 1
            continue
        target = posixpath.join(ctx.fs.resolve(dest_path), posixpath.basename(path)) if into else dest_path
        try:
            if entry.kind is Kind.DIR:
                if not (opts.get("r") or opts.get("R") or opts.get("a")):
                    ctx.err(f"cp: omitting directory '{name}'\n")
                    status = 1
                    continue
                _copy_tree(ctx, path, target)
            else:
                ctx.fs.write(target, entry.content or b"", mode=entry.mode, uid=ctx.uid, gid=ctx.gid)
        except FSError as e:
            ctx.err(f"cp: can't create '{target}': {_reason(e)}\n")
            status = 1
    return status


@program("mv")
def mv(ctx: Ctx) -> int:
    _, args = _flags(ctx.argv[1:])
    if len(args) < 2:
        return ctx.fail("missing file operand")
    *sources, dest = args
    dest_path = ctx.path(dest)
    into = ctx.fs.exists(dest_path) and ctx.fs.stat(dest_path).kind is Kind.DIR
    status = 0
    for name in sources:
        path = ctx.path(name)
        if not ctx.fs.exists(path, follow=False):
            ctx.err(f"mv: can't rename '{name}': No such file or directory\n")
            status = 1
            continue
        target = posixpath.join(dest_path, posixpath.basename(path)) if into else dest_path
        try:
            ctx.fs.rename(path, target)
        except FSError as e:
            ctx.err(f"mv: can't rename '{name}': {_reason(e)}\n")
            status = 1
    return status


@program("ln")
def ln(ctx: Ctx) -> int:
    opts, args = _flags(ctx.argv[1:])
    if len(args) < 2:
        args = args + [posixpath.basename(args[0])] if args else args
    if len(args) < 2:
        return ctx.fail("missing file operand")
    target, name = args[0], args[1]
    path = ctx.path(name)
    if ctx.fs.exists(path, follow=False) and ctx.fs.stat(path).kind is Kind.DIR:
        path = posixpath.join(path, posixpath.basename(target))
    try:
        if opts.get("f") and ctx.fs.exists(path, follow=False):
            ctx.fs.remove(path)
        if opts.get("s"):
            ctx.fs.symlink(target, path)
        else:
            ctx.fs.link(ctx.path(target), path)
    except FSError as e:
        ctx.err(f"ln: {name}: {_reason(e)}\n")
        return 1
    return 0


def _parse_mode(text: str, old: int) -> int | None:
    if text.isdigit():
        return int(text, 8)
    mode = old
    for clause in text.split(","):
        who = ""
        while clause and clause[0] in "ugoa":
            who, clause = who + clause[0], clause[1:]
        if not clause or clause[0] not in "+-=" or any(c not in "rwxst" for c in clause[1:]):
            return None
        who = who.replace("a", "ugo") or "ugo"
        bits = 0
        for c in clause[1:]:
            for w in who:
                shift = {"u": 6, "g": 3, "o": 0}[w]
                bits |= {"r": 4, "w": 2, "x": 1}.get(c, 0) << shift
                if c == "s" and w in "ug":
                    bits |= 0o4000 if w == "u" else 0o2000
                if c == "t":
                    bits |= 0o1000
        if clause[0] == "+":
            mode |= bits
        elif clause[0] == "-":
            mode &= ~bits
        else:
            mask = sum(0o7 << {"u": 6, "g": 3, "o": 0}[w] for w in set(who))
            mode = (mode & ~mask) | bits
    return mode


@program("chmod")
def chmod(ctx: Ctx) -> int:
    opts, args = _flags(ctx.argv[1:])
    if len(args) < 2:
        return ctx.fail("missing operand" if not args else f"missing operand after '{args[0]}'")
    spec, names = args[0], args[1:]
    status = 0
    for name in names:
        path = ctx.path(name)
        targets = [path]
        try:
            old = ctx.fs.stat(path).mode
            if opts.get("R"):
                targets = [p for p, _ in ctx.fs.walk(ctx.fs.resolve(path))]
        except FSError as e:
            ctx.err(f"chmod: {name}: {_reason(e)}\n")
            status = 1
            continue
        if _parse_mode(spec, old) is None:
            ctx.err(f"chmod: invalid mode '{spec}'\n")
            return 1
        for p in targets:
            ctx.fs.set_meta(p, mode=_parse_mode(spec, ctx.fs.stat(p).mode))
    return status


@program("chown", "chgrp")
def chown(ctx: Ctx) -> int:
    from .users import resolve_user
    opts, args = _flags(ctx.argv[1:])
    if len(args) < 2:
        return ctx.fail("missing operand")
    spec, names = args[0], args[1:]
    if ctx.name == "chgrp":
        spec = ":" + spec
    user, _, group = spec.partition(":")
    uid, gid = resolve_user(ctx.fs, user + (":" + group if group else "")) if user else (None, None)
    if not user and group:
        gid = resolve_user(ctx.fs, "0:" + group)[1]
    status = 0
    for name in names:
        path = ctx.path(name)
        try:
            targets = [p for p, _ in ctx.fs.walk(ctx.fs.resolve(path))] if opts.get("R") else [path]
            if not targets or not ctx.fs.exists(path):
                raise FSError(errno.ENOENT, name)
            for p in targets:
                ctx.fs.set_meta(p, uid=uid, gid=gid if (group or not user) else None)
        except FSError as e:
            ctx.err(f"{ctx.name}: {name}: {_reason(e)}\n")
            status = 1
    return status


@program("find")
def find(ctx: Ctx) -> int:
    """find [PATH]... [-name PAT] [-type f|d|l] [-maxdepth N] [-mindepth N]."""
    args = ctx.argv[1:]
    roots = []
    while args and not args[0].startswith("-"):
        roots.append(args.pop(0))
    tests = {}
    while args:
        key = args.pop(0)
        tests[key] = args.pop(0) if args else ""
    status = 0
    for root in roots or ["."]:
        path = ctx.path(root)
        try:
            real = ctx.fs.resolve(path)
            ctx.fs.stat(real)
        except FSError as e:
            ctx.err(f"find: {root}: {_reason(e)}\n")
            status = 1
            continue
        for p, entry in ctx.fs.walk(real):
            rel = p[len(real):].lstrip("/")
            depth = rel.count("/") + 1 if rel else 0
            shown = root.rstrip("/") + ("/" + rel if rel else "") if root != "/" else "/" + rel
            if "-maxdepth" in tests and depth > int(tests["-maxdepth"]):
                continue
            if "-mindepth" in tests and depth < int(tests["-mindepth"]):
                continue
            if "-name" in tests and not fnmatch.fnmatchcase(posixpath.basename(p), tests["-name"]):
                continue
            if "-type" in tests and {"f": Kind.FILE, "d": Kind.DIR, "l": Kind.SYMLINK}.get(tests["-type"]) is not entry.kind:
                continue
            ctx.out(shown + "\n")
    return status


@program("stat")
def stat(ctx: Ctx) -> int:
    """stat -c FORMAT FILE...: %n %s %u %g %U %G %a %A %F."""
    opts, names = _flags(ctx.argv[1:], "c")
    fmt = str(opts.get("c") or "%n")
    status = 0
    for name in names:
        try:
            entry = ctx.fs.stat(ctx.path(name), follow=bool(opts.get("L")))
        except FSError as e:
            ctx.err(f"stat: can't stat '{name}': {_reason(e)}\n")
            status = 1
            continue
        kind = {Kind.DIR: "directory", Kind.SYMLINK: "symbolic link"}.get(
            entry.kind, "regular file" if entry.size else "regular empty file")
        values = {"n": name, "s": str(_size(entry)), "u": str(entry.uid), "g": str(entry.gid),
                  "U": user_name(ctx.fs, entry.uid) or "UNKNOWN", "G": group_name(ctx.fs, entry.gid) or "UNKNOWN",
                  "a": format(entry.mode & 0o7777, "o"), "A": mode_string(entry), "F": kind, "%": "%"}
        out, i = [], 0
        while i < len(fmt):
            if fmt[i] == "%" and i + 1 < len(fmt):
                out.append(values.get(fmt[i + 1], "?"))
                i += 2
            else:
                out.append(fmt[i])
                i += 1
        ctx.out("".join(out) + "\n")
    return status
