"""`docker create` and `docker run`.

docker/cli 20.10 `cli/command/container/{create,run,opts}.go`: a missing image is pulled
after `Unable to find image '<ref>' locally`, both on stderr (`pullImage(..., dockerCli.Err())`);
CLI-side option errors print
`docker: <msg>.\\nSee 'docker run --help'.` (125); daemon errors at create print
`docker: Error response from daemon: <msg>.\\nSee 'docker run --help'.` under `run` (125) but
plain `Error response from daemon: <msg>` under `create` (1); a container that cannot start
gives `docker: Error response from daemon: <msg>.` and 126/127 (`runStartContainerErr`,
125 for other failures such as a taken port, an unknown user or network; `-d` has printed the
ID already), and an attached `run` then logs
`error waiting for container: context canceled`. `run -i` sends the CLI's standard input to
the container's main process; `-it` needs a terminal (`the input device is not a TTY`, 1).
"""

from __future__ import annotations

from fractions import Fraction

from ...engine import ports
from ...engine.containers import CreateOptions, WouldBlockForever
from ...engine.errors import DockerError, NotFound
from ...engine.restart import PolicySyntaxError, RestartPolicy
from ...model import reference
from ..app import Flag, UsageError, command
from . import attach, container_unmodelled, container_view

def parse_cpus(text: str) -> int:
    """`--cpus` as NanoCPUs (docker/cli 20.10 `opts.ParseCPUs`: a big.Rat times 1e9, which must be
    a whole number); ValueError with the CLI's reason."""
    try:
        if text != text.strip():
            raise ValueError(text)
        cpus = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"failed to parse {text} as a rational number") from None
    nano = cpus * 10**9
    if nano.denominator != 1:
        raise ValueError("value is too precise")
    return int(nano)


def start_error_status(message: str) -> int:
    """`run`'s exit status when the container cannot start (cli 20.10 run.go
    `runStartContainerErr`): 127 when the text says the file is missing, 126 for EACCES or
    EISDIR, else 125 (an unknown user or network, a taken port)."""
    if any(t in message for t in ("executable file not found", "no such file or directory",
                                  "system cannot find the file specified")):
        return 127
    if "permission denied" in message or "is a directory" in message:
        return 126
    return 125


CREATE_FLAGS = [
    Flag("name", None, str, "Assign a name to the container", metavar="string"),
    Flag("hostname", "h", str, "Container host name", metavar="string"),
    Flag("env", "e", list, "Set environment variables", metavar="list"),
    Flag("publish", "p", list, "Publish a container's port(s) to the host", metavar="list"),
    Flag("publish-all", "P", bool, "Publish all exposed ports to random ports"),
    Flag("expose", None, list, "Expose a port or a range of ports", metavar="list"),
    Flag("cpus", None, str, "Number of CPUs", metavar="decimal", parse=parse_cpus),
    Flag("volume", "v", list, "Bind mount a volume", metavar="list"),
    Flag("workdir", "w", str, "Working directory inside the container", metavar="string"),
    Flag("user", "u", str, "Username or UID (format: <name|uid>[:<group|gid>])", metavar="string"),
    Flag("entrypoint", None, str, "Overwrite the default ENTRYPOINT of the image", metavar="string"),
    Flag("restart", None, str, "Restart policy to apply when a container exits", default="no", metavar="string"),
    Flag("memory", "m", str, "Memory limit", metavar="bytes"),
    Flag("memory-swap", None, str, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
         metavar="bytes"),
    Flag("pids-limit", None, int, "Tune container pids limit (set -1 for unlimited)"),
    Flag("stop-signal", None, str, "Signal to stop a container", default="SIGTERM", metavar="string"),
    Flag("init", None, bool, "Run an init inside the container that forwards signals and reaps processes"),
    Flag("network", None, str, "Connect a container to a network", default="default", metavar="network"),
    Flag("label", "l", list, "Set meta data on a container", metavar="list"),
    Flag("rm", None, bool, "Automatically remove the container when it exits"),
    Flag("interactive", "i", bool, "Keep STDIN open even if not attached"),
    Flag("tty", "t", bool, "Allocate a pseudo-TTY"),
]


def _options(ctx, opts, args) -> CreateOptions:
    """The parsed flags; UsageError for what the CLI itself rejects, or for a Docker flag
    the simulator does not model."""
    unmodelled = container_unmodelled.first_set(opts)
    if unmodelled:
        raise UsageError(f"the simulator does not model --{unmodelled} yet")
    try:
        policy = RestartPolicy.parse(opts.restart or "no")
        ctx.engine.ports.publish(None, list(opts.publish))
        ports.parse_expose(list(opts.expose))
    except (PolicySyntaxError, ValueError) as err:
        raise UsageError(str(err)) from None
    if opts.rm and policy.name not in ("", "no"):
        raise UsageError("Conflicting options: --restart and --rm")
    return CreateOptions(
        command=list(args[1:]), name=opts.name or "", env=list(opts.env), workdir=opts.workdir,
        user=opts.user, entrypoint=opts.entrypoint, restart=opts.restart or "no", auto_remove=opts.rm,
        memory=opts.memory, memory_swap=opts.memory_swap, stop_signal=opts.stop_signal, init=opts.init,
        network=opts.network or "default", volumes=list(opts.volume),
        ports=list(opts.publish), publish_all=opts.publish_all, expose=list(opts.expose),
        nano_cpus=opts.cpus or 0, pids_limit=opts.pids_limit, labels=list(opts.label), tty=opts.tty, interactive=opts.interactive,
        hostname=opts.hostname or "", cwd=ctx.cwd)


def _create(ctx, image: str, options: CreateOptions):
    """Create the container, pulling the image first if it is not here. InvalidReference
    when the CLI cannot parse the image name (cli create.go, before calling the daemon)."""
    reference.parse(image)
    containers = ctx.engine.containers
    try:
        return containers.create(image, options)
    except NotFound as err:
        if not err.message.startswith("No such image"):
            raise
    # cli create.go: `Unable to find image` and the pull progress go to stderr
    ctx.engine.registry.ensure(image, lambda line: ctx.err(line + "\n"))
    return containers.create(image, options)


@command("create", aliases=("container create",), usage="docker create [OPTIONS] IMAGE [COMMAND] [ARG...]",
         short="Create a new container", args=(1, None),
         flags=CREATE_FLAGS + container_unmodelled.CREATE_FLAGS, interspersed=False)
def create(ctx, opts, args) -> int:
    options = _options(ctx, opts, args)
    try:
        c = _create(ctx, args[0], options)
    except reference.InvalidReference as err:
        ctx.err(f"{err}\n")
        return 1
    except DockerError as err:
        ctx.err(f"Error response from daemon: {err.message}\n")
        if getattr(err, "note", ""):
            ctx.err(err.note + "\n")
        return 1
    ctx.out(c.id + "\n")
    return 0


@command("run", aliases=("container run",), usage="docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
         short="Run a command in a new container", args=(1, None),
         flags=CREATE_FLAGS + container_unmodelled.RUN_FLAGS
         + [Flag("detach", "d", bool, "Run container in background and print container ID")],
         interspersed=False)
def run(ctx, opts, args) -> int:
    containers = ctx.engine.containers
    options = _options(ctx, opts, args)
    options.attach = not opts.detach
    terminal = ctx.stdin is not None and ctx.stdin.isatty()
    if opts.interactive and opts.tty and not opts.detach:
        if not terminal:   # cli 20.10 run.go CheckTty, before anything is created
            ctx.err("the input device is not a TTY\n")
            return 1
        ctx.err("simulator: an interactive terminal session (-it) is not modelled; pipe the commands "
                "instead: echo 'ls /' | docker run -i IMAGE sh\n")
        return 1
    try:
        c = _create(ctx, args[0], options)
    except reference.InvalidReference as err:
        raise UsageError(str(err)) from None
    attached = opts.interactive and not opts.detach and ctx.stdin is not None and not terminal
    try:
        containers.start(c.id, ctx.stdin.read() if attached else "")
    except DockerError as err:
        if opts.detach:   # cli run.go prints the ID (from a goroutine) before it starts the container
            ctx.out(c.id + "\n")
        ctx.err(f"docker: Error response from daemon: {err.message}.\n")
        if not opts.detach and not opts.rm:   # with --rm the CLI's wait ends as the container is removed
            stamp = ctx.engine.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
            ctx.err(f'time="{stamp}" level=error msg="error waiting for container: context canceled"\n')
        return start_error_status(err.message)
    if opts.detach:
        ctx.out(c.id + "\n")
        return 0
    try:
        return attach.follow(ctx, c)
    except WouldBlockForever:
        container_view.print_output(ctx, c.runs, ctx.engine.clock.now())
        ctx.err(f"(simulator: {c.name} keeps running; docker would stay attached to it. "
                "Use -d, then docker stop.)\n")
        return 0
