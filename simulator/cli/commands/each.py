"""The docker CLI's way with commands that take several names (stop, kill, rm, volume rm, ...).

docker/cli (`container/{stop,kill,pause,unpause,rm,restart}.go`, `volume/remove.go`): each
argument is handled in turn; a success prints the argument as given, failures are collected
and printed together at the end, and the command exits 1 if any failed.
"""

from __future__ import annotations

from typing import Callable

from ...engine.errors import DockerError, NotFound


def for_each(ctx, args: list[str], action: Callable[[str], object],
             missing: Callable[[str, NotFound], str] | None = None, missing_fails: bool = True) -> int:
    """Run `action(arg)` for each argument. Daemon errors read `Error response from daemon: ...`;
    `missing(arg, err)` words a NotFound the way the client reports it (`Error: No such ...`);
    with `missing_fails` False such a line is printed at once and does not fail the command
    (`rm -f`)."""
    errors = []
    for arg in args:
        try:
            action(arg)
        except NotFound as err:
            text = missing(arg, err) if missing else f"Error response from daemon: {err.message}"
            if missing_fails:
                errors.append(text)
            else:
                ctx.err(text + "\n")
            continue
        except DockerError as err:
            errors.append(f"Error response from daemon: {err.message}")
            continue
        ctx.out(arg + "\n")
    if errors:
        ctx.err("\n".join(errors) + "\n")
        return 1
    return 0
