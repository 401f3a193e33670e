"""A model Layer as an overlayfs layer directory, and an overlayfs directory as a changeset.

overlayfs marks a deleted path with a character device 0/0 of the same name and an opaque
directory with the xattr `trusted.overlay.opaque=y` (kernel `Documentation/filesystems/
overlayfs.rst`, "whiteouts and opaque directories"); the OCI layer tar uses `.wh.<name>`
files and `.wh..wh..opq` instead (image-spec `layer.md`). `extract` converts one way, as
containerd's overlay applier does; `read_changeset` the other, as `docker diff`/`commit`
read an overlay2 upper directory.

Extraction never follows a symlink: every parent is opened with O_NOFOLLOW from the layer
directory down, so a layer whose symlink stands where a later member's parent should be
is refused instead of writing outside. Missing parents are made 0755 root, as moby does.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat

from ...model.layer import (OPAQUE_MARKER, WHITEOUT, WHITEOUT_PREFIX, Content, Entry, InvalidLayer, Kind,
                            Layer, directory, symlink)

OPAQUE_XATTR = "trusted.overlay.opaque"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _open_dir(root_fd: int, rel: str) -> int:
    """An fd of directory `rel` below `root_fd`, made (0755) where missing, never through a symlink."""
    fd = os.dup(root_fd)
    try:
        for name in [p for p in rel.split("/") if p]:
            try:
                nxt = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                os.mkdir(name, 0o755, dir_fd=fd)
                os.chmod(name, 0o755, dir_fd=fd)
                nxt = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as err:
                if err.errno in (errno.ENOTDIR, errno.ELOOP):
                    raise InvalidLayer(f"{rel}: a parent is a symlink or not a directory") from None
                raise
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


def extract(layer: Layer, dest: str) -> None:
    """Write `layer` into the new directory `dest` from its canonical tar members, with
    owners, modes and mtimes. Raises InvalidLayer for a member under a symlink or a file."""
    os.mkdir(dest, 0o755)
    root_fd = os.open(dest, _DIR_FLAGS)
    dir_times: list[tuple[str, int]] = []
    try:
        for info, content in layer.tar_members():
            head, name = posixpath.split(info.name)
            parent = _open_dir(root_fd, head)
            try:
                if name == OPAQUE_MARKER:
                    os.setxattr(parent, OPAQUE_XATTR, b"y")
                elif name.startswith(WHITEOUT_PREFIX):
                    os.mknod(name[len(WHITEOUT_PREFIX):], stat.S_IFCHR, os.makedev(0, 0), dir_fd=parent)
                elif info.isdir():
                    os.mkdir(name, 0o700, dir_fd=parent)
                    fd = os.open(name, _DIR_FLAGS, dir_fd=parent)
                    try:
                        os.fchown(fd, info.uid, info.gid)
                        os.fchmod(fd, info.mode)
                    finally:
                        os.close(fd)
                    dir_times.append((info.name, info.mtime))
                elif info.issym():
                    os.symlink(info.linkname, name, dir_fd=parent)
                    os.chown(name, info.uid, info.gid, dir_fd=parent, follow_symlinks=False)
                    os.utime(name, (info.mtime, info.mtime), dir_fd=parent, follow_symlinks=False)
                elif info.islnk():
                    src_head, src_name = posixpath.split(info.linkname)
                    src = _open_dir(root_fd, src_head)
                    try:
                        os.link(src_name, name, src_dir_fd=src, dst_dir_fd=parent, follow_symlinks=False)
                    finally:
                        os.close(src)
                else:
                    _write_file(parent, name, info, content)
            finally:
                os.close(parent)
        # a directory's mtime moves with each name made in it: set them last, deepest first
        for rel, mtime in reversed(dir_times):
            fd = _open_dir(root_fd, rel)
            try:
                os.utime(fd, (mtime, mtime))
            finally:
                os.close(fd)
    finally:
        os.close(root_fd)


def _write_file(parent: int, name: str, info, content: Content | None) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=parent)
    try:
        for chunk in (content.chunks() if content else ()):
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
        os.fchown(fd, info.uid, info.gid)
        os.fchmod(fd, info.mode)   # after chown, which clears set-id bits
        os.utime(fd, (info.mtime, info.mtime))
    finally:
        os.close(fd)


def read_changeset(top: str) -> dict[str, Entry]:
    """The changeset an overlay layer or upper directory holds: path -> Entry (0/0 character
    devices as WHITEOUT, `trusted.overlay.opaque=y` directories opaque, the other names of
    a file's inode as HARDLINKs to the first in path order, as moby's archive writes them;
    mtimes in whole seconds).
    Raises InvalidLayer for FIFOs, sockets and other devices, which layers cannot hold here."""
    entries: dict[str, Entry] = {}
    inodes: dict[tuple[int, int], str] = {}

    def visit(real: str, path: str) -> None:
        for name in sorted(os.listdir(real)):
            child_real, child = os.path.join(real, name), posixpath.join(path, name)
            st = os.lstat(child_real)
            owner = dict(uid=st.st_uid, gid=st.st_gid)
            perm, mtime = stat.S_IMODE(st.st_mode), int(st.st_mtime)
            if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
                entries[child] = WHITEOUT
            elif stat.S_ISDIR(st.st_mode):
                entries[child] = directory(perm, opaque=_is_opaque(child_real), mtime=mtime, **owner)
                visit(child_real, child)
            elif stat.S_ISLNK(st.st_mode):
                entries[child] = symlink(os.readlink(child_real), mtime=mtime, **owner)
            elif stat.S_ISREG(st.st_mode):
                inode = (st.st_dev, st.st_ino)
                if st.st_nlink > 1 and inode in inodes:   # the inode's mode, owner and mtime, as Go's
                    # tar.FileInfoHeader gives each name of it (moby pkg/archive)
                    entries[child] = Entry(Kind.HARDLINK, perm, target=inodes[inode], mtime=mtime, **owner)
                    continue
                inodes[inode] = child
                with open(os.open(child_real, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb") as f:
                    data = f.read()
                entries[child] = Entry(Kind.FILE, perm, content=Content.of(data), mtime=mtime, **owner)
            else:
                raise InvalidLayer(f"{child}: device nodes, FIFOs and sockets cannot go into a layer")

    visit(top, "/")
    return entries


def _is_opaque(path: str) -> bool:
    try:
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError as err:
        if err.errno in (errno.ENODATA, errno.ENOTSUP):
            return False
        raise
