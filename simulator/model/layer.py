"""Layers: immutable changesets of a filesystem, and their OCI tar form.

A `Layer` maps absolute paths to `Entry` values: regular files, directories, symlinks,
hard links, whiteouts (a deleted path) and opaque directories (a directory that hides
everything below it in lower layers). Its diffID is the sha256 of its canonical
uncompressed tar in the OCI image-layer format (image-spec `layer.md`: whiteouts as
`.wh.<name>` files, opaque directories as `<dir>/.wh..wh..opq`).

Canonical tar (so that the same changeset always has the same diffID): PAX format,
members sorted by path (a directory before its contents), numeric owners with empty
user/group names, mtimes in whole seconds of the virtual clock (whiteout markers at 0),
and in each group of hard links the first member in that order carries the data. As in
Docker, a file's mtime is part of its layer: the same RUN step built again later gives a
new diffID, while equal changesets (same content, metadata and times) share one.
"""

from __future__ import annotations

import enum
import hashlib
import io
import posixpath
import tarfile
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
EMPTY_TAR_DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
_CHUNK = 1 << 20


class Kind(str, enum.Enum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    WHITEOUT = "whiteout"


@dataclass(frozen=True)
class Content:
    """The bytes of a regular file.

    Either literal `data`, or a synthetic blob of `size` bytes (for the multi-megabyte
    binaries of base images and packages): a short text header naming `label`, then
    zero bytes. Synthetic blobs are never held in memory whole unless read.
    """

    data: bytes | None = None
    size: int = 0
    label: str = ""

    @staticmethod
    def of(data: bytes | str) -> "Content":
        raw = data.encode() if isinstance(data, str) else bytes(data)
        return Content(data=raw, size=len(raw))

    @staticmethod
    def synthetic(size: int, label: str) -> "Content":
        return Content(data=None, size=size, label=label)

    def _header(self) -> bytes:
        return f"\x7fSIMULATED {self.label}\n".encode()[: self.size]

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        head = self._header()
        yield head
        left = self.size - len(head)
        zeros = bytes(min(_CHUNK, max(left, 0)))
        while left > 0:
            n = min(left, _CHUNK)
            yield zeros[:n]
            left -= n

    def read(self) -> bytes:
        return self.data if self.data is not None else b"".join(self.chunks())

    @cached_property
    def digest(self) -> str:
        h = hashlib.sha256()
        for chunk in self.chunks():
            h.update(chunk)
        return h.hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Content):
            return NotImplemented
        if self.size != other.size:
            return False
        if self.data is not None and other.data is not None:
            return self.data == other.data
        if self.data is None and other.data is None and self.label == other.label:
            return True
        return self.digest == other.digest

    def __hash__(self) -> int:
        return hash((self.size, self.data if self.data is not None else self.label))

    def __deepcopy__(self, memo) -> "Content":
        return self   # immutable: engine snapshots share it


@dataclass(frozen=True)
class Entry:
    """One path in a changeset or a filesystem view.

    mode: permission bits only (e.g. 0o755, 0o1777), never the file type.
    target: the symlink's target, or for a hard link the absolute path it links to
    (in the same layer). opaque: for a directory, hide every lower entry below it.
    mtime: seconds on the virtual clock; compared by `diff` and kept in the layer's tar.
    """

    kind: Kind
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    content: Content | None = None
    target: str = ""
    opaque: bool = False
    mtime: int = 0

    @property
    def size(self) -> int:
        """Bytes counted by Docker's layer size: file data, or a symlink's target length."""
        if self.kind is Kind.FILE and self.content is not None:
            return self.content.size
        if self.kind is Kind.SYMLINK:
            return len(self.target)
        return 0

    def same_metadata(self, other: "Entry") -> bool:
        return (self.kind, self.mode, self.uid, self.gid) == (other.kind, other.mode, other.uid, other.gid)

    def touched(self, mtime: int) -> "Entry":
        return replace(self, mtime=mtime)

    def __deepcopy__(self, memo) -> "Entry":
        return self   # immutable: engine snapshots share it


def file(data: bytes | str = b"", mode: int = 0o644, uid: int = 0, gid: int = 0, mtime: int = 0) -> Entry:
    return Entry(Kind.FILE, mode, uid, gid, content=Content.of(data), mtime=mtime)


def blob(size: int, label: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> Entry:
    return Entry(Kind.FILE, mode, uid, gid, content=Content.synthetic(size, label))


def directory(mode: int = 0o755, uid: int = 0, gid: int = 0, opaque: bool = False, mtime: int = 0) -> Entry:
    return Entry(Kind.DIR, mode, uid, gid, opaque=opaque, mtime=mtime)


def symlink(target: str, uid: int = 0, gid: int = 0, mtime: int = 0) -> Entry:
    return Entry(Kind.SYMLINK, 0o777, uid, gid, target=target, mtime=mtime)


def hardlink(target: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> Entry:
    return Entry(Kind.HARDLINK, mode, uid, gid, target=target)


WHITEOUT = Entry(Kind.WHITEOUT, mode=0o600)


def normpath(path: str) -> str:
    """An absolute, clean path: `a/../b/` -> `/b`."""
    clean = posixpath.normpath("/" + path)
    return "/" + clean.lstrip("/")


def parents(path: str) -> list[str]:
    """Ancestors of `path`, outermost first, without `/`: `/a/b/c` -> [`/a`, `/a/b`]."""
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def sort_key(path: str) -> tuple[str, ...]:
    """Order paths so that a directory comes right before its contents."""
    return tuple(path.strip("/").split("/"))


class InvalidLayer(ValueError):
    """A changeset or layer tar that breaks the OCI layer rules."""


@dataclass(frozen=True, eq=False)
class Layer:
    """An immutable changeset; build one with `Layer.of(mapping)`."""

    entries: Mapping[str, Entry] = field(default_factory=dict)
    comment: str = ""

    @staticmethod
    def of(entries: Mapping[str, Entry], comment: str = "") -> "Layer":
        ordered: dict[str, Entry] = {}
        for path in sorted(entries, key=sort_key):
            norm = normpath(path)
            if norm == "/":
                continue
            name = posixpath.basename(norm)
            if name.startswith(WHITEOUT_PREFIX):
                raise InvalidLayer(f"invalid file name {name!r}: names starting with {WHITEOUT_PREFIX} are reserved")
            ordered[norm] = entries[path]
        for path, entry in ordered.items():
            if entry.kind is Kind.HARDLINK:
                target = ordered.get(entry.target)
                if target is None or target.kind is not Kind.FILE:
                    raise InvalidLayer(f"hard link {path} -> {entry.target}: target not a file in the same layer")
        return Layer(MappingProxyType(ordered), comment)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layer) and self.diff_id == other.diff_id

    def __hash__(self) -> int:
        return hash(self.diff_id)

    def __deepcopy__(self, memo) -> "Layer":
        return self   # immutable: engine snapshots share it

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def empty(self) -> bool:
        return not self.entries

    @cached_property
    def size(self) -> int:
        """DiffSize: file bytes (each hard-linked file once) plus symlink target lengths."""
        return sum(e.size for e in self.entries.values())

    @cached_property
    def diff_id(self) -> str:
        sink = HashSink()
        self.write_tar(sink)
        return "sha256:" + sink.hash.hexdigest()

    def tar_members(self) -> Iterator[tuple[tarfile.TarInfo, Content | None]]:
        """The canonical tar's members in order, each with its file data (or None)."""
        holders: dict[str, str] = {}  # hard-link target path -> member that carries the data
        for path, entry in self.entries.items():
            rel = path.lstrip("/")
            if entry.kind is Kind.WHITEOUT:
                head, name = posixpath.split(rel)
                yield _info(posixpath.join(head, WHITEOUT_PREFIX + name), tarfile.REGTYPE, 0o600, 0, 0), None
                continue
            if entry.kind is Kind.DIR:
                yield _info(rel, tarfile.DIRTYPE, entry.mode, entry.uid, entry.gid, entry.mtime), None
                if entry.opaque:
                    yield _info(posixpath.join(rel, OPAQUE_MARKER), tarfile.REGTYPE, 0o600, 0, 0), None
                continue
            if entry.kind is Kind.SYMLINK:
                info = _info(rel, tarfile.SYMTYPE, entry.mode, entry.uid, entry.gid, entry.mtime)
                info.linkname = entry.target
                yield info, None
                continue
            group = entry.target if entry.kind is Kind.HARDLINK else path
            if group in holders:
                info = _info(rel, tarfile.LNKTYPE, entry.mode, entry.uid, entry.gid, entry.mtime)
                info.linkname = holders[group].lstrip("/")
                yield info, None
                continue
            holders[group] = path
            data = self.entries[group]
            info = _info(rel, tarfile.REGTYPE, data.mode, data.uid, data.gid, data.mtime)
            info.size = data.content.size if data.content else 0
            yield info, data.content

    def write_tar(self, fileobj) -> None:
        """Write the canonical tar. Headers come from `tarfile`; the archive ends with two
        zero blocks and no record padding, as Go's archive/tar writes it (so the empty
        layer's diffID is Docker's `EMPTY_TAR_DIFF_ID`)."""
        for info, content in self.tar_members():
            fileobj.write(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))
            if content is not None:
                for chunk in content.chunks():
                    fileobj.write(chunk)
                pad = -content.size % tarfile.BLOCKSIZE
                if pad:
                    fileobj.write(bytes(pad))
        fileobj.write(bytes(2 * tarfile.BLOCKSIZE))

    def tar_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.write_tar(buf)
        return buf.getvalue()

    @staticmethod
    def from_tar(fileobj, strict: bool = True) -> "Layer":
        """Read an OCI layer tar. Raises InvalidLayer for names that escape the root,
        device nodes, bad whiteout names and hard links to missing members."""
        entries: dict[str, Entry] = {}
        with tarfile.open(fileobj=fileobj, mode="r:*") as tar:
            for member in tar:
                path = _member_path(member.name)
                if path is None:
                    continue
                head, name = posixpath.split(path)
                if name == OPAQUE_MARKER:
                    parent = entries.get(head, directory())
                    entries[head] = replace(parent, opaque=True)
                    continue
                if name.startswith(WHITEOUT_PREFIX):
                    real = name[len(WHITEOUT_PREFIX):]
                    if real in ("", ".", "..") or "/" in real:
                        raise InvalidLayer(f"invalid whiteout name {name!r}")
                    entries[posixpath.join(head, real)] = WHITEOUT
                    continue
                mode = member.mode & 0o7777
                if member.isdir():
                    previous = entries.get(path)
                    entries[path] = directory(mode, member.uid, member.gid,
                                              opaque=bool(previous and previous.opaque))
                elif member.issym():
                    entries[path] = symlink(member.linkname, member.uid, member.gid)
                elif member.islnk():
                    target = _member_path(member.linkname)
                    if target is None or target not in entries:
                        raise InvalidLayer(f"hard link {member.name} -> {member.linkname}: no such member")
                    base = entries[target]
                    if base.kind is Kind.HARDLINK:
                        target = base.target
                    entries[path] = hardlink(target, mode, member.uid, member.gid)
                elif member.isfile():
                    data = tar.extractfile(member).read()
                    entries[path] = Entry(Kind.FILE, mode, member.uid, member.gid, content=Content.of(data))
                elif strict:
                    raise InvalidLayer(f"{member.name}: device nodes and FIFOs are not supported")
        return Layer.of(entries)


def _member_path(name: str) -> str | None:
    """The absolute path of a tar member, or InvalidLayer if it escapes the root."""
    if name.startswith("/") or ".." in name.split("/"):
        raise InvalidLayer(f"{name}: path escapes the root of the layer")
    path = normpath(name)
    return None if path == "/" else path


def _info(name: str, kind: bytes, mode: int, uid: int, gid: int, mtime: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.uname = info.gname = ""
    info.mtime = mtime
    return info


class HashSink:
    """A write-only file that keeps the sha256 and the count of what went through it."""

    def __init__(self):
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def chain_ids(diff_ids: Iterable[str]) -> list[str]:
    """ChainIDs per image-spec `config.md`: ChainID(L0..Ln) = sha256(ChainID(..n-1) + " " + DiffID(n))."""
    out: list[str] = []
    for d in diff_ids:
        out.append(d if not out else "sha256:" + hashlib.sha256(f"{out[-1]} {d}".encode()).hexdigest())
    return out
