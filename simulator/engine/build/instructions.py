"""Dockerfile parsing: the official parser, then the classic builder's own checks.

The `dockerfile` package wraps moby/buildkit's `frontend/dockerfile/parser` (the parser
Docker 20.10 vendors); this module turns its nodes into stages and instructions with the
checks of `frontend/dockerfile/instructions/parse.go` (`Parse`, `ParseInstruction`) and
their messages, each prefixed `dockerfile parse error line N: ` as the daemon reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import dockerfile

from ..errors import InvalidParameter

KNOWN = {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
         "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
FLAGS = {"ADD": {"chown", "chmod"}, "COPY": {"chown", "chmod", "from"}, "FROM": {"platform"},
         "HEALTHCHECK": {"interval", "timeout", "start-period", "retries"}}
STAGE_NAME = re.compile(r"^[a-z][a-z0-9-_\.]*$")


class DockerfileError(InvalidParameter):
    """The Dockerfile cannot be built; the CLI shows `Error response from daemon: <message>`."""


@dataclass
class Instruction:
    """One instruction: `keyword` upper-case, `original` the source line as the parser
    joined it (what `Step N/M :` prints), `args` its words (JSON form: the array),
    `flags` its `--name=value` options, `trigger` the text after ONBUILD."""

    keyword: str
    original: str
    line: int
    args: list[str]
    json: bool = False
    flags: dict[str, str] = field(default_factory=dict)
    trigger: str = ""


@dataclass
class Stage:
    """A FROM and the instructions after it; `name` is lower-cased (matching is case-blind)."""

    base: str
    name: str
    source: Instruction
    commands: list[Instruction] = field(default_factory=list)


LOCATION = "dockerfile parse error line {}: "


def _error(line: int, message: str) -> DockerfileError:
    return DockerfileError(LOCATION.format(line) + message)


def _nodes(text: str, name: str | None = None):
    """The parser's nodes. Its own errors (the line parsers' `ENV must have two arguments`...)
    carry no line; for a Dockerfile, moby `builder/remotecontext/detect.go`
    `readAndParseDockerfile` wraps them as `failed to parse <name>: <error>`."""
    try:
        return dockerfile.parse_string(text)
    except dockerfile.GoParseError as err:
        message = str(err)
        if message == "file with no instructions":
            return ()
        raise DockerfileError(f"failed to parse {name}: {message}" if name else message) from None


def _flags(keyword: str, raw: tuple[str, ...], line: int) -> dict[str, str]:
    out = {}
    for item in raw:
        name, eq, value = item[2:].partition("=")
        if name not in FLAGS.get(keyword, set()):
            raise _error(line, f"Unknown flag: {name}")
        if not eq:
            raise _error(line, f"Missing a value on flag: {name}")
        out[name] = value
    return out


def _check(ins: Instruction) -> None:
    """The per-instruction checks of buildkit `instructions/parse.go` (v0.8)."""
    k, args, line = ins.keyword, ins.args, ins.line
    if k in ("COPY", "ADD"):
        if len(args) < 2:
            raise _error(line, f"{k} requires at least two arguments, but only one was provided. "
                               "Destination could not be determined")
        if "chmod" in ins.flags:
            raise _error(line, "the --chmod option requires BuildKit. Refer to "
                               "https://docs.docker.com/go/buildkit/ to learn how to build images "
                               "with BuildKit enabled")
    elif k in ("ENV", "LABEL"):
        if not args:
            raise _error(line, f"{k} requires at least one argument")
        if len(args) % 2:
            raise _error(line, f"Bad input to {k}, too many arguments")
        if any(not key for key in args[::2]):
            raise _error(line, f"{k} names can not be blank")
    elif k in ("ARG", "EXPOSE", "VOLUME"):
        if not args or args == [""]:
            raise _error(line, f"{k} requires at least one argument")
        if k == "ARG" and any(not a.partition("=")[0] for a in args):
            raise _error(line, "ARG names can not be blank")
        if k == "VOLUME" and any(not v.strip() for v in args):
            raise _error(line, "VOLUME specified can not be an empty string")
    elif k in ("WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER"):
        if len(args) != 1 or not args[0]:
            raise _error(line, f"{k} requires exactly one argument")
    elif k == "SHELL":
        if not ins.json:
            raise _error(line, "SHELL requires the arguments to be in JSON form")
        if not args:
            raise _error(line, "SHELL requires at least one argument")
    elif k == "ONBUILD":
        trigger = ins.trigger.split(None, 1)[0].upper() if ins.trigger.strip() else ""
        if trigger == "ONBUILD":
            raise _error(line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        if trigger in ("FROM", "MAINTAINER"):
            raise _error(line, f"{trigger} isn't allowed as an ONBUILD trigger")


def _instruction(node) -> Instruction:
    keyword = node.cmd.upper()
    if keyword not in KNOWN:
        raise _error(node.start_line, f"unknown instruction: {keyword}")
    args = list(node.value)
    if keyword in ("RUN", "CMD", "ENTRYPOINT") and not node.json and args == [""]:
        args = []
    ins = Instruction(keyword, node.original, node.start_line, args, node.json,
                      _flags(keyword, node.flags, node.start_line))
    if keyword == "ONBUILD":
        ins.trigger = re.sub(r"(?i)^\s*ONBUILD\s*", "", node.original)
    _check(ins)
    return ins


def parse(text: str, name: str) -> tuple[list[Stage], list[Instruction]]:
    """(stages, meta ARGs before the first FROM). Raises DockerfileError with the daemon's
    message: `the Dockerfile (<name>) cannot be empty`, `no build stage in current context`,
    `dockerfile parse error line N: ...`."""
    nodes = _nodes(text, name)
    if not nodes:
        raise DockerfileError(f"the Dockerfile ({name}) cannot be empty")
    stages: list[Stage] = []
    meta: list[Instruction] = []
    for node in nodes:
        ins = _instruction(node)
        if ins.keyword == "FROM":
            stages.append(_stage(ins))
        elif not stages and ins.keyword == "ARG":
            meta.append(ins)
        elif not stages:
            raise DockerfileError("no build stage in current context")
        else:
            stages[-1].commands.append(ins)
    return stages, meta


def _stage(ins: Instruction) -> Stage:
    args = ins.args
    if len(args) == 3 and args[1].lower() == "as":
        name = args[2].lower()
        if not STAGE_NAME.match(name):
            raise _error(ins.line, f'invalid name for build stage: "{args[2]}", name can\'t start '
                                   "with a number or contain symbols")
    elif len(args) == 1 and args[0]:
        name = ""
    else:
        raise _error(ins.line, "FROM requires either one or three arguments")
    return Stage(args[0], name, ins)


def find_stage(stages: list[Stage], target: str) -> int | None:
    """Index of the stage named `target` (case-blind), as `instructions.HasStage`."""
    for i, stage in enumerate(stages):
        if stage.name and stage.name == target.lower():
            return i
    return None


def parse_trigger(text: str) -> Instruction:
    """An ONBUILD trigger as `dispatchTriggeredOnBuild` parses it when a build uses the
    image as its base: exactly one instruction, checked by `ParseCommand`, whose errors
    carry no line location. Raises DockerfileError."""
    nodes = _nodes(text)
    if len(nodes) != 1:
        raise DockerfileError("onbuild trigger should be a single expression")
    try:
        return _instruction(nodes[0])
    except DockerfileError as err:
        raise DockerfileError(re.sub(r"^" + LOCATION.format(r"\d+"), "", err.message)) from None
