"""A container's working directory, as the daemon and runc check and make it (Docker 20.10.24).

- `docker create`/`run -w` (`check_absolute`): moby `daemon/container.go` translateWorkingDir,
  the daemon's first check of a new container: `the working directory 'x' is invalid, it
  needs to be an absolute path`.
- At create (`make`): moby `daemon/create_unix.go` createContainerOSSpecificSettings ->
  `container.SetupWorkingDirectory`: the path is cleaned (Go's filepath.Clean, kept so in
  the container's Config), resolved inside the rootfs (`GetResourcePath`, `scope.py`)
  and made like `os.MkdirAll` as root, mode 0755, in the writable
  layer (so `docker diff` shows it before the container ever ran).
- `docker exec -w` (`check_exec`): runc 1.1 `utils_linux.go` validateProcessSpec refuses a
  relative one before anything starts.
"""

from __future__ import annotations

from ..backend.start_errors import CWD_NOT_ABSOLUTE, exec_spec_error
from ..model.fs import UnionFS
from ..model.layer import Kind, normpath
from .errors import DockerError, InvalidParameter
from .scope import follow_in_scope


def check_absolute(workdir: str | None) -> None:
    """InvalidParameter for a `-w` that is set and not absolute (an empty one means the image's)."""
    if workdir and not workdir.startswith("/"):
        raise InvalidParameter(f"the working directory '{workdir}' is invalid, it needs to be an absolute path")


def clean(workdir: str) -> str:
    """filepath.Clean of an absolute path: `/new/dir/` -> `/new/dir`, `/a/../b` -> `/b`."""
    return normpath(workdir) if workdir else workdir


def make(fs: UnionFS, workdir: str, merged: str) -> None:
    """Make the (clean, absolute) `workdir` in the container's root view `fs` where it is
    missing. `merged`: the rootfs as the daemon's host sees it, for the errors worded with
    it. DockerError: `scope.follow_in_scope`'s (`lstat <merged>/etc/passwd/x: not a
    directory`), or `Cannot mkdir: /etc/passwd is not a directory` when the directory
    itself is something else."""
    real = follow_in_scope(fs, workdir, merged)
    entry = fs.get(real)
    if entry is None:
        fs.mkdir(real, 0o755, parents_too=True)
    elif entry.kind is not Kind.DIR:
        raise DockerError(f"Cannot mkdir: {workdir} is not a directory")


def check_exec(cwd: str) -> None:
    """`docker exec -w rel`: runc's StartError (the exec's exit code 126)."""
    if not cwd.startswith("/"):
        raise exec_spec_error(CWD_NOT_ABSOLUTE)
