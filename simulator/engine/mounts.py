"""Mounts: `-v` specifications, the mount points of a container, and the view that joins them.

`parse_volume_spec` reads `docker run -v` text as the daemon does (moby v20.10
`volume/mounts/linux_parser.go ParseMountRaw`): `DEST` (an anonymous volume),
`SRC:DEST`, `SRC:DEST:MODE`; a SRC starting with `/` is a bind mount, any other
SRC names a volume. `Mount` is one mount point of a container, shaped like the
`Mounts` entries of `docker inspect` (`api/types MountPoint`).

`MountedFS` is a container's filesystem as its processes see it: the container's
union view, with each mount's own store laid over its destination. Paths under a
mount point are read from and written to the mount's store, so they never reach the
container's writable layer (nor `docker diff`, nor `docker commit`); the mount point
directory itself is created in the container's layer, as runc does. `read_folder` reads a real
host folder, which bind mounts start from (volumes.py).
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat as statmod
from dataclasses import dataclass
from typing import Any

from ..model.fs import FSError, UnionFS
from ..model.layer import Content, Entry, Kind, directory, normpath, symlink
from .errors import InvalidParameter

_RW_MODES = {"rw", "ro"}
_LABEL_MODES = {"z", "Z"}
_PROPAGATION = {"shared", "rshared", "slave", "rslave", "private", "rprivate"}
_COPY_MODES = {"nocopy"}


@dataclass(frozen=True)
class VolumeSpec:
    """One parsed `-v` value. source: "" (anonymous), a volume name, or an absolute host path."""

    raw: str
    source: str
    destination: str
    mode: str

    @property
    def is_bind(self) -> bool:
        return self.source.startswith("/")

    @property
    def read_only(self) -> bool:
        return "ro" in self.mode.split(",")

    @property
    def copy(self) -> bool:
        return "nocopy" not in self.mode.split(",")


def valid_mode(mode: str) -> bool:
    """`ValidMountMode`: at most one of each kind among rw|ro, z|Z, a propagation and nocopy."""
    if not mode:
        return True
    counts = [0, 0, 0, 0]
    for part in mode.split(","):
        for i, kind in enumerate((_RW_MODES, _LABEL_MODES, _PROPAGATION, _COPY_MODES)):
            if part in kind:
                counts[i] += 1
                break
        else:
            return False
    return max(counts) <= 1


def parse_volume_spec(raw: str) -> VolumeSpec:
    """Parse a `-v` value; raises InvalidParameter with the daemon's message."""
    parts = raw.split(":")
    mode = ""
    if len(parts) == 1:
        source, dest = "", parts[0]
    elif len(parts) == 2:
        if valid_mode(parts[1]):
            raise InvalidParameter(f"invalid volume specification: '{raw}'")
        source, dest = parts
    elif len(parts) == 3:
        source, dest, mode = parts
    else:
        raise InvalidParameter(f"invalid volume specification: '{raw}'")
    if not valid_mode(mode):
        raise InvalidParameter(f"invalid mode: {mode}")
    kind = "bind" if source.startswith("/") else "volume"
    if not dest.startswith("/"):
        raise InvalidParameter(f"invalid volume specification: '{raw}': invalid mount config for type "
                               f"\"{kind}\": invalid mount path: '{dest}' mount path must be absolute")
    if normpath(dest) == "/":
        raise InvalidParameter(f"invalid volume specification: '{raw}': invalid mount config for type "
                               f"\"{kind}\": invalid specification: destination can't be '/'")
    if kind == "bind" and "nocopy" in mode.split(","):
        raise InvalidParameter(f"invalid volume specification: '{raw}': invalid mount config for type "
                               f"\"bind\": field VolumeOptions must not be specified")
    return VolumeSpec(raw, source, normpath(dest), mode)


@dataclass
class Mount:
    """One mount point of a container.

    kind: "volume" or "bind". name: the volume's name ("" for a bind). source: the
    host path (a volume's `_data` folder). named: the spec gave a source (`rm -v`
    keeps such volumes, moby `daemon/mounts.go removeMountPoints`). fs: the store
    whose root appears at `destination`.
    """

    kind: str
    name: str
    source: str
    destination: str
    mode: str
    rw: bool
    named: bool
    fs: UnionFS

    def inspect(self) -> dict[str, Any]:
        """The `Mounts` entry of `docker inspect` (field order of `types.MountPoint`)."""
        out: dict[str, Any] = {"Type": self.kind}
        if self.name:
            out["Name"] = self.name
        out["Source"] = self.source
        out["Destination"] = self.destination
        if self.kind == "volume":
            out["Driver"] = "local"
        out["Mode"] = self.mode
        out["RW"] = self.rw
        out["Propagation"] = "rprivate" if self.kind == "bind" else ""
        return out


def _outer(err: FSError, path: str) -> FSError:
    return FSError(err.code, path)


class MountedFS(UnionFS):
    """A container's union view with mounts over it.

    It shares `lower` and `upper` with the container's view (so `layer()` and `changes()`
    see the container's writable layer only), resolves paths across mount points, and
    sends every operation on a path to the store that owns it. A move between stores
    copies and deletes, as `mv` does after EXDEV; a hard link between them is EXDEV.
    """

    def __init__(self, root: UnionFS, mounts: list[Mount]):
        super().__init__(root.lower, None, root.now, root.observe)
        self.root = root
        self.upper = root.upper
        self.mounts: list[Mount] = []
        for mount in sorted(mounts, key=lambda m: m.destination.count("/")):
            self._make_mountpoint(mount.destination)
            self.mounts.append(mount)
        self.mounts.sort(key=lambda m: -len(m.destination))

    def _make_mountpoint(self, dest: str) -> None:
        try:
            self.mkdir(dest, parents_too=True)
        except FSError:
            pass  # a file in the way: the process still sees the mount

    def _owner(self, path: str) -> tuple[UnionFS, str, Mount | None]:
        """The store holding a resolved path, and the path inside it."""
        for mount in self.mounts:
            if path == mount.destination or path.startswith(mount.destination + "/"):
                return mount.fs, path[len(mount.destination):] or "/", mount
        return self.root, path, None

    def _route(self, path: str, follow: bool = True, write: bool = False) -> tuple[UnionFS, str]:
        fs, inner, mount = self._owner(self.resolve(path, follow))
        if write and mount is not None and not mount.rw:
            raise FSError(errno.EROFS, path)
        return fs, inner

    # -- lookups -------------------------------------------------------------------
    def get(self, path: str) -> Entry | None:
        fs, inner, _ = self._owner(path)
        return fs.get(inner)

    def listdir(self, path: str) -> list[str]:
        fs, inner = self._route(path)
        try:
            names = set(fs.listdir(inner))
        except FSError as err:
            raise _outer(err, path) from None
        real = self.resolve(path)
        names.update(posixpath.basename(m.destination) for m in self.mounts
                     if posixpath.dirname(m.destination) == real)
        return sorted(names)

    # -- writes ----------------------------------------------------------------------
    def _put(self, path: str, entry: Entry) -> None:
        fs, inner, mount = self._owner(path)
        if mount is not None and not mount.rw:
            raise FSError(errno.EROFS, path)
        try:
            fs._put(inner, entry)
        except FSError as err:
            raise _outer(err, path) from None

    def write(self, path: str, data: bytes | Content, append: bool = False, mode: int = 0o644,
              uid: int = 0, gid: int = 0) -> None:
        fs, inner = self._route(path, write=True)
        try:
            fs.write(inner, data, append=append, mode=mode, uid=uid, gid=gid)
        except FSError as err:
            raise _outer(err, path) from None

    def set_meta(self, path: str, mode: int | None = None, uid: int | None = None,
                 gid: int | None = None, touch: bool = False) -> None:
        fs, inner = self._route(path, write=True)
        try:
            fs.set_meta(inner, mode=mode, uid=uid, gid=gid, touch=touch)
        except FSError as err:
            raise _outer(err, path) from None

    def copy_up(self, path: str) -> None:
        fs, inner = self._route(path)
        fs.copy_up(inner)

    def link(self, existing: str, path: str) -> None:
        src_fs, src = self._route(existing, follow=False)
        dst_fs, dst = self._route(path, follow=False, write=True)
        if src_fs is not dst_fs:
            raise FSError(errno.EXDEV, path)
        try:
            src_fs.link(src, dst)
        except FSError as err:
            raise _outer(err, path) from None

    def remove(self, path: str, recursive: bool = False) -> None:
        real = self.resolve(path, follow=False)
        if any(m.destination == real or m.destination.startswith(real.rstrip("/") + "/") for m in self.mounts):
            raise FSError(errno.EBUSY, path)
        fs, inner = self._route(path, follow=False, write=True)
        try:
            fs.remove(inner, recursive=recursive)
        except FSError as err:
            raise _outer(err, path) from None


def read_folder(folder: str) -> dict[str, Entry]:
    """path -> Entry for everything below a real host folder (symlinks not followed; owners
    shown as root, modes kept); {} when it does not exist."""
    entries: dict[str, Entry] = {}
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        rel = os.path.relpath(top, folder).replace(os.sep, "/")
        rel_top = "/" if rel == "." else "/" + rel
        for name in sorted(dirs + files):
            host = os.path.join(top, name)
            path = normpath(posixpath.join(rel_top, name))
            info = os.lstat(host)
            mode = statmod.S_IMODE(info.st_mode)
            if statmod.S_ISLNK(info.st_mode):
                entries[path] = symlink(os.readlink(host))
            elif statmod.S_ISDIR(info.st_mode):
                entries[path] = directory(mode)
            elif statmod.S_ISREG(info.st_mode):
                with open(host, "rb") as src:
                    entries[path] = Entry(Kind.FILE, mode, content=Content.of(src.read()))
    return entries
