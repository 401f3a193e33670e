"""COPY and ADD in the classic builder: sources, their cache checksums, and the copy itself.

Docker 20.10 `builder/dockerfile/copy.go` (`calcCopyInfo`, `copyWithWildcards`,
`walkSource`, `performCopyForInfo`), `internals.go` (`performCopy`: the history text
`COPY [--chown=u:g]<hash> in <dest> `), `copy_unix.go` (`fixPermissions`) and
`remotecontext/{tarsum,lazycontext,filehash}.go`: a file's checksum is the tarsum v1 of
its tar header fields without mtime (name, mode with file-type bits, uid, gid, size,
typeflag, linkname, uname, gname, devmajor, devminor) followed by its bytes; a
directory's is `dir:` + sha256 of its members' sums, sorted and joined by commas; several
sources give `multi:` + sha256 of their hashes joined by commas.

Context files are hashed from the CLI's tar (owner 0:0, no user names); files of an image
(`COPY --from`) are hashed by the daemon, which looks the owner's name up on its host:
a Debian host's /etc/passwd is assumed (`root` for 0).
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import tarfile
from dataclasses import dataclass, replace

from ...model.fs import FSError, Tree, UnionFS
from ...model.layer import Content, Entry, Kind, normpath
from ..errors import BuildError

TYPE_BITS = {Kind.FILE: 0o100000, Kind.DIR: 0o040000, Kind.SYMLINK: 0o120000}
TYPEFLAG = {Kind.FILE: "0", Kind.DIR: "5", Kind.SYMLINK: "2"}
HOST_USERS = {0: "root", 1: "daemon", 2: "bin", 3: "sys", 33: "www-data", 65534: "nogroup"}
WILDCARD = re.compile(r"(?<!\\)[*?\[]")


def tarsum(name: str, entry: Entry, uname: str = "", gname: str = "") -> str:
    """tarsum v1 of one member (`tarsum.WriteV1Header` + data), hex."""
    h = hashlib.sha256()
    size = entry.size if entry.kind is Kind.FILE else 0
    fields = [("name", name), ("mode", str(entry.mode | TYPE_BITS.get(entry.kind, 0))),
              ("uid", str(entry.uid)), ("gid", str(entry.gid)), ("size", str(size)),
              ("typeflag", TYPEFLAG.get(entry.kind, "0")),
              ("linkname", entry.target if entry.kind is Kind.SYMLINK else ""),
              ("uname", uname), ("gname", gname), ("devmajor", "0"), ("devminor", "0")]
    for key, value in fields:
        h.update((key + value).encode("utf-8", "surrogateescape"))
    if entry.kind is Kind.FILE and entry.content is not None:
        for chunk in entry.content.chunks():
            h.update(chunk)
    return h.hexdigest()


def hash_list(prefix: str, items: list[str]) -> str:
    """`hashStringSlice`: prefix + ":" + sha256 of the items joined by commas."""
    return prefix + ":" + hashlib.sha256(",".join(items).encode()).hexdigest()


@dataclass(frozen=True)
class CopySource:
    """Where COPY/ADD read from: the build context, or an image's filesystem (`--from`)."""

    tree: Tree
    from_image: bool = False

    @property
    def fs(self) -> UnionFS:
        return UnionFS(self.tree)

    def hash(self, rel: str) -> str:
        real = self.fs.resolve("/" + rel)
        entry = self.fs.get(real)
        name = real.lstrip("/") + ("/" if entry.kind is Kind.DIR else "")
        if self.from_image:
            return tarsum(name, entry, HOST_USERS.get(entry.uid, ""), HOST_USERS.get(entry.gid, ""))
        return tarsum(name, entry)


@dataclass(frozen=True)
class CopyInfo:
    path: str   # the source path as given (relative to the source root)
    hash: str   # file:..., dir:...


def _not_exist(rel: str, from_image: bool) -> BuildError:
    reason = f"stat {rel}: file does not exist"
    if not from_image:
        reason = "file not found in build context or excluded by .dockerignore: " + reason
    return BuildError(reason)


def _info(source: CopySource, rel: str) -> CopyInfo:
    """`calcCopyInfo` for one path without wildcards."""
    clean = posixpath.normpath(rel or ".")
    if clean == ".." or clean.startswith("../"):
        raise BuildError(f"forbidden path outside the build context: {rel} ()")
    fs = source.fs
    try:
        entry = fs.stat("/" + rel)
    except FSError:
        raise _not_exist(rel, source.from_image) from None
    if entry.kind is not Kind.DIR:
        return CopyInfo(rel, "file:" + source.hash(rel))
    root = fs.resolve("/" + rel)
    sums = sorted(source.hash(p.lstrip("/")) for p, _ in fs.walk(root) if p != "/")
    return CopyInfo(rel, hash_list("dir", sums))


def _glob_regex(pattern: str) -> re.Pattern:
    """Go `filepath.Match` as a regular expression (`*`, `?`, `[...]`, `\\` escapes)."""
    out, i = "", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                raise BuildError("syntax error in pattern")
            body = pattern[i + 1:end]
            out += "[" + ("^" + body[1:] if body.startswith("^") else body) + "]"
            i = end
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + r"\Z")


def copy_infos(source: CopySource, sources: list[str], command: str) -> list[CopyInfo]:
    """The sources of a COPY/ADD with their checksums; BuildError `<CMD> failed: ...`."""
    infos: list[CopyInfo] = []
    try:
        for orig in sources:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", orig):
                if command == "COPY":
                    raise BuildError("source can't be a URL for COPY")
                raise BuildError("downloading remote sources is not simulated (offline)")
            rel = orig.lstrip("/")
            rel = rel[2:] if rel.startswith("./") else rel
            if WILDCARD.search(rel):
                regex = _glob_regex(rel)
                for path, _ in source.fs.walk("/"):
                    if path != "/" and regex.match(path.lstrip("/")):
                        infos.append(_info(source, path.lstrip("/")))
            else:
                infos.append(_info(source, rel))
        if not infos:
            raise BuildError("no source files were specified")
    except BuildError as err:
        raise BuildError(f"{command} failed: {err.message}") from None
    return infos


def source_hash(infos: list[CopyInfo]) -> str:
    """`getSourceHashFromInfos`."""
    return infos[0].hash if len(infos) == 1 else hash_list("multi", [i.hash for i in infos])


def normalize_dest(workdir: str, dest: str) -> str:
    """`normalizeDest`: a relative destination joins the WORKDIR; a trailing `/` stays."""
    if dest.startswith("/"):
        return dest
    joined = normpath(posixpath.join("/", workdir or "/", dest))
    return joined + "/" if dest.endswith("/") and joined != "/" else joined


def _mkdir_all(fs: UnionFS, path: str, uid: int, gid: int) -> None:
    """`MkdirAllAndChownNew(path, 0755, identity)`: only the new directories get the owner."""
    done = "/"
    for name in [p for p in path.split("/") if p]:
        done = fs.resolve(posixpath.join(done, name))
        if fs.get(done) is None:
            fs.mkdir(done, 0o755, uid=uid, gid=gid)


def _place(fs: UnionFS, path: str, entry: Entry) -> None:
    """Create or replace `path` with `entry` (kind, data, mode, owner, mtime)."""
    old = fs.get(path)
    if old is not None and (old.kind is not entry.kind or entry.kind is Kind.SYMLINK):
        if not (old.kind is Kind.DIR and entry.kind is Kind.DIR):
            fs.remove(path, recursive=True)
            old = None
    if entry.kind is Kind.DIR:
        if old is None:
            fs.mkdir(path, entry.mode, uid=entry.uid, gid=entry.gid)
    elif entry.kind is Kind.SYMLINK:
        fs.symlink(entry.target, path)
    else:
        fs.write(path, entry.content or Content.of(b""), mode=entry.mode, uid=entry.uid, gid=entry.gid)
    if entry.kind is not Kind.SYMLINK:
        fs.set_meta(path, entry.mode, entry.uid, entry.gid)
    fs.upper[path] = replace(fs.upper[path], mtime=entry.mtime)


def _resolve_new(fs: UnionFS, path: str) -> str:
    """The path with symlinks resolved as far as it exists (the rest is created)."""
    try:
        return fs.resolve(path)
    except FSError:
        return normpath(path)


def _owned(entry: Entry, owner: tuple[int, int] | None) -> Entry:
    return entry if owner is None else replace(entry, uid=owner[0], gid=owner[1])


def _untar(fs: UnionFS, data: bytes, dest: str) -> bool:
    """ADD of a local archive (tar, optionally gzip/bzip2/xz): extract into `dest`.
    False when the data is not an archive (then it is copied as a file)."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
        members = tar.getmembers()
    except (tarfile.TarError, EOFError, OSError):
        return False
    _mkdir_all(fs, dest, 0, 0)
    for m in members:
        path = normpath(posixpath.join(dest, m.name))
        _mkdir_all(fs, posixpath.dirname(path), 0, 0)
        mode = m.mode & 0o7777
        if m.isdir():
            entry = Entry(Kind.DIR, mode, m.uid, m.gid, mtime=int(m.mtime))
        elif m.issym():
            entry = Entry(Kind.SYMLINK, 0o777, m.uid, m.gid, target=m.linkname, mtime=int(m.mtime))
        elif m.islnk():
            fs.link(normpath(posixpath.join(dest, m.linkname)), path)
            continue
        elif m.isfile():
            entry = Entry(Kind.FILE, mode, m.uid, m.gid, content=Content.of(tar.extractfile(m).read()),
                          mtime=int(m.mtime))
        else:
            continue
        _place(fs, path, entry)
    return True


def perform_copy(fs: UnionFS, source: CopySource, infos: list[CopyInfo], dest: str,
                 owner: tuple[int, int] | None, decompress: bool) -> None:
    """Copy every source into the step's filesystem (`performCopyForInfo`).

    owner: the `--chown` uid/gid, (0, 0) for context sources, None to keep the source's
    owner (`COPY --from` without `--chown`)."""
    src = source.fs
    new_dirs = owner or (0, 0)
    for info in infos:
        real = src.resolve("/" + info.path)
        entry = src.get(real)
        target = _resolve_new(fs, dest)
        if entry.kind is Kind.DIR:
            existed = fs.get(target) is not None
            _mkdir_all(fs, target, 0, 0)
            if not existed and owner is not None:
                fs.set_meta(target, uid=owner[0], gid=owner[1])
            for path, child in src.walk(real):
                if path == real:
                    continue
                _place(fs, normpath(posixpath.join(target, posixpath.relpath(path, real))),
                       _owned(child, owner))
            continue
        if decompress and entry.content is not None and _untar(fs, entry.content.read(), target):
            continue
        existing = fs.get(target)
        if dest.endswith("/") or (existing is not None and existing.kind is Kind.DIR):
            target = posixpath.join(target, posixpath.basename(info.path.rstrip("/")))
        _mkdir_all(fs, posixpath.dirname(target), *new_dirs)
        _place(fs, target, _owned(entry, owner))
