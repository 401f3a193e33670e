"""Container lifecycle commands: start, stop, restart, kill, pause, unpause, rm, rename, wait, prune.

Output and errors as docker/cli 20.10 `cli/command/container/*.go`: commands taking several
containers print each argument that worked and then the collected errors, one a line, and
exit 1 (§0.1 of the reference); `start` prints its errors as they happen and ends with
`Error: failed to start containers: a, b`; `rm`, `rename` and `start -a` see NotFound errors
worded by the API client (`Error: No such container: x`). Where `start -a` or `wait` would
block on a process that never ends, the simulator prints a note instead (status 0, as a
foreground `run` of such a process).
"""

from __future__ import annotations

from ...engine.containers import WouldBlockForever
from ...engine.errors import DockerError, NotFound
from ...model.units import human_size
from ..app import Flag, UsageError, command
from . import attach, container_files, container_run, container_view  # noqa: F401  (registers their commands)
from .each import for_each

_TIME = Flag("time", "t", int, "Seconds to wait for stop before killing it", default=10)


@command("start", aliases=("container start",), usage="docker start [OPTIONS] CONTAINER [CONTAINER...]",
         short="Start one or more stopped containers", args=(1, None),
         flags=[Flag("attach", "a", bool, "Attach STDOUT/STDERR and forward signals"),
                Flag("interactive", "i", bool, "Attach container's STDIN")])
def start(ctx, opts, args) -> int:
    containers = ctx.engine.containers
    if opts.attach:
        if len(args) > 1:
            ctx.err("Error: you cannot start and attach multiple containers at once\n")
            return 1
        try:   # cli start.go inspects it first: the API client words a NotFound
            c = containers.get(args[0])
        except NotFound as err:
            ctx.err(f"Error: {err.message}\n")
            return 1
        runs_before = len(c.runs)
        try:
            containers.start(args[0])
        except DockerError as err:
            ctx.err(f"Error response from daemon: {err.message}\n")
            return 1
        try:
            return attach.follow(ctx, c, runs_before)
        except WouldBlockForever:   # it did start: as foreground `run`, the output so far and a note
            container_view.print_output(ctx, c.runs[runs_before:], ctx.engine.clock.now())
            container_view.forever_note(ctx, c.name, f"{ctx.path} -a would stay attached to it",
                                        f"It is running now; docker stop {c.name} ends it.")
            return 0
    failed = []
    for arg in args:
        try:
            containers.start(arg)
        except DockerError as err:
            ctx.err(f"Error response from daemon: {err.message}\n")
            failed.append(arg)
            continue
        ctx.out(arg + "\n")
    if failed:
        ctx.err(f"Error: failed to start containers: {', '.join(failed)}\n")
        return 1
    return 0


@command("stop", aliases=("container stop",), usage="docker stop [OPTIONS] CONTAINER [CONTAINER...]",
         short="Stop one or more running containers", args=(1, None), flags=[_TIME])
def stop(ctx, opts, args) -> int:
    return for_each(ctx, args, lambda ref: ctx.engine.containers.stop(ref, opts.time))


@command("restart", aliases=("container restart",), usage="docker restart [OPTIONS] CONTAINER [CONTAINER...]",
         short="Restart one or more containers", args=(1, None), flags=[_TIME])
def restart(ctx, opts, args) -> int:
    return for_each(ctx, args, lambda ref: ctx.engine.containers.restart(ref, opts.time))


@command("kill", aliases=("container kill",), usage="docker kill [OPTIONS] CONTAINER [CONTAINER...]",
         short="Kill one or more running containers", args=(1, None),
         flags=[Flag("signal", "s", str, "Signal to send to the container", default="KILL", metavar="string")])
def kill(ctx, opts, args) -> int:
    return for_each(ctx, args, lambda ref: ctx.engine.containers.kill(ref, opts.signal))


@command("pause", aliases=("container pause",), usage="docker pause CONTAINER [CONTAINER...]",
         short="Pause all processes within one or more containers", args=(1, None))
def pause(ctx, opts, args) -> int:
    return for_each(ctx, args, ctx.engine.containers.pause)


@command("unpause", aliases=("container unpause",), usage="docker unpause CONTAINER [CONTAINER...]",
         short="Unpause all processes within one or more containers", args=(1, None))
def unpause(ctx, opts, args) -> int:
    return for_each(ctx, args, ctx.engine.containers.unpause)


@command("rm", aliases=("container rm",), usage="docker rm [OPTIONS] CONTAINER [CONTAINER...]",
         short="Remove one or more containers", args=(1, None),
         flags=[Flag("force", "f", bool, "Force the removal of a running container (uses SIGKILL)"),
                Flag("link", "l", bool, "Remove the specified link"),
                Flag("volumes", "v", bool, "Remove anonymous volumes associated with the container")])
def rm(ctx, opts, args) -> int:
    def remove(arg: str) -> None:
        name = arg.strip("/")
        if not name:
            raise DockerError("Container name cannot be empty")
        ctx.engine.containers.remove(name, force=opts.force, volumes=opts.volumes)

    # The client reports a missing container itself, and `-f` does not fail on it.
    return for_each(ctx, args, remove, missing=lambda arg, err: f"Error: {err.message}",
                    missing_fails=not opts.force)


@command("rename", aliases=("container rename",), usage="docker rename CONTAINER NEW_NAME",
         short="Rename a container", args=(2, 2))
def rename(ctx, opts, args) -> int:
    old, new = args
    try:
        ctx.engine.containers.rename(old, new)
    except DockerError as err:
        ctx.err(f"Error response from daemon: {err.message}\nError: failed to rename container named {old}\n")
        return 1
    return 0


@command("wait", aliases=("container wait",), usage="docker wait CONTAINER [CONTAINER...]",
         short="Block until one or more containers stop, then print their exit codes", args=(1, None))
def wait(ctx, opts, args) -> int:
    errors = []
    for arg in args:
        try:
            code = ctx.engine.containers.wait(arg)
        except WouldBlockForever:   # a simulator limit, not a daemon error: the others still count
            name = ctx.engine.containers.get(arg).name
            container_view.forever_note(ctx, name, f"{ctx.path} would wait forever", f"docker stop {name} ends it.")
            continue
        except DockerError as err:
            errors.append(f"Error response from daemon: {err.message}")
            continue
        ctx.out(f"{code}\n")
    if errors:
        ctx.err("\n".join(errors) + "\n")
        return 1
    return 0


CONTAINER_PRUNE_WARNING = "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?"


def deleted_containers(ids: list[str]) -> str:
    """The `Deleted Containers:` block of `container prune` and `system prune`, or ""."""
    return "Deleted Containers:\n" + "".join(i + "\n" for i in ids) + "\n" if ids else ""


@command("container prune", usage="docker container prune [OPTIONS]", short="Remove all stopped containers",
         args=(0, 0), flags=[Flag("filter", None, list, "Provide filter values (e.g. 'until=<timestamp>')",
                                  metavar="filter"),
                             Flag("force", "f", bool, "Do not prompt for confirmation")])
def container_prune(ctx, opts, args) -> int:
    """cli 20.10 container/prune.go; without `-f` the prompt reads no answer (scenarios have no
    input), so nothing is removed and the reclaimed space is 0B, as the real CLI prints it."""
    if opts.filter:
        raise UsageError("the simulator does not model --filter for container prune yet")
    if not opts.force:
        ctx.out(f"{CONTAINER_PRUNE_WARNING} [y/N] Total reclaimed space: 0B\n")
        return 0
    ids, reclaimed = ctx.engine.containers.prune()
    ctx.out(deleted_containers(ids) + f"Total reclaimed space: {human_size(reclaimed)}\n")
    return 0

