"""`docker system df [-v] [--format]`, `docker system prune` and `docker port`, as docker/cli 20.10 prints them.

Sources: cli `cli/command/system/df.go` and `cli/command/formatter/disk_usage.go` (summary
table `{{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}`; with `-v`
four sections with fixed tables, the `--format` ignored; image sizes with 4 significant
digits, container sizes with 3 and without the virtual size), cli
`cli/command/container/port.go` (`80/tcp -> 0.0.0.0:8080`; with a port, `0.0.0.0:8080`;
the error `Error: No public port '80/tcp' published for <container>`).
"""

from __future__ import annotations

from datetime import datetime

from ...engine import disk_usage, image_ops
from ...engine.container_list import PsRow
from ...engine.errors import NotFound
from ...model.image import short_id
from ...model.reference import parse
from ...model.units import human_duration, human_size
from ..app import Flag, UsageError, command
from .containers import deleted_containers
from .images import deleted_images
from ..formatter import FormatError, format_items, render_table

SUMMARY_FORMAT = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
SUMMARY_HEADERS = {"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE",
                   "Reclaimable": "RECLAIMABLE"}
CACHE_COLUMNS = ("CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED")


class _DfContainerRow(PsRow):
    """A `docker ps` row whose SIZE is the writable layer only (`system df -v` zeroes SizeRootFs)."""

    def __init__(self, engine, usage: disk_usage.ContainerUsage, now: datetime):
        super().__init__(engine, usage.container, now)
        self._size_rw = usage.size_rw

    def Size(self) -> str:
        return human_size(self._size_rw, 3)


def _repo_tag(engine, image) -> tuple[str, str]:
    """The first tag as (repository, tag) in familiar form, or `<none>`s."""
    refs = engine.images.refs_of(image.id)
    if not refs:
        return "<none>", "<none>"
    familiar = parse(str(refs[0]))
    shown = str(familiar)
    return shown.rpartition(":")[0], familiar.tag


def _created_since(image, now: datetime) -> str:
    seconds = disk_usage.created_seconds(image)
    return human_duration(now.timestamp() - seconds) + " ago"


def _verbose(ctx, usage: disk_usage.DiskUsage) -> str:
    engine = ctx.engine
    now = engine.clock.now()
    images = []
    for row in usage.images:
        repo, tag = _repo_tag(engine, row.image)
        images.append((repo, tag, short_id(row.image.id), _created_since(row.image, now), human_size(row.size),
                       human_size(row.shared_size), human_size(row.size - row.shared_size), str(row.containers)))
    container_rows = [_DfContainerRow(engine, c, now) for c in usage.containers]
    containers = [(r.ID(), r.Image(), r.Command(), r.LocalVolumes(), r.Size(), r.RunningFor(), r.Status(),
                   r.Names()) for r in container_rows]
    volumes = [(v.name, str(v.links), human_size(v.size)) for v in usage.volumes]
    return ("Images space usage:\n\n"
            + render_table(images, ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE",
                                    "UNIQUE SIZE", "CONTAINERS"))
            + "\nContainers space usage:\n\n"
            + render_table(containers, ("CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED",
                                        "STATUS", "NAMES"))
            + "\nLocal Volumes space usage:\n\n"
            + render_table(volumes, ("VOLUME NAME", "LINKS", "SIZE"))
            + f"\nBuild cache usage: {human_size(usage.build_cache_size)}\n\n"
            + render_table([], CACHE_COLUMNS))


@command("system df", usage="docker system df [OPTIONS]", short="Show docker disk usage", args=(0, 0),
         flags=[Flag("format", None, str, "Pretty-print images using a Go template", metavar="string"),
                Flag("verbose", "v", bool, "Show detailed information on space usage")])
def system_df(ctx, opts, args: list[str]) -> int:
    usage = disk_usage.compute(ctx.engine)
    if opts.verbose:
        ctx.out(_verbose(ctx, usage))
        return 0
    try:
        ctx.out(format_items(opts.format or SUMMARY_FORMAT, disk_usage.summary(usage), SUMMARY_HEADERS))
    except FormatError as err:
        ctx.err(f"{err}\n")
        return 1
    return 0


@command("port", aliases=("container port",), usage="docker port CONTAINER [PRIVATE_PORT[/PROTO]]",
         short="List port mappings or a specific mapping for the container", args=(1, 2))
def port(ctx, opts, args: list[str]) -> int:
    try:
        c = ctx.engine.containers.get(args[0])
    except NotFound:
        ctx.err(f"Error: No such container: {args[0]}\n")
        return 1
    if len(args) == 1:
        lines = ctx.engine.ports.lines(c.id)
    else:
        number = args[1].partition("/")[0]
        if not number.isdigit():
            ctx.err(f'strconv.ParseUint: parsing "{number}": invalid syntax\n')
            return 1
        try:
            lines = ctx.engine.ports.lines(c.id, args[1])
        except KeyError as missing:
            ctx.err(f"Error: No public port '{missing.args[0]}' published for {args[0]}\n")
            return 1
    ctx.out("".join(line + "\n" for line in lines))
    return 0


def _system_prune_warning(all_images: bool) -> str:
    """cli 20.10 system/prune.go's confirmation text (networks are listed though the simulator
    has none to prune; the classic builder's cache is its images, so no build cache goes)."""
    images = ("all images without at least one container associated to them" if all_images
              else "all dangling images")
    items = ["all stopped containers", "all networks not used by at least one container", images,
             "all build cache" if all_images else "all dangling build cache"]
    return ("WARNING! This will remove:\n" + "".join(f"  - {i}\n" for i in items)
            + "\nAre you sure you want to continue? [y/N] ")


@command("system prune", usage="docker system prune [OPTIONS]", short="Remove unused data", args=(0, 0),
         flags=[Flag("all", "a", bool, "Remove all unused images not just dangling ones"),
                Flag("filter", None, list, "Provide filter values (e.g. 'label=<key>=<value>')", metavar="filter"),
                Flag("force", "f", bool, "Do not prompt for confirmation"),
                Flag("volumes", None, bool, "Prune volumes")])
def system_prune(ctx, opts, args: list[str]) -> int:
    """Stopped containers, then dangling (with `-a` unused) images, as `container prune` and
    `image prune` do; one total. Without `-f` the unanswered prompt ends the command: unlike
    the single prunes, the real CLI then prints nothing more."""
    for name in ("filter", "volumes"):
        if getattr(opts, name):
            raise UsageError(f"the simulator does not model --{name} for system prune yet")
    if not opts.force:
        ctx.out(_system_prune_warning(opts.all))
        return 0
    ids, containers_space = ctx.engine.containers.prune()
    report = image_ops.prune(ctx.engine, opts.all)
    ctx.out(deleted_containers(ids) + deleted_images(report)
            + f"Total reclaimed space: {human_size(containers_space + report.space_reclaimed)}\n")
    return 0

