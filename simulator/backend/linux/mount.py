"""mount(2) and umount2(2) through ctypes, the mount table, and the overlayfs probe.

Only the standard library: libc's `mount`/`umount2` (man 2 mount), `/proc/self/mountinfo`
(man 5 proc) for what is mounted where, and `/sys/module/overlay/parameters` for the
options the running kernel's overlayfs knows (kernel `Documentation/filesystems/overlayfs.rst`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys

MS_BIND = 0x1000
MNT_DETACH = 0x2
_OVERLAY_PARAMS = "/sys/module/overlay/parameters"
# The model's overlay (simulator/model/fs.py): whole-file copy-up (no metacopy), a renamed
# directory copied whole (no redirect_dir), and a layer shared by many mounts (no index),
# which is what Docker 20.10's overlay2 driver asks for too (moby `daemon/graphdriver/overlay2`).
_PARITY_OPTIONS = (("index", "off"), ("metacopy", "off"), ("redirect_dir", "off"))


class ExecutorUnavailable(RuntimeError):
    """The real executor cannot run here; the message is one line saying why and what to do."""


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str, path: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}", path)


def mount(source: str, target: str, fstype: str, flags: int = 0, data: str = "") -> None:
    """mount(2); OSError with the errno on failure."""
    libc = _libc()
    libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
    _check(libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                      flags, data.encode() if data else None), f"mount {fstype or 'bind'}", target)


def umount(target: str) -> None:
    """umount2(2); a busy mount (a process still inside) is detached lazily instead."""
    libc = _libc()
    libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
    if libc.umount2(target.encode(), 0) != 0:
        if ctypes.get_errno() != errno.EBUSY:
            _check(-1, "umount", target)
        _check(libc.umount2(target.encode(), MNT_DETACH), "umount (detach)", target)


def detach(target: str) -> None:
    """umount2(2) with MNT_DETACH: gone from the mount table now, freed once nothing uses it."""
    libc = _libc()
    libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
    _check(libc.umount2(target.encode(), MNT_DETACH), "umount (detach)", target)


def overlay_options(lowers: list[str], upper: str, work: str) -> str:
    """The `data` of an overlay mount: lowerdir top first, then upper and work, then the
    parity options the kernel knows. Raises ValueError for paths overlayfs cannot parse."""
    for path in (*lowers, upper, work):
        if any(c in path for c in ",:\\"):
            raise ValueError(f"{path}: overlay paths cannot contain ',', ':' or '\\'")
    options = [f"lowerdir={':'.join(lowers)}", f"upperdir={upper}", f"workdir={work}"]
    options += [f"{name}={value}" for name, value in _PARITY_OPTIONS
                if os.path.exists(os.path.join(_OVERLAY_PARAMS, name))]
    data = ",".join(options)
    if len(data) >= os.sysconf("SC_PAGESIZE"):
        raise ValueError(f"overlay options are {len(data)} bytes, over the kernel's one-page limit")
    return data


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal (`\\040`)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and len(field[i + 1:i + 4]) == 3 and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mounts_under(path: str) -> list[str]:
    """Mount points at or below `path` in this mount namespace, deepest first."""
    top = os.path.realpath(path)
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as table:
        for line in table:
            point = _unescape(line.split(" ")[4])
            if point == top or point.startswith(top.rstrip("/") + "/"):
                found.append(point)
    return sorted(set(found), key=lambda p: (-p.count("/"), p))


def unmount_all(path: str) -> None:
    """Unmount everything at or below `path` (stacked mounts too); OSError if one stays."""
    for _ in range(64):
        points = mounts_under(path)
        if not points:
            return
        for point in points:
            umount(point)
    raise OSError(errno.EBUSY, "mounts keep reappearing", path)


def filesystem_of(path: str) -> str:
    """The type of the filesystem `path` lies on (the mount with the longest matching mount
    point in /proc/self/mountinfo): "ext4", "overlay", "tmpfs" ..."""
    real = os.path.realpath(path)
    best, kind = "", ""
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as table:
        for line in table:
            fields = line.split(" ")
            point = _unescape(fields[4])
            if (real == point or real.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
                best, kind = point, fields[fields.index("-") + 1]
    return kind


def require_root() -> None:
    """ExecutorUnavailable unless this is Linux and the process is root: checked before
    anything is made on disk, so the first message says what is missing."""
    if sys.platform != "linux":
        raise ExecutorUnavailable(f"the real executor needs Linux (this is {sys.platform})")
    if os.geteuid() != 0:
        raise ExecutorUnavailable("the real executor needs root (mount, overlayfs): run as root or with sudo")


def probe(root: str) -> None:
    """Mount and unmount a tiny overlay in `root` (which must exist), or raise
    ExecutorUnavailable saying why: not Linux, not root, no overlayfs, or a filesystem
    under `root` that cannot hold an upper directory (overlayfs or NFS, for instance)."""
    require_root()
    place = os.path.join(root, ".probe")
    dirs = [os.path.join(place, d) for d in ("lower", "upper", "work", "merged")]
    try:
        for d in dirs:
            os.makedirs(d)
        try:
            mount("overlay", dirs[3], "overlay", 0, overlay_options(dirs[:1], dirs[1], dirs[2]))
        except OSError as err:
            if err.errno == errno.ENODEV:
                raise ExecutorUnavailable("overlayfs is missing from this kernel: load it with `modprobe overlay`") from None
            if err.errno == errno.EPERM:
                raise ExecutorUnavailable("mounting is not permitted here (needs CAP_SYS_ADMIN in the host's mount namespace)") from None
            # the kernel refuses an upper on overlayfs itself, NFS, ... (EINVAL)
            raise ExecutorUnavailable(f"{root} is on {filesystem_of(root) or 'a filesystem'}, which cannot hold "
                                      f"overlay upper directories ({os.strerror(err.errno)}): choose a state "
                                      "root on ext4, xfs or btrfs with --root DIR") from None
        umount(dirs[3])
    finally:
        unmount_all(place)
        shutil.rmtree(place, ignore_errors=True)
