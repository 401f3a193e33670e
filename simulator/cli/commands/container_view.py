"""`docker ps`, `logs`, `exec`, and `inspect` (containers, and the generic form).

docker/cli 20.10: `cli/command/container/{list,logs,exec}.go`, `cli/command/formatter/
container.go` (ps columns and built-in formats; the template goes through `formatter.py`
like every formatter.Context: `\\t`/`\\n` escapes, `table` header, tabwriter; its errors
exit 1), `cli/command/system/inspect.go` and `cli/command/inspect/inspector.go`
(`Error: No such object: <x>` / `Error: No such container: <x>`, an empty line from the
template writer when nothing matched, `template parsing error: ...` with status 64; inspect
parses the template as given, without the formatter's escape replacement).
"""

from __future__ import annotations

import re

from ...engine import container_list, image_ops
from ...engine.containers import WouldBlockForever
from ...engine.errors import DockerError, NotFound
from ...model.clock import RealClock, rfc3339_fixed
from .. import inspector
from ..app import Flag, command
from ..formatter import FormatError, format_items
from ..gotemplate import TemplateError, parse as parse_template
from . import attach, images
from .images import go_indent

PS_DEFAULT = r"table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
PS_RAW = ("container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n"
          "state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\n"
          "labels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n")


def print_output(ctx, runs, now) -> None:
    """What attached runs printed: stdout and stderr, in the order written."""
    for run in runs:
        for _, stream, text in run.output_until(now):
            (ctx.out if stream == "stdout" else ctx.err)(text)


def forever_note(ctx, name: str, waiting: str, advice: str) -> None:
    """The simulator's note on stderr where Docker would block on a process that never ends:
    `(simulator: NAME keeps running; WAITING. ADVICE)`."""
    ctx.err(f"(simulator: {name} keeps running; {waiting}. {advice})\n")


@command("ps", aliases=("container ls", "container list", "container ps"), usage="docker ps [OPTIONS]",
         short="List containers", args=(0, 0),
         flags=[Flag("all", "a", bool, "Show all containers (default shows just running)"),
                Flag("filter", "f", list, "Filter output based on conditions provided", metavar="filter"),
                Flag("format", None, str, "Pretty-print containers using a Go template", metavar="string"),
                Flag("last", "n", int, "Show n last created containers (includes all states)", default=-1),
                Flag("latest", "l", bool, "Show the latest created container (includes all states)"),
                Flag("no-trunc", None, bool, "Don't truncate output"),
                Flag("quiet", "q", bool, "Only display container IDs"),
                Flag("size", "s", bool, "Display total file sizes")])
def ps(ctx, opts, args) -> int:
    engine = ctx.engine
    if opts.format and not opts.size:
        try:
            _probe_template(opts.format)
        except TemplateError as err:
            ctx.err(f"{err}\n")
            return 1
    chosen = container_list.select(engine, opts.all, opts.filter, 1 if opts.latest else opts.last)
    now = engine.clock.now()
    rows = [container_list.PsRow(engine, c, now, trunc=not opts.no_trunc) for c in chosen]
    try:
        ctx.out(format_items(ps_format(opts.format, opts.quiet, opts.size), rows, container_list.PsRow.HEADERS))
    except FormatError as err:
        ctx.err(f"{err}\n")
        return 1
    return 0


class _EmptyRow:
    """A row of an empty container: every field is "" (the zero ContainerContext)."""

    go_type = container_list.PsRow.go_type

    def __getattr__(self, name):
        if name not in container_list.PsRow.FIELDS + ("Label",):
            raise AttributeError(name)
        return lambda *args: ""


def _probe_template(fmt: str) -> None:
    """docker/cli 20.10 `buildContainerListOptions`: without `--size`, the format as given is
    parsed and run once on an empty ContainerContext (to see whether it uses `.Size`), so a
    bad template fails before any container is listed. TemplateError with the CLI's wording."""
    try:
        template = parse_template(fmt)
    except TemplateError as err:
        raise TemplateError(f"failed to parse template: {err}") from None
    try:
        template.execute(_EmptyRow())
    except TemplateError as err:
        raise TemplateError(f"failed to execute template: {err}") from None


def ps_format(fmt: str | None, quiet: bool, size: bool) -> str:
    """The template `docker ps` uses (docker/cli 20.10 `formatter.NewContainerFormat`):
    `table` (the default) and `raw` stand for the built-in formats."""
    fmt = fmt or "table"
    if fmt == "table":
        return "{{.ID}}" if quiet else PS_DEFAULT + ("\\t{{.Size}}" if size else "")
    if fmt == "raw":
        return "container_id: {{.ID}}" if quiet else PS_RAW + ("size: {{.Size}}\\n" if size else "")
    return fmt


@command("logs", aliases=("container logs",), usage="docker logs [OPTIONS] CONTAINER",
         short="Fetch the logs of a container", args=(1, 1),
         flags=[Flag("details", None, bool, "Show extra details provided to logs"),
                Flag("follow", "f", bool, "Follow log output"),
                Flag("tail", "n", str, 'Number of lines to show from the end of the logs', default="all",
                     metavar="string"),
                Flag("timestamps", "t", bool, "Show timestamps")])
def logs(ctx, opts, args) -> int:
    """With `-f`, the clock moves until the container stops (as `docker wait` does) and what it
    writes meanwhile follows the `--tail` backlog; a process that never ends gets the backlog
    and a simulator note instead of blocking."""
    containers = ctx.engine.containers
    try:
        c = containers.get(args[0])
    except NotFound as err:
        ctx.err(f"Error: {err.message}\n")
        return 1
    backlog = _lines(containers.output(c))
    if opts.tail not in ("all", "") and int(opts.tail) >= 0:
        backlog = backlog[len(backlog) - int(opts.tail):] if int(opts.tail) else []

    def show(at, stream, line):
        (ctx.out if stream == "stdout" else ctx.err)((rfc3339_fixed(at) + " " if opts.timestamps else "") + line)
    if opts.follow and isinstance(ctx.engine.clock, RealClock) and c.running and c.current is not None:
        for item in backlog:   # then what the running process writes, as it writes it
            show(*item)
        run_index = len(c.runs) - 1
        shown = len(c.runs[run_index].output_until(ctx.engine.clock.now()))
        attach.follow(ctx, c, run_index, show, shown, proxy=False)
        return 0
    later, endless = [], False
    if opts.follow:
        seen = len(containers.output(c))
        try:
            containers.wait_stopped(c)
        except WouldBlockForever:
            endless = True
        later = _lines(containers.output(c)[seen:])
    for item in backlog + later:
        show(*item)
    if endless:
        forever_note(ctx, c.name, f"{ctx.path} -f would follow it forever", f"docker stop {c.name} ends it.")
    return 0


def _lines(entries):
    """(time, stream, text) entries cut into lines, the last one possibly without its newline."""
    return [(at, stream, line) for at, stream, text in entries
            for line in re.findall(r"[^\n]*\n|[^\n]+$", text)]


@command("exec", aliases=("container exec",), usage="docker exec [OPTIONS] CONTAINER COMMAND [ARG...]",
         short="Run a command in a running container", args=(2, None), interspersed=False,
         flags=[Flag("detach", "d", bool, "Detached mode: run command in the background"),
                Flag("env", "e", list, "Set environment variables", metavar="list"),
                Flag("interactive", "i", bool, "Keep STDIN open even if not attached"),
                Flag("tty", "t", bool, "Allocate a pseudo-TTY"),
                Flag("user", "u", str, "Username or UID (format: <name|uid>[:<group|gid>])", metavar="string"),
                Flag("workdir", "w", str, "Working directory inside the container", metavar="string")])
def exec_(ctx, opts, args) -> int:
    from ...engine.errors import StartError
    try:   # cli 20.10 exec.go inspects the container first: a missing one is the client's error
        ctx.engine.containers.get(args[0])
    except NotFound:
        ctx.err(f"Error: No such container: {args[0]}\n")
        return 1
    terminal = ctx.stdin is not None and ctx.stdin.isatty()
    if opts.interactive and opts.tty and not opts.detach:
        if not terminal:   # then CheckTty, before the exec is created
            ctx.err("the input device is not a TTY\n")
            return 1
        ctx.err("simulator: an interactive terminal session (-it) is not modelled; pipe the commands "
                f"instead: echo 'ls /' | docker exec -i {args[0]} sh\n")
        return 1
    # -i without -d: the CLI copies its standard input to the process until end of file
    attached = opts.interactive and not opts.detach and ctx.stdin is not None and not terminal
    streamed = isinstance(ctx.engine.clock, RealClock) and not opts.detach   # a real process: follow it
    try:
        task = ctx.engine.containers.exec(args[0], args[1:], detach=opts.detach or streamed, env=opts.env,
                                          workdir=opts.workdir, user=opts.user,
                                          stdin=ctx.stdin.read() if attached else "")
    except StartError as err:
        # 128: the daemon refused before runc ran (an unknown user); otherwise runc failed,
        # and containerd's exec wraps runc's words (pkg/process runtimeError)
        message = err.message if err.exit_code == 128 else f"OCI runtime exec failed: {err.message}"
        # moby 20.10 router postContainerExecStart returns the error to `-d`, and writes it
        # with "\r\n" into an attached exec's stdout; the exec's exit code is then 126
        if opts.detach:
            ctx.err(f"Error response from daemon: {message}\n")
            return 1
        ctx.out(message + "\r\n")
        return 126
    if opts.detach:
        return 0
    if streamed:
        return attach.follow_exec(ctx, ctx.engine.containers.get(args[0]).id, task)
    for _, stream, text in task.output(task.exit.at):
        (ctx.out if stream == "stdout" else ctx.err)(text)
    return task.exit.code


def _inspect(ctx, args, fmt, find, missing, typed) -> int:
    """Shared by `docker inspect` and `docker container inspect`: JSON array or one template
    line each; a missing object or a failing template adds an error, reported after the
    output (cli/command/inspect/inspector.go `Inspect`: errors joined, status 1)."""
    template = None
    if fmt:
        try:
            template = parse_template(fmt)
        except TemplateError as err:
            ctx.err(f"template parsing error: {err}\n")
            return 64
    found, text, errors = [], "", []
    for arg in args:
        try:
            item = find(arg)
        except DockerError:
            errors.append(f"Error: {missing(arg)}")
            continue
        found.append(item)
        if template is not None:
            try:
                text += inspector.execute(template, typed(item), item) + "\n"
            except TemplateError as err:
                errors.append(str(err))
    if template is not None:
        ctx.out(text or "\n")
    else:
        ctx.out(go_indent(found) + "\n" if found else "[]\n")
    if errors:
        ctx.err("".join(f"{e}\n" for e in errors))
        return 1
    return 0


def _any_object(engine, ref: str, kind: str | None):
    if kind in (None, "container"):
        if engine.containers.find(ref) is not None:
            return engine.containers.inspect(ref)
        if kind == "container":
            raise NotFound(ref)
    return image_ops.inspect(engine, ref)


@command("inspect", usage="docker inspect [OPTIONS] NAME|ID [NAME|ID...]",
         short="Return low-level information on Docker objects", args=(1, None),
         flags=[Flag("format", "f", str, "Format the output using the given Go template", metavar="string"),
                Flag("size", "s", bool, "Display total file sizes if the type is container"),
                Flag("type", None, str, "Return JSON for specified type", metavar="string")])
def inspect(ctx, opts, args) -> int:
    return _inspect(ctx, args, opts.format, lambda ref: _any_object(ctx.engine, ref, opts.type),
                    lambda ref: f"No such object: {ref}",
                    lambda item: inspector.container_typed(item) if "State" in item else images.as_go(item))


@command("container inspect", usage="docker container inspect [OPTIONS] CONTAINER [CONTAINER...]",
         short="Display detailed information on one or more containers", args=(1, None),
         flags=[Flag("format", "f", str, "Format the output using the given Go template", metavar="string"),
                Flag("size", "s", bool, "Display total file sizes")])
def container_inspect(ctx, opts, args) -> int:
    return _inspect(ctx, args, opts.format, ctx.engine.containers.inspect,
                    lambda ref: f"No such container: {ref}", inspector.container_typed)
