"""`docker volume create|ls|inspect|rm|prune`, as docker/cli 20.10 prints them.

Sources: cli `cli/command/volume/{create,list,inspect,remove,prune}.go`,
`cli/command/formatter/volume.go` (table `{{.Driver}}\\t{{.Name}}`, names sorted in natural
order), the daemon's filters (moby `volume/service/convert.go`: `dangling`, `driver`,
`label`, `name` as a regular expression). The API client turns a 404 into
`Error: No such volume: <name>` (moby `client/errors.go`), with no daemon prefix.
"""

from __future__ import annotations

import re

from ...engine.errors import InvalidParameter, NotFound
from ...model.units import human_size
from ..app import Flag, UsageError, command
from ..formatter import FormatError, format_items, format_template
from ..gotemplate import Struct
from .each import for_each
from .images import _filter as filter_pair
from .images import go_indent

VOLUME_FILTERS = ("dangling", "driver", "label", "name")
PRUNE_WARNING = ("WARNING! This will remove all local volumes not used by at least one container.\n"
                 "Are you sure you want to continue? [y/N] ")


def natural_key(name: str) -> list:
    """Order of `sortorder.NaturalLess`: digit runs compare as numbers."""
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", name))]


class VolumeRow:
    """One `docker volume ls` row; methods are its `--format` fields (cli `formatter/volume.go`)."""

    go_type = "*formatter.volumeContext"
    HEADERS = {"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT",
               "Labels": "LABELS", "Label": "LABEL", "Links": "LINKS", "Size": "SIZE"}

    def __init__(self, volume):
        self._v = volume

    def Name(self) -> str:
        return self._v.name

    def Driver(self) -> str:
        return "local"

    def Scope(self) -> str:
        return "local"

    def Mountpoint(self) -> str:
        return self._v.mountpoint

    def Labels(self) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted((self._v.labels or {}).items()))

    def Label(self, name: str) -> str:
        return (self._v.labels or {}).get(name, "")

    def Links(self) -> str:
        return "N/A"

    def Size(self) -> str:
        return "N/A"

    def __go_json__(self) -> dict[str, str]:
        """`{{json .}}`: every method without arguments (cli `formatter.MarshalJSON`; `Label` takes one)."""
        return {name: getattr(self, name)() for name in sorted(self.HEADERS) if name != "Label"}


def _parse_filters(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for key, value in pairs:
        parsed.setdefault(key, []).append(value)
    for key in parsed:
        if key not in VOLUME_FILTERS:
            raise InvalidParameter(f"Invalid filter '{key}'")
    for value in parsed.get("dangling", []):
        if value not in ("true", "1", "false", "0"):
            raise InvalidParameter(f"Invalid filter 'dangling={value}'")
    return parsed


def _matches(volume, filters: dict[str, list[str]]) -> bool:
    def any_of(key, test):
        return key not in filters or any(test(v) for v in filters[key])

    labels = volume.labels or {}
    return (any_of("name", lambda v: v == volume.name or re.search(v, volume.name) is not None)
            and any_of("driver", lambda v: v == "local")
            and all(_label_matches(labels, v) for v in filters.get("label", []))
            and any_of("dangling", lambda v: (v in ("true", "1")) == (not volume.refs)))


def _label_matches(labels: dict[str, str], text: str) -> bool:
    key, eq, value = text.partition("=")
    return key in labels and (not eq or labels[key] == value)


@command("volume create", usage="docker volume create [OPTIONS] [VOLUME]", short="Create a volume", args=(0, 1),
         flags=[Flag("driver", "d", str, "Specify volume driver name", default="local", metavar="string"),
                Flag("label", None, list, "Set metadata for a volume", metavar="list"),
                Flag("name", None, str, "Specify volume name", metavar="string"),
                Flag("opt", "o", list, "Set driver specific options", metavar="map")])
def volume_create(ctx, opts, args: list[str]) -> int:
    name = opts.name or ""
    if args:
        if name and name != args[0]:
            raise UsageError("Conflicting options: either specify --name or provide positional arg, not both")
        name = args[0]
    labels = dict(item.partition("=")[::2] for item in opts.label)
    options = dict(item.partition("=")[::2] for item in opts.opt)
    volume = ctx.engine.volumes.create(name or None, opts.driver, labels, options)
    ctx.out(volume.name + "\n")
    return 0


@command("volume ls", aliases=("volume list",), usage="docker volume ls [OPTIONS]", short="List volumes",
         args=(0, 0),
         flags=[Flag("filter", "f", list, "Provide filter values (e.g. 'dangling=true')", metavar="filter",
                     parse=filter_pair),
                Flag("format", None, str, "Pretty-print volumes using a Go template", metavar="string"),
                Flag("quiet", "q", bool, "Only display volume names")])
def volume_ls(ctx, opts, args: list[str]) -> int:
    filters = _parse_filters(opts.filter)
    volumes = [v for v in ctx.engine.volumes.list() if _matches(v, filters)]
    volumes.sort(key=lambda v: natural_key(v.name))
    fmt = opts.format or "table"
    if fmt == "table":
        fmt = "{{.Name}}" if opts.quiet else "table {{.Driver}}\t{{.Name}}"
    try:
        ctx.out(format_items(fmt, [VolumeRow(v) for v in volumes], VolumeRow.HEADERS))
    except FormatError as err:
        ctx.err(f"{err}\n")
        return 1
    return 0


def _as_go(info: dict) -> Struct:
    """The inspect JSON as the Go struct a template sees (a nil map prints `map[]`)."""
    out = Struct("*types.Volume")
    for key, value in info.items():
        out[key] = {} if key in ("Labels", "Options") and value is None else value
    return out


@command("volume inspect", usage="docker volume inspect [OPTIONS] VOLUME [VOLUME...]",
         short="Display detailed information on one or more volumes", args=(1, None),
         flags=[Flag("format", "f", str, "Format the output using the given Go template", metavar="string")])
def volume_inspect(ctx, opts, args: list[str]) -> int:
    found, errors = [], []
    for name in args:
        try:
            found.append(ctx.engine.volumes.get(name).inspect())
        except NotFound:
            errors.append(f"Error: No such volume: {name}")
    if opts.format:
        try:
            ctx.out("".join(format_template(opts.format, _as_go(item)) + "\n" for item in found))
        except FormatError as err:
            ctx.err(f"{err}\n")
            return 1
    else:
        ctx.out(go_indent(found) + "\n" if found else "[]\n")
    if errors:
        ctx.err("\n".join(errors) + "\n")
        return 1
    return 0


@command("volume rm", aliases=("volume remove",), usage="docker volume rm [OPTIONS] VOLUME [VOLUME...]",
         short="Remove one or more volumes", args=(1, None),
         flags=[Flag("force", "f", bool, "Force the removal of one or more volumes")])
def volume_rm(ctx, opts, args: list[str]) -> int:
    return for_each(ctx, args, lambda name: ctx.engine.volumes.remove(name, force=opts.force),
                    missing=lambda name, err: f"Error: No such volume: {name}")


@command("volume prune", usage="docker volume prune [OPTIONS]", short="Remove all unused local volumes",
         args=(0, 0),
         flags=[Flag("filter", None, list, "Provide filter values (e.g. 'label=<label>')", metavar="filter",
                     parse=filter_pair),
                Flag("force", "f", bool, "Do not prompt for confirmation")])
def volume_prune(ctx, opts, args: list[str]) -> int:
    """Without `-f` the prompt reads no answer (scenarios have no input), so nothing is removed."""
    if not opts.force:
        ctx.out(PRUNE_WARNING + "Total reclaimed space: 0B\n")
        return 0
    labels = []
    for key, value in opts.filter:
        if key != "label":
            raise InvalidParameter(f"Invalid filter '{key}'")
        labels.append(value)
    keep = {v.name for v in ctx.engine.volumes.list() if not all(_label_matches(v.labels or {}, t) for t in labels)}
    names, reclaimed = ctx.engine.volumes.prune(keep)
    if names:
        ctx.out("Deleted Volumes:\n" + "".join(n + "\n" for n in names) + "\n")
    ctx.out(f"Total reclaimed space: {human_size(reclaimed)}\n")
    return 0
