"""Registry commands: pull, push, login, logout.

Output follows docker/cli 20.10 (`cli/command/image/pull.go`, `push.go`,
`cli/command/registry/login.go`, `logout.go`) as recorded from a real engine: progress lines
on stdout, then for `pull` the fully qualified reference; errors inside a push's progress
stream printed as they are; a malformed reference is a CLI error (`invalid reference
format...`, exit 1).
"""

from __future__ import annotations

from ...engine.registry import StreamError
from ...model.reference import DEFAULT_DOMAIN, InvalidReference, Reference, parse
from ..app import Flag, command

DEFAULT_SERVER = "https://index.docker.io/v1/"
CONFIG_FILE = "/root/.docker/config.json"
_TRUST = Flag("disable-content-trust", None, bool, "Skip image verification", default=True)


def _reference(ctx, text: str, quiet: bool) -> Reference | None:
    """Parse like `reference.ParseNormalizedNamed` + `TagNameOnly`, saying when the tag is defaulted."""
    try:
        ref = parse(text, default_tag=False)
    except InvalidReference as err:
        ctx.err(f"{err}\n")
        return None
    if not ref.tag and not ref.digest:
        ref = ref.with_tag("latest")
        if not quiet:
            ctx.out("Using default tag: latest\n")
    return ref


def _full(ref: Reference) -> str:
    """`reference.String()`: the fully qualified form, `docker.io/library/node:14`."""
    return ref.name + (f":{ref.tag}" if ref.tag else "") + (f"@{ref.digest}" if ref.digest else "")


@command("pull", aliases=("image pull",), usage="docker pull [OPTIONS] NAME[:TAG|@DIGEST]",
         short="Pull an image or a repository from a registry", args=(1, 1),
         flags=[_TRUST,
                Flag("platform", None, str, "Set platform if server is multi-platform capable"),
                Flag("quiet", "q", bool, "Suppress verbose output")])
def pull(ctx, opts, args: list[str]) -> int:
    ref = _reference(ctx, args[0], opts.quiet)
    if ref is None:
        return 1
    ctx.engine.registry.pull(ref, None if opts.quiet else (lambda line: ctx.out(line + "\n")))
    ctx.out(_full(ref) + "\n")
    return 0


@command("push", aliases=("image push",), usage="docker push [OPTIONS] NAME[:TAG]",
         short="Push an image or a repository to a registry", args=(1, 1),
         flags=[Flag("disable-content-trust", None, bool, "Skip image signing", default=True),
                Flag("quiet", "q", bool, "Suppress verbose output")])
def push(ctx, opts, args: list[str]) -> int:
    ref = _reference(ctx, args[0], opts.quiet)
    if ref is None:
        return 1
    try:
        ctx.engine.registry.push(ref, None if opts.quiet else (lambda line: ctx.out(line + "\n")))
    except StreamError as err:
        ctx.err(f"{err.message}\n")
        return 1
    if opts.quiet:
        ctx.out(_full(ref) + "\n")
    return 0


def _server(text: str | None) -> str:
    """The registry a login is for: Docker Hub for no server or its aliases."""
    if text in (None, "", DEFAULT_SERVER, DEFAULT_DOMAIN, "index.docker.io", "registry-1.docker.io"):
        return DEFAULT_DOMAIN
    return text.removeprefix("https://").removeprefix("http://").rstrip("/")


@command("login", usage="docker login [OPTIONS] [SERVER]",
         short="Log in to a Docker registry",
         args=(0, 1),
         flags=[Flag("password", "p", str, "Password"),
                Flag("password-stdin", None, bool, "Take the password from stdin"),
                Flag("username", "u", str, "Username")])
def login(ctx, opts, args: list[str]) -> int:
    """Any credentials are accepted. There is no terminal and no standard input, so a missing
    user name or password is the CLI's non-TTY error (`cli/command/registry.go ConfigureAuth`)."""
    if opts.password is not None and opts.password_stdin:
        ctx.err("--password and --password-stdin are mutually exclusive\n")
        return 1
    if opts.password_stdin and not opts.username:
        ctx.err("Must provide --username with --password-stdin\n")
        return 1
    if opts.password is not None:
        ctx.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n")
    if not opts.username or not opts.password:
        ctx.err("Error: Cannot perform an interactive login from a non TTY device\n")
        return 1
    ctx.engine.registry.login(_server(args[0] if args else None), opts.username)
    ctx.err(f"WARNING! Your password will be stored unencrypted in {CONFIG_FILE}.\n"
            "Configure a credential helper to remove this warning. See\n"
            "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n")
    ctx.out("Login Succeeded\n")
    return 0


@command("logout", usage="docker logout [SERVER]",
         short="Log out from a Docker registry",
         args=(0, 1), flags=[])
def logout(ctx, opts, args: list[str]) -> int:
    """20.10 prints the same line whether or not there were credentials (recorded)."""
    server = args[0] if args else DEFAULT_SERVER
    ctx.engine.registry.logout(_server(server))
    ctx.out(f"Removing login credentials for {server}\n")
    return 0
