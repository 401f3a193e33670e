"""Keep a model view (`UnionFS`) and a real overlay mount telling the same story.

The engine works on model views (builds write files, `cp` copies, volumes make mount
points); real processes write through the kernel's overlay mount. `SyncedView` joins the
two: `push()` replays on the mounted directory what the model changed since the last
sync, through the mount, so the kernel does the copy-ups, whiteouts and opaque
directories itself; `pull()` reads the kernel's upper directory back into the model (and
tells the view's observer what the processes did: created, copied up, whited out, made
opaque). The backend pushes before anything real looks (a process starts, an exit is
awaited) and pulls before the engine looks (`get`), so each side always sees the other's
work.
"""

from __future__ import annotations

import errno
import os
import posixpath
import shutil
import stat
from dataclasses import replace

from ...model.fs import UnionFS
from ...model.layer import Entry, Kind
from .overlaydir import read_changeset


class SyncedView:
    """The model view `fs` of the overlay mounted at `merged` whose upper directory is `upper`
    (for a plain folder, such as a volume's, both are the folder). `synced`: what the
    two agree on now (default: the model's upper, as for a new, empty snapshot). `prefix`:
    the folder holds only the model's entries under this path (a bind mount's source in
    the simulated host), at their paths below it."""

    def __init__(self, fs: UnionFS, merged: str, upper: str, synced: dict[str, Entry] | None = None,
                 prefix: str = ""):
        self.fs = fs
        self.merged = merged
        self.upper = upper
        self.prefix = prefix.rstrip("/")
        self.synced: dict[str, Entry] = self._current() if synced is None else synced

    def _current(self) -> dict[str, Entry]:
        """The model's upper entries this folder holds, by path inside the folder."""
        if not self.prefix:
            return dict(self.fs.upper)
        top = self.prefix + "/"
        return {p[len(self.prefix):]: e for p, e in self.fs.upper.items() if p.startswith(top)}

    def _host(self, path: str) -> str:
        return self.merged + path if path != "/" else self.merged

    def _inside(self, path: str) -> str:
        """A model path (a hard link's target) as a path inside the folder."""
        return path[len(self.prefix):] if self.prefix else path

    def push(self) -> None:
        """Apply to the mount what the model changed since the last sync (parents first;
        directory times last, since creating children changes them)."""
        now, before = self._current(), self.synced
        changed = sorted(p for p in set(now) | set(before) if now.get(p) is not before.get(p))
        if not changed:
            return
        dirs = []
        for path in changed:
            entry = now.get(path)
            if entry is None or entry.kind is Kind.WHITEOUT:
                _remove(self._host(path))
            elif entry.kind is Kind.DIR:
                old = before.get(path)
                if entry.opaque and not (old is not None and old.kind is Kind.DIR and old.opaque):
                    _remove(self._host(path))   # overlayfs makes the new directory opaque
                self._put_dir(path, entry)
                dirs.append((path, entry))
            elif entry.kind is not Kind.HARDLINK:
                self._put_leaf(path, entry)
        # A hard link names its target's inode: link once every file is written (a link may
        # sort before its target), and again when only the target was rewritten (a new inode).
        touched = set(changed)
        for path, entry in sorted(now.items()):
            if entry.kind is Kind.HARDLINK and (path in touched or self._inside(entry.target) in touched):
                self._put_leaf(path, entry)
        for path, entry in reversed(dirs):
            os.utime(self._host(path), (entry.mtime, entry.mtime), follow_symlinks=False)
        self.synced = now

    def _put_dir(self, path: str, entry: Entry) -> None:
        host = self._host(path)
        if os.path.islink(host) or (os.path.lexists(host) and not os.path.isdir(host)):
            _remove(host)
        if not os.path.isdir(host):
            os.mkdir(host, entry.mode & 0o7777)
        os.lchown(host, entry.uid, entry.gid)
        os.chmod(host, entry.mode & 0o7777)

    def _put_leaf(self, path: str, entry: Entry) -> None:
        host = self._host(path)
        if entry.kind is Kind.HARDLINK:
            _remove(host)
            os.link(self._host(self._inside(entry.target)), host, follow_symlinks=False)
            return
        if entry.kind is Kind.SYMLINK:
            _remove(host)
            os.symlink(entry.target, host)
            os.lchown(host, entry.uid, entry.gid)
        else:
            if os.path.islink(host) or os.path.isdir(host) or _linked(host):
                _remove(host)   # a new inode: writing through a hard link would change its other names
            fd = os.open(host, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                for chunk in entry.content.chunks() if entry.content else ():
                    os.write(fd, chunk)
                os.fchown(fd, entry.uid, entry.gid)
                os.fchmod(fd, entry.mode & 0o7777)   # after chown, which clears setuid bits
            finally:
                os.close(fd)
        os.utime(host, (entry.mtime, entry.mtime), follow_symlinks=False)

    def pull(self) -> None:
        """Read the kernel's upper directory into the model view (in place: a MountedFS
        shares the dict), telling the observer what changed there since the last sync."""
        found = read_changeset(self.upper)
        if self.prefix:   # keys stay inside the folder; a hard link's target is a model path
            found = {p: replace(e, target=self.prefix + e.target) if e.kind is Kind.HARDLINK else e
                     for p, e in found.items()}
        before = self.synced
        if self.prefix:
            top = self.prefix + "/"
            for path in [p for p in self.fs.upper if p.startswith(top)]:
                del self.fs.upper[path]
            self.fs.upper.update((self.prefix + p, e) for p, e in found.items() if p != "/")
        else:
            self.fs.upper.clear()
            self.fs.upper.update(found)
        self.synced = self._current()
        # told once the model holds them: a listener may look at the view again
        for path in sorted(p for p in found if before.get(p) != found[p]):
            self._tell(path, found[path], path not in before, found)

    def _tell(self, path: str, entry: Entry, new: bool, found: dict[str, Entry]) -> None:
        full = self.prefix + path if self.prefix else path
        if entry.kind is Kind.WHITEOUT:
            self.fs.observe("whiteout", full, None)
        elif entry.kind is Kind.DIR and entry.opaque:
            self.fs.observe("opaque", full, entry)
        elif new and self.fs.lower.get(full) is not None and not _hidden(found, path):
            self.fs.observe("copy-up", full, entry)
        else:
            self.fs.observe("create", full, entry)

    def sync(self) -> UnionFS:
        """Push, then pull: the model view as the kernel has it now."""
        self.push()
        self.pull()
        return self.fs


def _hidden(upper: dict[str, Entry], path: str) -> bool:
    """True when an opaque directory or a whiteout above `path` hides the lower layers."""
    head = posixpath.dirname(path)
    while head != "/":
        above = upper.get(head)
        if above is not None and (above.kind is not Kind.DIR or above.opaque):
            return True
        head = posixpath.dirname(head)
    return False


def _linked(host: str) -> bool:
    """Whether `host` is a regular file with other names (st_nlink > 1)."""
    try:
        st = os.lstat(host)
    except FileNotFoundError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_nlink > 1


def _remove(host: str) -> None:
    try:
        if os.path.isdir(host) and not os.path.islink(host):
            shutil.rmtree(host)
        else:
            os.unlink(host)
    except OSError as err:
        if err.errno != errno.ENOENT:
            raise
