"""A path inside a container's root filesystem, resolved as the daemon resolves it there.

moby `pkg/symlink` FollowSymlinkInScope (behind `container.GetResourcePath`, Docker 20.10):
every component is lstat'ed in turn and a symbolic link is followed inside the root (an
absolute target or `..` starts again from the root, never from the host's); a missing
component is kept as written, so the path may not exist. Errors name the daemon's host path
of the rootfs (`merged`, overlay2's `.../merged`).
"""

from __future__ import annotations

import errno
import posixpath

from ..model.fs import FSError, UnionFS
from ..model.layer import Kind
from .errors import DockerError


def follow_in_scope(fs: UnionFS, path: str, merged: str) -> str:
    """The clean absolute path `path` leads to in `fs`, every symbolic link followed (the
    last one too). DockerError `lstat <merged><prefix>: not a directory` for a component
    below something that is no directory; `evalSymlinksInScope: too many links in ...`
    for a loop."""
    done = "/"
    for name in [p for p in path.split("/") if p]:
        candidate = posixpath.join(done, name)
        parent = fs.get(done)
        if parent is not None and parent.kind is not Kind.DIR:
            raise DockerError(f"lstat {merged}{candidate}: not a directory")
        try:
            done = fs.resolve(candidate)
        except FSError as err:
            if err.code == errno.ELOOP:
                raise DockerError(f"evalSymlinksInScope: too many links in {merged}{path}") from None
            if err.code != errno.ENOENT:   # a link that leads below a file
                raise DockerError(f"lstat {merged}{candidate}: not a directory") from None
            done = candidate   # missing: kept as written
    return done
