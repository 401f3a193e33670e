"""`docker build` with the classic builder (docker/cli 20.10 `cli/command/image/build.go`).

The CLI checks the context and the Dockerfile itself (`unable to prepare context: ...`),
prints the daemon's stream as it comes, and on a failed step prints the step's error as
it is and exits with its code (a RUN's exit status, else 1). With `-q` the stream is kept
back and printed on stderr only if the build fails; success prints the image ID.
"""

from __future__ import annotations

import os

from ...engine.build import ContextError
from ...engine.errors import BuildError
from ...model import reference
from ..app import Flag, command


def _build_args(values: list[str]) -> dict[str, str | None]:
    """`--build-arg K=V`; a bare `K` takes K's value from the environment (`opts.ValidateEnv`)."""
    out: dict[str, str | None] = {}
    for item in values:
        key, eq, value = item.partition("=")
        out[key] = value if eq else os.environ.get(key)
    return out


def _tag(text: str) -> str:
    """A `-t` value, checked by the CLI before the context is sent (cli build.go `validateTag`:
    `reference.ParseNormalizedNamed`); ValueError with the reference error."""
    try:
        reference.parse(text)
    except reference.InvalidReference as err:
        raise ValueError(str(err)) from None
    return text


@command("build", aliases=("image build", "builder build"), usage="docker build [OPTIONS] PATH | URL | -",
         short="Build an image from a Dockerfile", args=(1, 1),
         flags=[Flag("build-arg", None, list, "Set build-time variables", metavar="list"),
                Flag("file", "f", str, "Name of the Dockerfile (Default is 'PATH/Dockerfile')", metavar="string"),
                Flag("force-rm", None, bool, "Always remove intermediate containers"),
                Flag("no-cache", None, bool, "Do not use cache when building the image"),
                Flag("quiet", "q", bool, "Suppress the build output and print image ID on success"),
                Flag("rm", None, bool, "Remove intermediate containers after a successful build", default=True),
                Flag("tag", "t", list, "Name and optionally a tag in the 'name:tag' format", metavar="list",
                     parse=_tag),
                Flag("target", None, str, "Set the target build stage to build.", metavar="string")])
def build(ctx, opts, args: list[str]) -> int:
    held: list[str] = []
    write = held.append if opts.quiet else ctx.out
    try:
        ctx.engine.builder.build(args[0], opts.file, list(opts.tag), _build_args(opts.build_arg),
                                 opts.target or None, opts.no_cache, opts.quiet, cwd=ctx.cwd, out=write,
                                 remove=opts.rm, force_remove=opts.force_rm)
    except ContextError as err:
        ctx.err(f"{err}\n")
        return 1
    except BuildError as err:
        if opts.quiet:
            ctx.err("".join(held))
        ctx.err(f"{err.message}\n")
        return err.code or 1
    if opts.quiet:
        ctx.out(held[-1])
    return 0
