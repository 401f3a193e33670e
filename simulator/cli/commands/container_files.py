"""`docker diff`, `docker commit` and `docker cp`.

docker/cli 20.10 `cli/command/container/{diff,commit,cp}.go`: diff prints `<A|C|D> <path>`;
commit prints the new image's `sha256:` ID (an invalid reference is the client's plain
error, before the container is looked up); cp copies like tar extraction (a file or a
folder lands in an existing folder under its own name, otherwise it takes the destination's
name), `Error: No such container:path: <c>:<path>` when the container path is missing, the
CLI's own `cannot copy directory` / `no such directory` (engine CopyRefused), and
`lstat <abs path>: no such file or directory` when the local one is. `-L` follows a
local source that is a symbolic link (filepath.EvalSymlinks), copied under the link's name.
A local `-` is the CLI's standard stream: `cp CONTAINER:PATH -` writes the daemon's tar of
PATH to stdout, `cp - CONTAINER:DEST` sends stdin's tar to be unpacked into the directory
DEST (`destination "<c>:<dest>" must be a directory` otherwise; engine/container_archive.py).
"""

from __future__ import annotations

import os

from ...engine.container_fs import CopyRefused, copies_contents, placement
from ...engine.errors import NotFound
from ...model import reference
from ...model.layer import Entry, Kind
from ..app import Flag, command


@command("diff", aliases=("container diff",), usage="docker diff CONTAINER",
         short="Inspect changes to files or directories on a container's filesystem", args=(1, 1))
def diff(ctx, opts, args) -> int:
    for kind, path in ctx.engine.containers.files.diff(args[0]):
        ctx.out(f"{kind} {path}\n")
    return 0


@command("commit", aliases=("container commit",), usage="docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
         short="Create a new image from a container's changes", args=(1, 2),
         flags=[Flag("author", "a", str, 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
                     metavar="string"),
                Flag("change", "c", list, "Apply Dockerfile instruction to the created image", metavar="list"),
                Flag("message", "m", str, "Commit message", metavar="string"),
                Flag("pause", "p", bool, "Pause container during commit", default=True)])
def commit(ctx, opts, args) -> int:
    # client/container_commit.go parses the reference before any request: a plain error, exit 1
    if len(args) > 1:
        try:
            ref = reference.parse(args[1])
        except reference.InvalidReference as err:
            ctx.err(f"{err}\n")
            return 1
        if ref.digest:
            ctx.err("refusing to create a tag with a digest reference\n")
            return 1
    image = ctx.engine.containers.files.commit(args[0], args[1] if len(args) > 1 else None,
                                               message=opts.message or "", author=opts.author or "",
                                               changes=opts.change, pause=opts.pause)
    ctx.out(image.id + "\n")
    return 0


def _split(arg: str) -> tuple[str | None, str]:
    """`container:path` or a local path (one that starts with `/` or `.` is always local)."""
    if arg.startswith(("/", ".")) or ":" not in arg:
        return None, arg
    name, _, path = arg.partition(":")
    return name, path


def _read_local(root: str) -> list[tuple[str, Entry, bytes]]:
    """(path relative to `root`'s parent, entry, data), `root` first; a `root` that is a
    symbolic link is copied as the link."""
    base = os.path.dirname(root.rstrip("/")) or "."
    items = []
    walk = os.path.isdir(root) and not os.path.islink(root)
    for current, dirs, files in os.walk(root) if walk else [(None, [], [root])]:
        if current is not None:
            items.append((os.path.relpath(current, base), Entry(Kind.DIR, os.stat(current).st_mode & 0o7777), b""))
            dirs.sort()
        for name in sorted(files):
            path = os.path.join(current, name) if current else name
            if os.path.islink(path):
                items.append((os.path.relpath(path, base), Entry(Kind.SYMLINK, 0o777, target=os.readlink(path)), b""))
                continue
            with open(path, "rb") as fh:
                data = fh.read()
            items.append((os.path.relpath(path, base), Entry(Kind.FILE, os.stat(path).st_mode & 0o7777), data))
    return items


def _write_local(dest: str, items: list[tuple[str, Entry, bytes]], contents_only: bool) -> None:
    place = placement(dest, items[0][0], os.path.isdir(dest) and not contents_only)
    for rel, entry, data in items:
        path = place(rel)
        if entry.kind is Kind.DIR:
            os.makedirs(path, exist_ok=True)
        elif entry.kind is Kind.SYMLINK:
            if os.path.lexists(path):
                os.remove(path)
            os.symlink(entry.target, path)
        else:
            with open(path, "wb") as fh:
                fh.write(data)
            os.chmod(path, entry.mode & 0o777)


@command("cp", aliases=("container cp",), usage="docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-",
         short="Copy files/folders between a container and the local filesystem", args=(2, 2),
         flags=[Flag("archive", "a", bool, "Archive mode (copy all uid/gid information)"),
                Flag("follow-link", "L", bool, "Always follow symbol link in SRC_PATH")])
def cp(ctx, opts, args) -> int:
    (src_c, src), (dst_c, dst) = _split(args[0]), _split(args[1])
    if bool(src_c) == bool(dst_c):   # cli cp.go: plain errors, exit 1
        ctx.err("copying between containers is not supported\n" if src_c
                else "must specify at least one container source\n")
        return 1
    files = ctx.engine.containers.files
    try:
        if src_c and dst == "-":
            _write_binary(ctx, files.archive(src_c, src, follow_link=opts.follow_link))
            return 0
        if src_c:
            items = files.read_tree(src_c, src, follow_link=opts.follow_link)
            _write_local(os.path.join(ctx.cwd, dst), items, copies_contents(src))
            return 0
        if src == "-":
            point = files.extract_point(dst_c, dst)
            if point is None:
                ctx.err(f'destination "{dst_c}:{dst}" must be a directory\n')
                return 1
            files.extract(dst_c, point, ctx.stdin_bytes())
            return 0
        return _copy_in(ctx, files, src, dst_c, dst, opts.follow_link)
    except NotFound as err:
        ctx.err(f"Error: {err.message}\n")
        return 1
    except CopyRefused as err:
        ctx.err(f"{err.message}\n")
        return 1


def _copy_in(ctx, files, src: str, container: str, dest: str, follow_link: bool) -> int:
    """A local file or folder into the container (cli archive.CopyInfoSourcePath): a
    source that is a symbolic link, with `follow_link` or named with a trailing `/` or
    `/.`, is replaced by where it leads, copied under the link's name (GetRebaseName)."""
    local = os.path.abspath(os.path.join(ctx.cwd, src))
    if (follow_link or src.endswith(("/", "/."))) and os.path.islink(local):
        target = os.path.realpath(local)
        if not os.path.lexists(target):
            ctx.err(f"lstat {target}: no such file or directory\n")
            return 1
        link_name, target_name = os.path.basename(local), os.path.basename(target)
        items = [(link_name + rel[len(target_name):], entry, data) for rel, entry, data in _read_local(target)]
    elif not os.path.lexists(local):
        ctx.err(f"lstat {local}: no such file or directory\n")
        return 1
    else:
        items = _read_local(local)
    files.write_tree(container, dest, items, contents_only=copies_contents(src))
    return 0


def _write_binary(ctx, data: bytes) -> None:
    """Bytes to the CLI's standard output: through the writer's `binary` where it has one
    (the real stdout, `cli/main.py`); a writer of text gets them as a terminal shows them,
    decoded as UTF-8 with replacement characters (a scenario's transcript)."""
    binary = getattr(ctx.out, "binary", None)
    if binary is not None:
        binary(data)
    else:
        ctx.out(data.decode("utf-8", "replace"))

