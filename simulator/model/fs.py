"""Filesystem views: the merged view of an image's layers, and a container's union view.

`Tree` is what an image's layers look like once applied in order (image-spec `layer.md`,
"Applying Changesets"): read-only, cached by chainID. `UnionFS` puts a writable upper
changeset over a Tree, with overlayfs' rules (kernel `Documentation/filesystems/
overlayfs.rst`): lookups go top-down, the first write to a lower file copies it up
whole, deleting a lower path leaves a whiteout, and a directory created where a lower
one was deleted is opaque. Every creation, copy-up, whiteout and opaque mark is reported to
an observer, so the engine can turn it into an event.
"""

from __future__ import annotations

import errno
import posixpath
from dataclasses import replace
from typing import Callable, Iterable, Mapping

from .layer import WHITEOUT, Content, Entry, Kind, Layer, directory, normpath, parents, sort_key

ROOT = directory(0o755)
MAX_SYMLINKS = 40


class FSError(OSError):
    """A filesystem error with the errno a kernel would give (ENOENT, EEXIST, ...)."""

    def __init__(self, code: int, path: str):
        super().__init__(code, posixpath.basename(path) and _MESSAGES.get(code, "error"), path)
        self.code = code
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {_MESSAGES.get(self.code, 'error')}"


_MESSAGES = {
    errno.ENOENT: "No such file or directory",
    errno.EEXIST: "File exists",
    errno.ENOTDIR: "Not a directory",
    errno.EISDIR: "Is a directory",
    errno.ENOTEMPTY: "Directory not empty",
    errno.ELOOP: "Too many levels of symbolic links",
    errno.EINVAL: "Invalid argument",
    errno.EACCES: "Permission denied",
    errno.EROFS: "Read-only file system",
    errno.EXDEV: "Invalid cross-device link",
    errno.EBUSY: "Resource busy",
}


class Tree:
    """A read-only merged view: path -> Entry, with no whiteouts and hard links resolved."""

    def __init__(self, entries: dict[str, Entry]):
        self.entries = entries
        self._kids: dict[str, list[str]] | None = None

    def __deepcopy__(self, memo) -> "Tree":
        return self   # read-only: engine snapshots share it

    @staticmethod
    def from_layers(layers: Iterable[Layer]) -> "Tree":
        entries: dict[str, Entry] = {}
        for layer in layers:
            apply_layer(entries, layer)
        return Tree(entries)

    def child(self, layer: Layer) -> "Tree":
        entries = dict(self.entries)
        apply_layer(entries, layer)
        return Tree(entries)

    def get(self, path: str) -> Entry | None:
        return ROOT if path == "/" else self.entries.get(path)

    def children(self, path: str) -> list[str]:
        if self._kids is None:
            kids: dict[str, list[str]] = {}
            for p in self.entries:
                kids.setdefault(posixpath.dirname(p), []).append(posixpath.basename(p))
            self._kids = kids
        return self._kids.get(path, [])

    @property
    def size(self) -> int:
        return sum(e.size for e in self.entries.values())


def _drop_subtree(entries: dict[str, Entry], path: str) -> None:
    entries.pop(path, None)
    prefix = path.rstrip("/") + "/"
    for p in [p for p in entries if p.startswith(prefix)]:
        del entries[p]


def apply_layer(entries: dict[str, Entry], layer: Layer) -> None:
    """Apply a changeset onto `entries` in place (image-spec `layer.md`)."""
    for path, entry in layer.entries.items():
        if entry.kind is Kind.DIR and entry.opaque:
            old = entries.get(path)
            _drop_subtree(entries, path)
            if old is not None and old.kind is not Kind.DIR:
                old = None
    for path, entry in layer.entries.items():
        if entry.kind is Kind.WHITEOUT:
            _drop_subtree(entries, path)
            continue
        old = entries.get(path)
        if old is not None and not (old.kind is Kind.DIR and entry.kind is Kind.DIR):
            _drop_subtree(entries, path)
        if entry.kind is Kind.HARDLINK:
            entry = layer.entries[entry.target]
        entries[path] = replace(entry, opaque=False) if entry.kind is Kind.DIR else entry


def origin(layers: "list[Layer] | tuple[Layer, ...]", path: str) -> int | None:
    """The index in `layers` (bottom first) of the layer whose entry is visible at `path`
    once they are applied in order, or None when nothing is (never there, deleted by a
    whiteout, hidden by an opaque directory, or below something that is not a directory)."""
    above = parents(path)
    for index in range(len(layers) - 1, -1, -1):
        entries = layers[index].entries
        entry = entries.get(path)
        if entry is not None:
            return None if entry.kind is Kind.WHITEOUT else index
        for a in above:
            e = entries.get(a)
            if e is not None and (e.kind is not Kind.DIR or e.opaque):
                return None
    return None

Observer = Callable[[str, str, Entry | None], None]  # (what, path, entry): "create", "copy-up", "whiteout", "opaque"


class UnionFS:
    """A writable view: `upper` (path -> Entry, whiteouts included) over a read-only `lower`.

    `now` gives the mtime for writes; `observe(what, path, entry)` hears of every creation
    ("create"), copy-up, whiteout and opaque mark. Paths given to the public methods are absolute; symlinks are followed
    in every component but the last, and in the last where the operation follows them
    (read, write), as the kernel does.
    """

    def __init__(self, lower: Tree, upper: Mapping[str, Entry] | None = None,
                 now: Callable[[], int] = lambda: 0, observe: Observer | None = None):
        self.lower = lower
        self.upper: dict[str, Entry] = dict(upper or {})
        self.now = now
        self.observe = observe or (lambda what, path, entry: None)

    # -- lookups -------------------------------------------------------------------
    def _lower_visible(self, path: str) -> bool:
        for a in parents(path):
            up = self.upper.get(a)
            if up is not None and (up.kind is not Kind.DIR or up.opaque):
                return False
        return True

    def get(self, path: str) -> Entry | None:
        """The entry at a resolved path, or None; hard links show their file."""
        if path == "/":
            return self.upper.get("/", ROOT)
        up = self.upper.get(path)
        if up is not None:
            if up.kind is Kind.WHITEOUT:
                return None
            if up.kind is Kind.HARDLINK:
                return replace(self.upper[up.target], mode=self.upper[up.target].mode)
            return up
        return self.lower.get(path) if self._lower_visible(path) else None

    def resolve(self, path: str, follow: bool = True) -> str:
        """The canonical path with symlinks resolved; FSError(ENOENT/ENOTDIR/ELOOP)."""
        parts = [p for p in normpath(path).split("/") if p]
        done = "/"
        hops = 0
        while parts:
            name = parts.pop(0)
            candidate = posixpath.join(done, name)
            entry = self.get(candidate)
            if entry is None:
                if parts:
                    raise FSError(errno.ENOENT, path)
                return candidate
            if entry.kind is Kind.SYMLINK and (parts or follow):
                hops += 1
                if hops > MAX_SYMLINKS:
                    raise FSError(errno.ELOOP, path)
                target = entry.target
                base = "/" if target.startswith("/") else done
                parts = [p for p in normpath(posixpath.join(base, target)).split("/") if p] + parts
                done = "/"
                continue
            if parts and entry.kind is not Kind.DIR:
                raise FSError(errno.ENOTDIR, path)
            done = candidate
        return done

    def stat(self, path: str, follow: bool = True) -> Entry:
        real = self.resolve(path, follow)
        entry = self.get(real)
        if entry is None:
            raise FSError(errno.ENOENT, path)
        return entry

    def exists(self, path: str, follow: bool = True) -> bool:
        try:
            self.stat(path, follow)
            return True
        except FSError:
            return False

    def read(self, path: str) -> bytes:
        entry = self.stat(path)
        if entry.kind is Kind.DIR:
            raise FSError(errno.EISDIR, path)
        return entry.content.read() if entry.content else b""

    def listdir(self, path: str) -> list[str]:
        real = self.resolve(path)
        entry = self.get(real)
        if entry is None:
            raise FSError(errno.ENOENT, path)
        if entry.kind is not Kind.DIR:
            raise FSError(errno.ENOTDIR, path)
        names: set[str] = set()
        up = self.upper.get(real)
        if self._lower_visible(real) and not (up is not None and up.opaque) and self.lower.get(real):
            names.update(self.lower.children(real))
        prefix = real.rstrip("/") + "/"
        for p, e in self.upper.items():
            if p.startswith(prefix) and p != prefix and "/" not in p[len(prefix):]:
                if e.kind is Kind.WHITEOUT:
                    names.discard(p[len(prefix):])
                else:
                    names.add(p[len(prefix):])
        return sorted(names)

    def walk(self, path: str = "/") -> Iterable[tuple[str, Entry]]:
        """Every entry at and below a resolved path, parents first, sorted."""
        entry = self.get(path)
        if entry is None:
            return
        yield path, entry
        if entry.kind is Kind.DIR:
            for name in self.listdir(path):
                yield from self.walk(posixpath.join(path, name))

    # -- copy-up and writes ----------------------------------------------------------
    def _in_lower(self, path: str) -> bool:
        return self._lower_visible(path) and self.lower.get(path) is not None

    def _copy_up_parents(self, path: str) -> None:
        for a in parents(path):
            if a in self.upper:
                continue
            entry = self.lower.get(a)
            if entry is None or not self._lower_visible(a):
                raise FSError(errno.ENOENT, path)
            self.upper[a] = entry

    def copy_up(self, path: str) -> None:
        """Copy a lower entry (and its parent directories) into the upper layer."""
        if path in self.upper or not self._in_lower(path):
            return
        self._copy_up_parents(path)
        entry = self.lower.get(path)
        self.upper[path] = entry
        self.observe("copy-up", path, entry)

    def _parent_dir(self, path: str) -> None:
        parent = self.get(posixpath.dirname(path))
        if parent is None:
            raise FSError(errno.ENOENT, path)
        if parent.kind is not Kind.DIR:
            raise FSError(errno.ENOTDIR, path)
        self._copy_up_parents(path)

    def _put(self, path: str, entry: Entry) -> None:
        """Create `path` in the upper layer where nothing is visible now."""
        self._parent_dir(path)
        if self.upper.get(path) is WHITEOUT or (path not in self.upper and self._in_lower(path)):
            if entry.kind is Kind.DIR and self.lower.get(path) is not None:
                entry = replace(entry, opaque=True)
                self.observe("opaque", path, entry)
        if not entry.opaque:
            self.observe("create", path, entry)
        self.upper[path] = entry

    def write(self, path: str, data: bytes | Content, append: bool = False, mode: int = 0o644,
              uid: int = 0, gid: int = 0) -> None:
        """Write (create or truncate, or append to) a regular file, copying it up first."""
        real = self.resolve(path)
        content = data if isinstance(data, Content) else Content.of(data)
        entry = self.get(real)
        if entry is None:
            self._put(real, Entry(Kind.FILE, mode, uid, gid, content=content, mtime=self.now()))
            return
        if entry.kind is Kind.DIR:
            raise FSError(errno.EISDIR, path)
        if append:
            content = Content.of((entry.content.read() if entry.content else b"") + content.read())
        self.copy_up(real)
        key = self._data_holder(real)
        self.upper[key] = replace(self.upper[key], content=content, mtime=self.now())

    def _data_holder(self, path: str) -> str:
        up = self.upper[path]
        return up.target if up.kind is Kind.HARDLINK else path

    def mkdir(self, path: str, mode: int = 0o755, parents_too: bool = False, uid: int = 0, gid: int = 0) -> None:
        if parents_too:
            done = "/"
            for name in [p for p in normpath(path).split("/") if p]:
                done = self.resolve(posixpath.join(done, name))
                entry = self.get(done)
                if entry is None:
                    self._put(done, directory(mode, uid, gid, mtime=self.now()))
                elif entry.kind is not Kind.DIR:
                    raise FSError(errno.ENOTDIR, path)
            return
        real = self.resolve(path)
        if self.get(real) is not None:
            raise FSError(errno.EEXIST, path)
        self._put(real, directory(mode, uid, gid, mtime=self.now()))

    def symlink(self, target: str, path: str) -> None:
        real = self.resolve(path, follow=False)
        if self.get(real) is not None:
            raise FSError(errno.EEXIST, path)
        self._put(real, Entry(Kind.SYMLINK, 0o777, content=None, target=target, mtime=self.now()))

    def link(self, existing: str, path: str) -> None:
        """A hard link: overlayfs copies the linked file up first."""
        src = self.resolve(existing, follow=False)
        entry = self.get(src)
        if entry is None:
            raise FSError(errno.ENOENT, existing)
        if entry.kind is Kind.DIR:
            raise FSError(errno.EPERM if hasattr(errno, "EPERM") else errno.EINVAL, existing)
        real = self.resolve(path, follow=False)
        if self.get(real) is not None:
            raise FSError(errno.EEXIST, path)
        self.copy_up(src)
        holder = self._data_holder(src) if src in self.upper else src
        self._put(real, Entry(Kind.HARDLINK, entry.mode, entry.uid, entry.gid, target=holder))

    def remove(self, path: str, recursive: bool = False) -> None:
        real = self.resolve(path, follow=False)
        entry = self.get(real)
        if entry is None:
            raise FSError(errno.ENOENT, path)
        if entry.kind is Kind.DIR and not recursive and self.listdir(real):
            raise FSError(errno.ENOTEMPTY, path)
        self._release_links(real)
        prefix = real + "/"
        for p in [p for p in self.upper if p == real or p.startswith(prefix)]:
            del self.upper[p]
        if self._in_lower(real):
            self._copy_up_parents(real)
            self.upper[real] = WHITEOUT
            self.observe("whiteout", real, None)

    def _release_links(self, path: str) -> None:
        """Before `path` goes, give its data to the first other name of its hard-link group."""
        prefix = path + "/"
        gone = {p for p in self.upper if p == path or p.startswith(prefix)}
        for holder in sorted(gone):
            others = sorted(p for p, e in self.upper.items()
                            if e.kind is Kind.HARDLINK and e.target == holder and p not in gone)
            if others:
                heir = others[0]
                self.upper[heir] = self.upper[holder]
                for p in others[1:]:
                    self.upper[p] = replace(self.upper[p], target=heir)

    def set_meta(self, path: str, mode: int | None = None, uid: int | None = None,
                 gid: int | None = None, touch: bool = False) -> None:
        """chmod/chown/touch: a metadata change copies the whole file up."""
        real = self.resolve(path)
        entry = self.get(real)
        if entry is None:
            raise FSError(errno.ENOENT, path)
        self.copy_up(real)
        key = self._data_holder(real)
        current = self.upper[key]
        self.upper[key] = replace(
            current,
            mode=current.mode if mode is None else mode,
            uid=current.uid if uid is None else uid,
            gid=current.gid if gid is None else gid,
            mtime=self.now() if touch else current.mtime,
        )

    def rename(self, src: str, dst: str) -> None:
        """What `mv` leaves behind. Without redirect_dir the kernel refuses rename(2) of a
        directory from a lower layer (EXDEV), so `mv` copies it whole and deletes the old
        name (a whiteout); that outcome is modelled directly. Files are renamed in place.

        A moved name keeps its inode: it stays hard-linked with the group's other names
        (a link entry keeps its data holder; a moved holder takes its links along), and
        renaming one name of an inode onto another does nothing, as rename(2) says.
        """
        old = self.resolve(src, follow=False)
        new = self.resolve(dst, follow=False)
        if self.get(old) is None:
            raise FSError(errno.ENOENT, src)
        if self.get(new) is not None:
            if {old, new} <= self.upper.keys() and self._data_holder(old) == self._data_holder(new):
                return
            self.remove(new, recursive=True)
        entries = list(self.walk(old))
        moved = {p: new + p[len(old):] for p, _ in entries}
        for p, e in entries:
            up = self.upper.get(p)
            if e.kind is Kind.DIR:
                e = replace(e, opaque=False)
            elif up is not None and up.kind is Kind.HARDLINK:
                e = replace(up, target=moved.get(up.target, up.target))
            elif up is not None:
                for q, link in list(self.upper.items()):
                    if link.kind is Kind.HARDLINK and link.target == p and q not in moved:
                        self.upper[q] = replace(link, target=moved[p])
            self._put(moved[p], e)
        self.remove(old, recursive=True)

    # -- results -------------------------------------------------------------------
    def layer(self) -> Layer:
        """The upper layer as an immutable changeset (what `commit` and a build step keep)."""
        return Layer.of(self.upper)

    def changes(self) -> list[tuple[str, str]]:
        """`docker diff`: (kind, path) with kind A, C or D.

        Docker 20.10's overlay2 driver diffs the container's view against its image's
        view (moby `pkg/archive/changes.go`, naive diff): a file is C when its type,
        mode, owner, size or mtime differ (here also its data: mtimes are whole
        seconds); a directory only when its type, mode or owner differ; a deleted tree
        is one D; an added tree is A throughout; and every ancestor of a change is C.
        A file that was only copied up (e.g. for a hard link) is not a change.
        Order: parents before children, names sorted (Docker's order within a
        directory is not stable).
        """
        out: dict[str, str] = {}

        def record(path: str, kind: str) -> None:
            for a in parents(path):
                out.setdefault(a, "C")
            out[path] = kind

        for path in sorted(self.upper, key=sort_key):
            entry = self.get(path)
            before = self.lower.get(path)
            if entry is None:
                if before is not None and not any(a in out and out[a] == "D" for a in parents(path)):
                    record(path, "D")
                continue
            if before is None or any(out.get(a) == "A" for a in parents(path)):
                record(path, "A")
                continue
            if entry.kind is Kind.DIR and before.kind is Kind.DIR:
                if entry.opaque:
                    for name in self.lower.children(path):
                        child = posixpath.join(path, name)
                        if self.get(child) is None:
                            record(child, "D")
                if not entry.same_metadata(before):
                    record(path, "C")
                continue
            if not entry.same_metadata(before) or entry.mtime != before.mtime \
                    or entry.content != before.content or entry.target != before.target:
                record(path, "C")
        return sorted(((k, p) for p, k in out.items()), key=lambda i: sort_key(i[1]))
