"""An image archive unpacked in memory, read back as `docker load` reads its temporary folder.

moby's `tarexport.Load` (20.10) unpacks the uploaded tar with `chrootarchive.Untar` into
`<data-root>/tmp/docker-import-<random>` and opens its files with `safePath`
(`symlink.FollowSymlinkInScope`). Here nothing touches the host: `ArchiveFS.unpack` builds a
tree of nodes (directory, file bytes, symbolic link, special file) with the same results:

- the archive may be gzip, bzip2 or xz compressed (`archive.DecompressStream`, by magic bytes);
- member names are cleaned inside the root as the chroot does: `../x` and `/x` are `x`;
- a later member replaces an earlier one of the same name (a directory over a directory keeps
  it), the missing parents of a member are made, and a member below a symbolic link lands
  where the link leads, inside the root (`archive.Unpack` in a chroot);
- a hard link copies what its target is (`link(2)` does not follow a final symbolic link);
- reading a path follows every symbolic link inside the root: an absolute target or `..`
  starts again from the archive's root, never from the host's (`safePath`).

Errors carry the daemon's words (Go's `archive/tar`: `unexpected EOF`, `archive/tar: invalid
tar header`, wrapped as `Error processing tar file(exit status 1): ...`; `open
<tmp>/<path>: no such file or directory`; `flate: corrupt input before offset N`).
"""

from __future__ import annotations

import bz2
import io
import lzma
import posixpath
import tarfile
import zlib
from dataclasses import dataclass

from .errors import DockerError

# The most an archive (or one of its layers) may unpack to: a guard against decompression
# bombs, far above any image a scenario loads.
MAX_BYTES = 1 << 30
MAX_LINKS = 255   # symlink.FollowSymlinkInScope's maxLoopCount
_BLOCK = tarfile.BLOCKSIZE
_CHUNK = 1 << 16   # compressed bytes fed to a decompressor at a time


class ArchiveError(DockerError):
    """An archive the daemon refuses, with its message (printed as it is by `docker load`)."""


def _tar_error(reason: str) -> ArchiveError:
    return ArchiveError(f"Error processing tar file(exit status 1): {reason}")


def too_big() -> ArchiveError:
    return ArchiveError(f"simulator: the archive unpacks to more than {MAX_BYTES >> 30} GiB, more than "
                        "the simulator loads (see docs/fidelity.md)")


# -- decompression ------------------------------------------------------------------------------
_MAGIC = ((b"\x1f\x8b\x08", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"),
          (b"\x28\xb5\x2f\xfd", "zstd"))


def compression(data: bytes) -> str:
    """`archive.DetectCompression`: "gzip", "bzip2", "xz", "zstd" or "" (none)."""
    return next((name for magic, name in _MAGIC if data.startswith(magic)), "")


def decompress(data: bytes) -> tuple[bytes, str]:
    """The uncompressed bytes of `data` (as they are when not compressed) and "" or, when the
    stream is cut short or corrupt, the bytes it gave up to there and the reason as Go's
    readers word it (`unexpected EOF`, `gzip: invalid header`, `flate: corrupt input before
    offset N`, `bzip2 data invalid`). moby pipes those bytes to its untar process while it
    decompresses, so the untar's own error, if it meets one first, is the one reported
    (`unpack_error`). More than MAX_BYTES raises too_big()."""
    kind = compression(data)
    if not kind:
        if len(data) > MAX_BYTES:
            raise too_big()
        return data, ""
    if kind == "zstd":
        raise ArchiveError("simulator: zstd-compressed archives are not supported (see docs/fidelity.md)")
    new = {"gzip": lambda: zlib.decompressobj(31), "bzip2": bz2.BZ2Decompressor,
           "xz": lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ)}[kind]
    out, size, member, start, at = [], 0, new(), 0, 0
    while True:
        while at < len(data) and not member.eof:
            try:
                piece = member.decompress(data[at:at + _CHUNK])
            except (zlib.error, OSError, lzma.LZMAError, EOFError) as e:
                return b"".join(out), _reason(kind, str(e), data[start:])
            at += _CHUNK
            out.append(piece)
            size += len(piece)
            if size > MAX_BYTES:
                raise too_big()
        if not member.eof:
            return b"".join(out), "unexpected EOF"
        at = start = min(at, len(data)) - len(member.unused_data)
        if at >= len(data):   # Go's readers go on to a next stream (gzip member) only if bytes follow
            return b"".join(out), ""
        if kind == "gzip" and len(data) - at < 10:   # Go reads the next member's 10-byte header whole
            return b"".join(out), "unexpected EOF"
        if compression(data[at:]) != kind:
            return b"".join(out), {"gzip": "gzip: invalid header", "bzip2": "bzip2 data invalid: bad magic value",
                                   "xz": "exit status 1"}[kind]
        member = new()


def _reason(kind: str, message: str, stream: bytes) -> str:
    """Go's words for a corrupt stream (`stream`: the gzip member it happened in)."""
    if kind == "gzip":
        if "header" in message:
            return "gzip: invalid header"
        if "data check" in message or "length check" in message:
            return "gzip: invalid checksum"
        return f"flate: corrupt input before offset {_flate_offset(stream)}"
    return "bzip2 data invalid" if kind == "bzip2" else "exit status 1"


def unpack_error(reason: str) -> ArchiveError:
    """A stream that failed to decompress after the untar read all it was given."""
    return ArchiveError(f"Error processing tar file({reason}): ")


def _flate_offset(data: bytes) -> int:
    """Where Go's `compress/flate` reports corrupt deflate data in a gzip stream: the count of
    deflate bytes read up to and including the one zlib refuses (the gzip header not counted)."""
    flags, at = data[3], 10
    if flags & 4:                      # FEXTRA
        at += 2 + int.from_bytes(data[at:at + 2], "little")
    for flag in (8, 16):               # FNAME, FCOMMENT: zero-terminated
        if flags & flag:
            at = data.index(b"\0", at) + 1
    if flags & 2:                      # FHCRC
        at += 2
    body, inflater, start = data[at:], zlib.decompressobj(-15), 0
    while start < len(body):
        chunk = body[start:start + _CHUNK]
        before = inflater.copy()
        try:
            inflater.decompress(chunk)
        except zlib.error:
            for n in range(len(chunk)):
                try:
                    before.decompress(chunk[n:n + 1])
                except zlib.error:
                    return start + n + 1
        start += len(chunk)
    return len(body)


# -- tar members ---------------------------------------------------------------------------------
def tar_members(data: bytes, error=_tar_error) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    """The members of the uncompressed tar `data` with the data of regular files, as Go's
    `archive/tar` reads them: an empty input is an empty archive, the archive may end without
    its two zero blocks, what follows them is ignored; a short block or member is `unexpected
    EOF` and a block that is no header `archive/tar: invalid tar header` (each passed through
    `error`)."""
    if not data:
        return []
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except tarfile.ReadError as e:
        raise error("unexpected EOF" if "truncated" in str(e) else "archive/tar: invalid tar header") from None
    members = []
    try:
        for info in tar:
            content = tar.extractfile(info).read() if info.isreg() else None
            if content is not None and len(content) < info.size:
                raise error("unexpected EOF")
            members.append((info, content))
    except tarfile.ReadError as e:
        raise error("unexpected EOF" if "unexpected end" in str(e) or "truncated" in str(e)
                    else "archive/tar: invalid tar header") from None
    _check_end(data, tar.offset, error)
    return members


def _check_end(data: bytes, offset: int, error) -> None:
    """`tarfile` stops quietly where Go's reader fails: at a cut member (offset past the end),
    a short block, or a block that is not a header after the members (or after one zero block)."""
    if offset > len(data):
        raise error("unexpected EOF")
    block = data[offset:offset + _BLOCK]
    if not block:
        return
    if len(block) < _BLOCK:
        raise error("unexpected EOF")
    if block.count(0) == _BLOCK:
        second = data[offset + _BLOCK:offset + 2 * _BLOCK]
        if not second or second.count(0) == _BLOCK:
            return
        if len(second) < _BLOCK:
            raise error("unexpected EOF")
    raise error("archive/tar: invalid tar header")


# -- the unpacked tree ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    """kind: "dir", "file" (data), "symlink" (target) or "special" (a device node or FIFO)."""

    kind: str
    data: bytes = b""
    target: str = ""


_DIR = Node("dir")


def clean(name: str) -> str:
    """A member name as the chroot sees it: absolute, `..` stopped at the root."""
    return posixpath.normpath("/" + name).replace("//", "/")


class ArchiveFS:
    """The unpacked archive: clean absolute paths -> Node, below the daemon's temporary folder
    `root` (the prefix of paths in error messages)."""

    def __init__(self, root: str):
        self.root = root
        self.nodes: dict[str, Node] = {"/": _DIR}

    @staticmethod
    def unpack(data: bytes, root: str) -> "ArchiveFS":
        """Unpack archive bytes (compressed or not); raises ArchiveError as the daemon fails."""
        fs = ArchiveFS(root)
        plain, problem = decompress(data)
        for info, content in tar_members(plain):
            fs._add(info, content)
        if problem:
            raise unpack_error(problem)
        return fs

    # -- writing, as archive.Unpack does in its chroot ---------------------------------------
    def _add(self, info: tarfile.TarInfo, content: bytes | None) -> None:
        path = clean(info.name)
        if path == "/":
            return
        if info.isdir():
            node = _DIR
        elif info.isreg():
            node = Node("file", content or b"")
        elif info.issym():
            node = Node("symlink", target=info.linkname)
        elif info.islnk():
            node = self._link_target(info.linkname, path)
        elif info.ischr() or info.isblk() or info.isfifo():
            node = Node("special")
        else:
            raise _tar_error(f"unhandled tar header type {ord(info.type)}\n")
        parent = self._make_parents(posixpath.dirname(path), path)
        self._place(posixpath.join(parent, posixpath.basename(path)), node)

    def _link_target(self, linkname: str, path: str) -> Node:
        target = clean(linkname)
        try:
            node = self.nodes.get(self._lexical(target))
        except ArchiveError:
            raise _tar_error(f"link {target} {path}: not a directory") from None
        if node is None:
            raise _tar_error(f"link {target} {path}: no such file or directory")
        if node.kind == "dir":
            raise _tar_error(f"link {target} {path}: operation not permitted")
        return node

    def _lexical(self, path: str) -> str:
        """`path` with the links of its parents followed but not a final one (`lstat`)."""
        return posixpath.join(self._resolve(posixpath.dirname(path)), posixpath.basename(path))

    def _make_parents(self, parent: str, path: str) -> str:
        """The real location of `parent` (links followed), made like `mkdir -p` when missing.
        A parent that is a link to nowhere is left alone, so creating `path` in it fails."""
        try:
            where = self._resolve(parent)
        except ArchiveError:   # a file on the way
            raise _tar_error(f"mkdir {parent}: not a directory") from None
        if where not in self.nodes and parent != "/" and self.nodes.get(self._lexical(parent), _DIR).kind == "symlink":
            raise _tar_error(f"open {path}: no such file or directory")
        missing, probe = [], where
        while probe not in self.nodes:
            missing.append(probe)
            probe = posixpath.dirname(probe)
        if self.nodes[probe].kind != "dir":
            raise _tar_error(f"mkdir {parent}: not a directory")
        for d in missing:
            self.nodes[d] = _DIR
        return where

    def _place(self, path: str, node: Node) -> None:
        old = self.nodes.get(path)
        if old is not None and old.kind == "dir" and node.kind == "dir":
            return
        if old is not None:
            self._remove(path)
        self.nodes[path] = node

    def _remove(self, path: str) -> None:
        below = path.rstrip("/") + "/"
        for p in [p for p in self.nodes if p == path or p.startswith(below)]:
            del self.nodes[p]

    # -- reading, as safePath and os.Open do ------------------------------------------------------
    def _resolve(self, path: str) -> str:
        """`FollowSymlinkInScope`: `path` with every symbolic link followed inside the root;
        missing components are kept as written."""
        done: list[str] = []
        todo = [p for p in clean(path).split("/") if p]
        links = 0
        while todo:
            part = todo.pop(0)
            if part == "..":
                if done:
                    done.pop()
                continue
            if part == ".":
                continue
            current = "/" + "/".join(done + [part])
            node = self.nodes.get(current)
            parent = self.nodes.get("/" + "/".join(done))
            if parent is not None and parent.kind != "dir":
                raise ArchiveError(f"lstat {self.root}{current}: not a directory")
            if node is None or node.kind != "symlink":
                done.append(part)
                continue
            links += 1
            if links > MAX_LINKS:
                raise ArchiveError(f"evalSymlinksInScope: too many links in {self.root}{clean(path)}")
            if node.target.startswith("/"):
                done = []
            todo = [p for p in node.target.split("/") if p] + todo
        return "/" + "/".join(done)

    def locate(self, name: str) -> str:
        """The path `name` leads to inside the archive (links followed)."""
        return self._resolve(name)

    def node(self, name: str) -> Node | None:
        """The node at `name` (links followed), or None."""
        return self.nodes.get(self.locate(name))

    def read(self, name: str) -> bytes:
        """The bytes of the file `name` leads to; ArchiveError as `os.ReadFile` fails there."""
        path = self.locate(name)
        node = self.nodes.get(path)
        shown = self.root + (path if path != "/" else "")
        if node is None:
            raise ArchiveError(f"open {shown}: no such file or directory")
        if node.kind == "dir":
            raise ArchiveError(f"read {shown}: is a directory")
        if node.kind == "special":
            raise ArchiveError(f"simulator: {name} in the archive is a device node or FIFO, which the "
                               "simulator does not read (see docs/fidelity.md)")
        return node.data

    def top_dirs(self) -> list[str]:
        """Names of the directories at the archive's top level, sorted (`os.ReadDir`)."""
        return sorted(p[1:] for p, n in self.nodes.items()
                      if n.kind == "dir" and p != "/" and p.count("/") == 1)
