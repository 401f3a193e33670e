"""The build context: the folder the CLI tars up and sends to the daemon.

Docker 20.10 CLI `cli/command/image/build.go` (`runBuild`) and `build/context.go`
(`GetContextFromLocalDir`, `getDockerfileRelPath`): the context path must be a folder,
`-f` is relative to the current directory, the Dockerfile must exist. The tar is made by
`pkg/archive.TarWithOptions` with the .dockerignore patterns (the Dockerfile and
.dockerignore always travel) and every member owned by 0:0. The daemon later hides the
Dockerfile and .dockerignore from COPY when they are ignored (`remotecontext.removeDockerfile`).

Simplification: every file of the context carries the same mtime, the virtual clock's
starting instant, not the host's (host mtimes would make layers differ from machine to
machine). As with Docker's unchanged host files, copying the same context again gives the
same layer; mtime is not part of any cache key.
"""

from __future__ import annotations

import os
import posixpath
import stat as statmod
from dataclasses import dataclass

from ...model.fs import Tree
from ...model.layer import Entry, Kind, directory, file, parents, symlink
from ...model.units import human_size
from .dockerignore import PatternMatcher, matches, read_patterns

BLOCK = 512
DEFAULT_DOCKERFILE = "Dockerfile"


class ContextError(Exception):
    """An error the CLI reports before sending anything (printed as is, exit 1)."""


@dataclass(frozen=True)
class BuildContext:
    """What the daemon receives: the files (a Tree of context-relative paths under `/`),
    the Dockerfile's name inside the context and its text, and the tar's size in bytes."""

    tree: Tree
    dockerfile_name: str
    dockerfile_text: str
    tar_size: int

    @property
    def sending_line(self) -> str:
        """The CLI's progress line (jsonmessage prints the size right-aligned in 8 columns)."""
        return f"Sending build context to Docker daemon {human_size(self.tar_size, 4):>8}"


def _abs(cwd: str, path: str) -> str:
    return os.path.normpath(os.path.join(cwd, path))


def resolve(cwd: str, context: str, dockerfile: str | None) -> tuple[str, str]:
    """(absolute context folder, Dockerfile path relative to it); ContextError otherwise."""
    root = _abs(cwd, context)
    if not os.path.exists(root):
        raise ContextError(f'unable to prepare context: path "{context}" not found')
    root = os.path.realpath(root)
    if not os.path.isdir(root):
        raise ContextError(f"unable to prepare context: context must be a directory: {root}")
    if dockerfile:
        path = _abs(cwd, dockerfile)
    else:
        path = os.path.join(root, DEFAULT_DOCKERFILE)
        alt = os.path.join(root, DEFAULT_DOCKERFILE.lower())
        if not os.path.lexists(path) and os.path.lexists(alt):
            path = alt
    real = os.path.realpath(path)
    if not os.path.lexists(path) or not os.path.exists(real):
        missing = path if not os.path.lexists(path) else real
        raise ContextError("unable to prepare context: unable to evaluate symlinks in Dockerfile path: "
                           f"lstat {missing}: no such file or directory")
    return root, os.path.relpath(real, root)


def _walk(root: str):
    """(relative path, os.stat_result) in Go `filepath.Walk` order (names sorted)."""
    stack = [""]
    while stack:
        rel = stack.pop()
        full = os.path.join(root, rel) if rel else root
        st = os.lstat(full)
        if statmod.S_ISDIR(st.st_mode):
            stack.extend(posixpath.join(rel, name) if rel else name for name in sorted(os.listdir(full), reverse=True))
        if rel:
            yield rel, st


def _entry(full: str, st: os.stat_result, mtime: int) -> Entry:
    mode = statmod.S_IMODE(st.st_mode)
    if statmod.S_ISDIR(st.st_mode):
        return directory(mode, mtime=mtime)
    if statmod.S_ISLNK(st.st_mode):
        return symlink(os.readlink(full), mtime=mtime)
    with open(full, "rb") as f:
        return file(f.read(), mode, mtime=mtime)


def _member_size(rel: str, entry: Entry) -> int:
    """Bytes of one member as Go's archive/tar writes it: a header block (plus a PAX
    header and its record block for names over 100 bytes), then padded data."""
    name = rel + "/" if entry.kind is Kind.DIR else rel
    size = BLOCK + (2 * BLOCK if len(name.encode()) > 100 or len(entry.target.encode()) > 100 else 0)
    if entry.kind is Kind.FILE:
        size += -(-entry.size // BLOCK) * BLOCK
    return size


def load(cwd: str, context: str, dockerfile: str | None = None, mtime: int = 0,
         outside_name: str = ".dockerfile.0") -> BuildContext:
    """Read a local context folder as `docker build PATH` does. Raises ContextError.

    A Dockerfile outside the folder travels in the tar as `outside_name` (the CLI uses
    `.dockerfile.<20 random hex>`)."""
    root, rel_dockerfile = resolve(cwd, context, dockerfile)
    outside = rel_dockerfile.startswith("..")
    dockerfile_path = os.path.join(root, rel_dockerfile)
    if outside:
        rel_dockerfile = outside_name
    ignore_file = os.path.join(root, ".dockerignore")
    excludes: list[str] = []
    if os.path.isfile(ignore_file):
        with open(ignore_file, encoding="utf-8", errors="surrogateescape") as f:
            excludes = read_patterns(f.read())
    if matches(".dockerignore", excludes):
        excludes.append("!.dockerignore")
    if matches(rel_dockerfile, excludes):
        excludes.append("!" + rel_dockerfile)
    try:
        matcher = PatternMatcher(excludes)
    except ValueError as err:
        raise ContextError(f"error checking context: '{err}'.") from None

    entries: dict[str, Entry] = {}
    size = 2 * BLOCK
    skipped: list[str] = []
    for rel, st in _walk(root):
        if any(rel.startswith(s + "/") for s in skipped):
            continue
        if rel != rel_dockerfile and matcher.matches(rel):
            if not statmod.S_ISDIR(st.st_mode):
                continue
            if not any(p.exclusion and (p.text + "/").startswith(rel + "/") for p in matcher.patterns):
                skipped.append(rel)
            continue
        entry = _entry(os.path.join(root, rel), st, mtime)
        # An ignored folder kept open for a `!` pattern is not in the tar; the daemon's
        # untar creates it for its members (pkg/archive `Unpack`: MkdirAll 0777 & umask).
        for parent in parents("/" + rel):
            entries.setdefault(parent, directory(0o755, mtime=mtime))
        entries["/" + rel] = entry
        size += _member_size(rel, entry)
    with open(dockerfile_path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    if outside:
        entries["/" + rel_dockerfile] = file(text.encode("utf-8", "surrogateescape"), 0o644, mtime=mtime)
        size += _member_size(rel_dockerfile, entries["/" + rel_dockerfile])
    # The daemon's view: ignored build files are removed before any COPY sees them.
    daemon_excludes = read_patterns(entries["/.dockerignore"].content.read().decode()) \
        if "/.dockerignore" in entries else []
    for name in (".dockerignore", rel_dockerfile):
        if daemon_excludes and matches(name, daemon_excludes):
            entries.pop("/" + name, None)
    return BuildContext(Tree(entries), rel_dockerfile, text, size)
