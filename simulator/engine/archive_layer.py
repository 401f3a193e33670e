"""Layers that arrive as tars (`docker load`): the changeset the model keeps, the bytes Docker keeps.

moby registers a loaded layer by applying its uncompressed stream while hashing it
(`layer_store.applyTar`): the diffID is the sha256 of the tar exactly as it came, and tar-split
metadata lets Docker give those bytes back on `docker save` or `push`. An `ArchivedLayer`
does the same: its entries are what `Layer.from_tar` reads (which refuses names that leave
the root, device nodes, FIFOs and reserved whiteout names, and keeps absolute symlink targets:
image-spec `layer.md` puts no limit on a link's target, which resolves inside the container's
root when used), with each member's mtime; `write_tar` writes the original bytes, so its
diffID is theirs.

`read_layer(raw)` checks the tar as the daemon does before the model reads it, with the
daemon's words: decompression (`Error processing tar file(unexpected EOF): ` when the bytes
it gave make a whole tar), the tar itself
(`Error processing tar file(exit status 1): archive/tar: invalid tar header`), two members
with one cleaned name (tar-split's `duplicates of file paths not supported`) and hard links
to a member not before them in the layer (`link /a /b: no such file or directory`). What
the daemon would take but the model cannot hold is refused with a `simulator:` message: a
member named outside the root (moby unpacks it at the root), a device node or FIFO, a member
below a symbolic link or a file of the same layer.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from dataclasses import dataclass, replace

from ..model.layer import InvalidLayer, Kind, Layer, parents
from .archive_fs import ArchiveError, decompress, tar_members, unpack_error


@dataclass(frozen=True, eq=False)
class ArchivedLayer(Layer):
    """A layer read from a tar: `tar` holds the uncompressed bytes as they came."""

    tar: bytes = b""

    def write_tar(self, fileobj) -> None:
        fileobj.write(self.tar)


def _tar_error(reason: str) -> ArchiveError:
    return ArchiveError(f"Error processing tar file(exit status 1): {reason}")


def _refused(reason: str) -> ArchiveError:
    return ArchiveError(f"simulator: cannot load this layer: {reason} (see docs/fidelity.md)")


def _go_clean(name: str) -> str:
    """Go's `filepath.Clean` (a relative name stays relative)."""
    absolute = name.startswith("/")
    clean = posixpath.normpath(name) if name else "."
    return "/" + clean.lstrip("/") if absolute else clean


def read_layer(raw: bytes) -> ArchivedLayer:
    """The layer in `raw` (a tar, or a gzip/bzip2/xz of one); ArchiveError as described above."""
    data, problem = decompress(raw)
    members = tar_members(data, _tar_error)
    if problem:
        raise unpack_error(problem)
    names: set[str] = set()      # tar-split compares names cleaned, `/a` and `a` apart
    placed: set[str] = set()     # where the chroot puts them: both at /a
    for info, _ in members:
        name, where = _go_clean(info.name), _go_clean("/" + info.name)
        if name in names:
            raise ArchiveError("Error processing tar file(duplicates of file paths not supported): ")
        target = _go_clean("/" + info.linkname)
        if info.islnk() and target not in placed:
            raise _tar_error(f"link {target} {where}: no such file or directory")
        names.add(name)
        placed.add(where)
    if not members:
        return ArchivedLayer({}, tar=data)
    try:
        layer = Layer.from_tar(io.BytesIO(data))
    except InvalidLayer as e:
        raise _refused(str(e)) from None
    entries = _with_mtimes(layer, members)
    _check_parents(entries)
    return ArchivedLayer(Layer.of(entries).entries, tar=data)


def _with_mtimes(layer: Layer, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> dict:
    """The layer's entries with the mtime each member records (from_tar leaves them at 0)."""
    mtimes = {}
    for info, _ in members:
        path = "/" + posixpath.normpath(info.name).lstrip("/")
        mtimes[path] = int(info.mtime)
    return {path: replace(entry, mtime=mtimes.get(path, 0))
            if entry.kind in (Kind.FILE, Kind.DIR, Kind.SYMLINK) else entry
            for path, entry in layer.entries.items()}


def _check_parents(entries: dict) -> None:
    """A path below a symbolic link, a file or a hard link of the same layer: moby writes it
    through the link (or fails); the model's changeset cannot hold it."""
    for path in entries:
        for parent in parents(path):
            above = entries.get(parent)
            if above is not None and above.kind in (Kind.SYMLINK, Kind.FILE, Kind.HARDLINK):
                kind = "symbolic link" if above.kind is Kind.SYMLINK else "file"
                raise _refused(f"{path} lies below the {kind} {parent}")
