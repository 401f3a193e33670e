"""`docker load` / `docker image load`: images from a tar archive file or the standard input.

docker/cli 20.10 `cli/command/image/load.go`: `-i FILE` is opened by the CLI (`open x.tar: no
such file or directory`); without it the standard input is sent, unless it is a terminal
(`requested load from stdin, but stdin is empty`). Without a terminal on stdout the CLI asks
for the quiet form, so `-q` changes nothing here: the daemon's lines (`Loaded image: ...`)
are printed, and its error, which arrives in the response stream, is printed as it is, without
`Error response from daemon: ` (`jsonmessage.DisplayJSONMessagesToStream`). Exit status 1 on
any error. The engine's side is `simulator.engine.image_load`.
"""

from __future__ import annotations

import os

from ...engine.archive_fs import MAX_BYTES, too_big
from ...engine.errors import DockerError
from ...engine.image_load import load
from ..app import Flag, command

# The request the CLI was sending when reading its file failed (quiet: stdout is no terminal).
_REQUEST = 'Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.41/images/load?quiet=1"'


@command("load", aliases=("image load",), usage="docker load [OPTIONS]",
         short="Load an image from a tar archive or STDIN", args=(0, 0),
         flags=[Flag("input", "i", str, "Read from tar archive file, instead of STDIN", metavar="string"),
                Flag("quiet", "q", bool, "Suppress the load output")])
def load_command(ctx, opts, args: list[str]) -> int:
    try:
        data = _read_input(ctx, opts.input)
        report = load(ctx.engine, data)
    except _ClientError as e:
        ctx.err(f"{e}\n")
        return 1
    except DockerError as e:
        ctx.err(f"{e.message}\n")
        return 1
    ctx.out(report.output)
    return 0


class _ClientError(Exception):
    """An error of the CLI itself, printed as it is."""


def _read_input(ctx, name: str | None) -> bytes:
    """The archive's bytes: the file `name` (relative to the working directory), or the
    standard input (none in `play`, which reads as empty)."""
    if name:
        path = os.path.join(ctx.cwd, name)
        try:
            if os.path.isdir(path):
                raise _ClientError(f"error during connect: {_REQUEST}: read {name}: is a directory")
            if os.path.getsize(path) > MAX_BYTES:
                raise too_big()
            with open(path, "rb") as f:
                return f.read()
        except OSError as e:
            raise _ClientError(f"open {name}: {_strerror(e)}") from None
    stdin = ctx.stdin
    if stdin is None:
        return b""
    if stdin.isatty():
        raise _ClientError("requested load from stdin, but stdin is empty")
    data = ctx.stdin_bytes(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_big()
    return data


def _strerror(e: OSError) -> str:
    """The errno's text as Go's `syscall.Errno.Error()` prints it (lower-case)."""
    return (e.strerror or str(e)).lower()
