"""The tar streams of `docker cp` with `-`, on a container's files (Docker 20.10.24).

`archive` is what `docker cp CONTAINER:PATH -` writes (moby `daemon/archive.go`
containerArchivePath, `pkg/archive` TarWithOptions and addTarFile, Go's archive/tar):

- members named from the copied path's base name (`docker cp c:/etc/hosts -` -> `hosts`;
  `c:/d` and `c:/d/` -> `d/`, `d/f`...; `c:/d/.` -> `./`, `./f`; `c:/` -> `/`, `/bin/`...),
  in the order of Go's filepath.Walk (names sorted), a directory's name ending in `/`;
- a symbolic link named last is the link itself unless the path ends in `/` or `/.`;
- mode with Go's file type bits, numeric owners plus the names the container's
  /etc/passwd and /etc/group give them (archive/tar's lookup runs in the container's
  root: "" when there is none), the entry's mtime in whole seconds;
- the second and later names of a file's inode are hard links (`1`, size 0) to the first:
  in the writable layer the model's hard links, in the image's layers the names that share
  one entry (`model.fs.apply_layer` resolves a layer's hard links so);
- headers as `model.gotar` writes them, then two zero blocks.

`extract` is what the daemon does with the stream of `docker cp - CONTAINER:DEST`
(containerExtractToDir -> `pkg/archive` Unpack with NoOverwriteDirNonDir, in a chroot of
the container's root, so paths and links stay inside it):

- the stream may be compressed (gzip, bzip2, xz); a malformed one fails as `docker load`'s
  does (`archive_fs`); member names are cleaned (`./a/` -> `a`) and joined to DEST;
- a missing parent is made first (mode 0755, root), then a name outside DEST is refused:
  `Error processing tar file(exit status 1): "../x" is outside of "/dest"`;
- an existing directory is merged with a directory member (its owner, mode and mtime
  become the member's; a `.` member over DEST is skipped), and refused for anything else
  (`cannot overwrite directory "/etc" with non-directory "/"`, and the reverse); any
  other existing name is removed first;
- symbolic links must point inside DEST (`invalid symlink "/d/s" -> "../../x"`), hard
  links must name a member inside it (`invalid hardlink "/etc/x" -> "../etc/x"`);
- each member gets the owner in its header (chown also clears setuid, and setgid with
  group execute, of a file), then its mode (not a symbolic link's; a hard link's only
  where its target name exists relative to the root, Go's os.Lstat from `/`), then its
  mtime; directories get their mtimes again at the end;
- device nodes fail (`operation not permitted`, as in the daemon's untar); FIFOs, which
  the model cannot hold, are refused with a simulator note.

The stream is read whole before anything is extracted, so a malformed one changes
nothing (Docker keeps the members before the damage: docs/fidelity.md).
"""

from __future__ import annotations

import errno
import posixpath
import tarfile
from dataclasses import replace
from typing import Callable

from ..backend.start_errors import go_errno
from ..model import gotar
from ..model.fs import FSError, UnionFS
from ..model.layer import Entry, Kind, normpath
from .archive_fs import ArchiveError, decompress, tar_members, unpack_error
from .errors import DockerError
from .scope import follow_in_scope

_TAR_ERROR = "Error processing tar file(exit status 1): "


# -- the stream `docker cp CONTAINER:PATH -` writes -------------------------------------------------
def _base(path: str) -> str:
    """Go's filepath.Base: the last element, trailing slashes dropped; `/` for the root."""
    stripped = path.rstrip("/")
    return posixpath.basename(stripped) if stripped else "/"


def locate(fs: UnionFS, path: str, merged: str) -> tuple[str, str]:
    """(the path the archive is made of, the name its first member gets), as ResolvePath
    and StatPath find it: the parent resolved in scope, the last component followed only
    for a trailing `/` or `/.` (archive.PreserveTrailingDotOrSeparator). FSError(ENOENT)
    when it does not exist; DockerError `lstat <merged>/d/f/: not a directory` when a
    file is named as a directory."""
    clean = normpath(path)
    trailing = "/." if _base(path) == "." else "/" if path.endswith("/") else ""
    if clean == "/":
        real = "/"
    elif trailing:
        real = follow_in_scope(fs, clean, merged)
    else:
        head, base = posixpath.split(clean)
        real = posixpath.join(follow_in_scope(fs, head, merged), base)
    parent = fs.get(posixpath.dirname(real))
    if real != "/" and parent is not None and parent.kind is not Kind.DIR:
        raise DockerError(f"lstat {merged}{real}: not a directory")
    entry = fs.get(real)
    if entry is None:
        raise FSError(errno.ENOENT, path)
    if trailing and entry.kind is not Kind.DIR:
        raise DockerError(f"lstat {merged}{real}{trailing}: not a directory")
    # TarResourceRebaseOpts(.., filepath.Base(absPath)): `/` renames to nothing (its
    # members start with `/`), `d/.` to `.`, `d/` to `d`
    name = _base(clean.rstrip("/") + trailing if trailing else clean)
    return real, "" if name == "/" else name


def _names(fs: UnionFS, path: str, field: int) -> Callable[[int], str]:
    """Go's user.LookupId / LookupGroupId on the container's /etc/passwd (field 6 and more)
    or /etc/group (4 and more): the first line whose third field is the ID, else ""."""
    try:
        text = fs.read(path).decode("utf-8", "replace")
    except FSError:
        text = ""
    table: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= field and parts[0] and parts[0][0] not in "+-#":
            table.setdefault(parts[2], parts[0])
    return lambda number: table.get(str(number), "")


def _inode(fs: UnionFS, path: str, entry: Entry, keep: list) -> tuple:
    """What one inode's names share: a hard link of the writable layer names its data
    holder; elsewhere the entry object itself (kept alive in `keep`, so no id is reused)."""
    upper = fs.upper.get(path)
    if upper is not None and upper.kind is Kind.HARDLINK:
        return ("upper", upper.target)
    if upper is not None:
        return ("upper", path)
    keep.append(entry)
    return ("entry", id(entry))


def archive(fs: UnionFS, path: str, merged: str) -> bytes:
    """The tar `docker cp CONTAINER:PATH -` writes (see the module docstring); errors as `locate`."""
    real, top = locate(fs, path, merged)
    user, group = _names(fs, "/etc/passwd", 6), _names(fs, "/etc/group", 4)
    seen: dict[tuple, str] = {}
    keep: list = []
    out = []
    for current, entry in fs.walk(real):
        rel = posixpath.relpath(current, real)
        name = top if rel == "." else f"{top}/{rel}"
        owner = {"uid": entry.uid, "gid": entry.gid, "mtime": entry.mtime,
                 "uname": user(entry.uid), "gname": group(entry.gid)}
        data = b""
        if entry.kind is Kind.DIR:
            header = gotar.Header(name + "/", gotar.TYPE_DIR, gotar.DIR | entry.mode, **owner)
        elif entry.kind is Kind.SYMLINK:
            header = gotar.Header(name, gotar.TYPE_SYMLINK, gotar.SYMLINK | entry.mode, linkname=entry.target,
                                  **owner)
        else:
            inode = _inode(fs, current, entry, keep)
            if inode in seen:
                header = gotar.Header(name, gotar.TYPE_LINK, gotar.REG | entry.mode, linkname=seen[inode], **owner)
            else:
                seen[inode] = name
                data = entry.content.read() if entry.content else b""
                header = gotar.Header(name, gotar.TYPE_REG, gotar.REG | entry.mode, size=len(data), **owner)
        out += [gotar.header_blocks(header), data, gotar.padding(len(data))]
    out.append(gotar.END)
    return b"".join(out)


# -- the stream `docker cp - CONTAINER:DEST` reads ---------------------------------------------------
def _tar_error(reason: str) -> ArchiveError:
    return ArchiveError(_TAR_ERROR + reason)


def _join(dest: str, name: str) -> str:
    """Go's filepath.Join(dest, name) for an absolute `dest` (`..` stops at the root)."""
    return normpath(posixpath.join(dest, name.lstrip("/")))


def _clean(name: str) -> str:
    """Go's filepath.Clean of a member name (Python's tarfile gives `/` as "")."""
    if name == "":
        return "/"
    cleaned = posixpath.normpath(name)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _lstat(fs: UnionFS, path: str) -> Entry | None:
    """os.Lstat: the entry at `path` (its last component not followed), or None."""
    try:
        return fs.get(fs.resolve(path, follow=False))
    except FSError:
        return None


def _failed(op: str, err: FSError, path: str) -> ArchiveError:
    """A Go PathError as the untar prints it: `mkdir /d/x: not a directory`."""
    return _tar_error(f"{op} {path}: {go_errno(err.code)}")


def _missing(fs: UnionFS, path: str) -> bool:
    """os.Lstat fails with ENOENT (not for a file on the way: then nothing is made and
    the member's own creation fails)."""
    try:
        return fs.get(fs.resolve(path, follow=False)) is None
    except FSError as err:
        return err.code == errno.ENOENT


def _set_meta(fs: UnionFS, path: str, uid: int | None = None, gid: int | None = None,
              mode: int | None = None, mtime: int | None = None) -> None:
    """lchown, chmod and utimes on `path` itself (a symbolic link is not followed; a hard
    link changes its inode, the data holder). In the container's own writable layer the
    entry is rewritten in place, as the build's COPY does; a mount's store takes owner and
    mode through `set_meta` and stamps its own time."""
    real = fs.resolve(path, follow=False)
    mounts = getattr(fs, "mounts", ())
    if any(real == m.destination or real.startswith(m.destination.rstrip("/") + "/") for m in mounts):
        if fs.get(real).kind is not Kind.SYMLINK:
            fs.set_meta(real, mode=mode, uid=uid, gid=gid)
        return
    fs.copy_up(real)
    key = real
    if fs.upper[key].kind is Kind.HARDLINK:
        key = fs.upper[key].target
    entry = fs.upper[key]
    changes: dict = {}
    if uid is not None:
        changes.update(uid=uid, gid=gid)
        if entry.kind is Kind.FILE:   # chown(2) of a non-directory: setuid, and setgid with g+x, go
            changes["mode"] = entry.mode & ~(0o4000 | (0o2000 if entry.mode & 0o010 else 0))
    if mode is not None:
        changes["mode"] = mode
    if mtime is not None:
        changes["mtime"] = mtime
    fs.upper[key] = replace(entry, **changes)


def refuse_overwrite(old: Entry, is_dir: bool, path: str, dest: str) -> None:
    """Unpack with NoOverwriteDirNonDir: ArchiveError when a member (`is_dir` or not)
    would replace the existing `old` at `path` of the other kind, `dest` the extraction
    directory (`cannot overwrite non-directory "/etc/passwd" with directory "/etc"`)."""
    if old.kind is Kind.DIR and not is_dir:
        raise _tar_error(f'cannot overwrite directory "{path}" with non-directory "{dest}"')
    if old.kind is not Kind.DIR and is_dir:
        raise _tar_error(f'cannot overwrite non-directory "{path}" with directory "{dest}"')


def extract(fs: UnionFS, dest: str, data: bytes) -> int:
    """Unpack the stream `data` into the existing directory `dest` (a clean path, links
    resolved) of the container view `fs`; the count of members. Raises ArchiveError with
    the daemon's words (see the module docstring)."""
    plain, problem = decompress(data)
    members = tar_members(plain, _tar_error)
    if problem:
        raise unpack_error(problem)
    dirs: list[tuple[str, int]] = []
    count = 0
    for info, content in members:
        name = _clean(info.name)
        if name != "/":
            parent = _join(dest, posixpath.dirname(name))
            if _missing(fs, parent):
                try:   # idtools.MkdirAllAndChownNew(parent, 0755, root)
                    fs.mkdir(parent, 0o755, parents_too=True)
                except FSError as err:
                    raise _failed("mkdir", err, parent) from None
        path = _join(dest, name)
        if posixpath.relpath(path, dest).startswith("../"):
            raise _tar_error(f'"{name}" is outside of "{dest}"')
        old = _lstat(fs, path)
        if old is not None:
            refuse_overwrite(old, info.isdir(), path, dest)
            if old.kind is Kind.DIR and name == ".":
                continue
            if old.kind is not Kind.DIR:
                try:
                    fs.remove(path, recursive=True)
                except FSError as err:
                    raise _failed("unlinkat", err, path) from None
        _create(fs, path, dest, info, content)
        count += 1
        if info.isdir():
            dirs.append((path, int(info.mtime)))
    for path, mtime in dirs:   # last: creating children changed them
        _set_meta(fs, path, mtime=mtime)
    return count


def _create(fs: UnionFS, path: str, dest: str, info: tarfile.TarInfo, content: bytes | None) -> None:
    """createTarFile: make the member, then its owner, mode and mtime, in that order."""
    mode, mtime = info.mode & 0o7777, int(info.mtime)
    chmod, op, names = True, "open", (path,)
    try:
        if info.isdir():
            op = "mkdir"
            if _lstat(fs, path) is None:
                fs.mkdir(path, mode)
        elif info.isreg() and info.type != tarfile.CONTTYPE:
            fs.write(path, content or b"", mode=mode)
        elif info.issym():
            if not _join(posixpath.dirname(path), info.linkname).startswith(dest):
                raise _tar_error(f'invalid symlink "{path}" -> "{info.linkname}"')
            op, names, chmod = "symlink", (info.linkname, path), False
            fs.symlink(info.linkname, path)
        elif info.islnk():
            target = _join(dest, info.linkname)
            if not target.startswith(dest):
                raise _tar_error(f'invalid hardlink "{target}" -> "{info.linkname}"')
            op, names = "link", (target, path)
            fs.link(target, path)
            named = _lstat(fs, _join("/", info.linkname))   # os.Lstat(hdr.Linkname) from the root
            chmod = named is not None and named.kind is not Kind.SYMLINK
        elif info.ischr() or info.isblk():
            raise _tar_error(go_errno(errno.EPERM))
        elif info.isfifo():
            raise DockerError(f"simulator: {info.name} in the archive is a FIFO, which the simulator "
                              "does not model (see docs/fidelity.md)")
        else:
            raise _tar_error(f"unhandled tar header type {ord(info.type)}")
        op, names = "lchown", (path,)
        _set_meta(fs, path, uid=info.uid, gid=info.gid)
        op = "chmod"
        _set_meta(fs, path, mode=mode if chmod else None, mtime=mtime if chmod or info.issym() else None)
    except FSError as err:
        code = errno.EPERM if op == "link" and err.code == errno.EINVAL else err.code
        raise _tar_error(f"{op} {' '.join(names)}: {go_errno(code)}") from None
