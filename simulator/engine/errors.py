"""Errors the engine raises, carrying the daemon's own wording.

The CLI prints `Error response from daemon: <message>` for these, as the docker CLI does
for every API error (moby `client/request.go`). Subclasses say which HTTP status the
daemon would use, which some CLI commands look at (`rmi -f` ignores NotFound).
"""

from __future__ import annotations


class DockerError(Exception):
    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(DockerError):
    status = 404


class Conflict(DockerError):
    status = 409


class InvalidParameter(DockerError):
    status = 400


class NotModified(DockerError):
    """HTTP 304: already in that state; the CLI treats it as success."""
    status = 304


class StartError(DockerError):
    """A container's process could not be started; exit_code is 126, 127 or 128 (moby `setExitCodeFromError`)."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class BuildError(DockerError):
    """A build step failed; `code` is what the CLI exits with (a RUN's exit code, else 1)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code
