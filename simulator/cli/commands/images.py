"""Image commands: images, history, tag, rmi, image inspect, image prune.

Output follows docker/cli 20.10: `cli/command/image/{list,history,tag,remove,inspect,prune}.go`,
the formatter contexts of `cli/command/formatter/image.go` and
`cli/command/image/formatter_history.go`, and `cli/command/inspect/inspector.go`.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ...engine import image_ops
from ...engine.errors import DockerError, NotFound
from ...model.image import short_id
from ...model.reference import InvalidReference, parse
from ...model.units import human_duration, human_size
from ..app import Flag, command
from .. import inspector
from ..gotemplate import FormatterContext, NilMap, NilSlice, Struct, TemplateError
from ..gotemplate import parse as parse_template

_TABLE = "table"
_QUIET = "{{.ID}}"


def _filter(text: str) -> tuple[str, str]:
    """opts.FilterOpt: `name=value`, the name lowercased, both trimmed."""
    if "=" not in text:
        raise ValueError("bad format of filter (expected name=value)")
    name, value = text.split("=", 1)
    return name.strip().lower(), value.strip()


def _filters(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, [])
        if value not in out[name]:
            out[name].append(value)
    return out


_FILTER = Flag("filter", "f", list, "Filter output based on conditions provided", metavar="filter", parse=_filter)


# -- docker's formatter.Context ----------------------------------------------------------------
def _tabwriter(lines: list[list[str]]) -> str:
    """text/tabwriter with docker's settings (minwidth 10, tabwidth 1, padding 3): every cell
    but a line's last is padded to its column's width."""
    widths: dict[int, int] = {}
    for cells in lines:
        for i, cell in enumerate(cells[:-1]):
            widths[i] = max(widths.get(i, 0), len(cell) + 3, 10)
    return "".join("".join(c.ljust(widths[i]) for i, c in enumerate(cells[:-1])) + cells[-1] + "\n"
                   for cells in lines)


def _write(ctx, fmt: str, rows: list, header: dict[str, str]) -> int:
    """Render rows with a `--format` (docker `formatter.Context.Write`): `table ...` adds the
    header and aligns the tab-separated cells."""
    table = fmt.startswith(_TABLE)
    body = (fmt[len(_TABLE):] if table else fmt).strip(" ").replace("\\t", "\t").replace("\\n", "\n")
    try:
        template = parse_template(body)
    except TemplateError as e:
        ctx.err(f"Template parsing error: {e}\n\n")
        return 1
    try:
        text = "".join(template.execute(row) + "\n" for row in rows)
    except TemplateError as e:
        ctx.err(f"failed to execute template: {e}\n")
        return 1
    if table:
        head = template.execute(header)
        lines = [head] + text.split("\n")[:-1]
        text = _tabwriter([line.split("\t") for line in "\n".join(lines).split("\n")])
    ctx.out(text)
    return 0


def _since(ctx, unix: int) -> str:
    return human_duration(ctx.engine.clock.now().timestamp() - unix) + " ago"


def _local(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, timezone.utc)


# -- images ----------------------------------------------------------------------------------
_IMAGES_TABLE = ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
                 "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
_IMAGES_TABLE_DIGESTS = ("table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
                         "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
_IMAGES_HEADER = {"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
                  "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE",
                  "Containers": "CONTAINERS", "VirtualSize": "SIZE", "SharedSize": "SHARED SIZE",
                  "UniqueSize": "UNIQUE SIZE"}


def _image_rows(ctx, summary: image_ops.ImageSummary, trunc: bool, digests: bool) -> list[FormatterContext]:
    """`imageFormat`: one row per tag (per digest of its repository with `--digests`);
    a repository with only digests gets one `<none>` row; a dangling image one `<none>` row."""
    def row(repo: str, tag: str, digest: str) -> FormatterContext:
        return FormatterContext("*formatter.imageContext", {
            "Containers": "N/A",
            "CreatedAt": _local(summary.created).strftime("%Y-%m-%d %H:%M:%S +0000 UTC"),
            "CreatedSince": _since(ctx, summary.created),
            "Digest": digest,
            "ID": short_id(summary.id) if trunc else summary.id,
            "Repository": repo,
            "SharedSize": "N/A",
            "Size": human_size(summary.size, 3),
            "Tag": tag,
            "UniqueSize": "N/A",
            "VirtualSize": human_size(summary.size, 4),
        })

    if summary.repo_tags == ("<none>:<none>",):
        return [row("<none>", "<none>", "<none>")]
    tags: dict[str, list[str]] = {}
    repo_digests: dict[str, list[str]] = {}
    for text in summary.repo_tags:
        ref = parse(text)
        tags.setdefault(ref.familiar_name, []).append(ref.tag)
    for text in summary.repo_digests:
        ref = parse(text)
        repo_digests.setdefault(ref.familiar_name, []).append(ref.digest)
    out = []
    for repo, names in tags.items():
        shown = repo_digests.pop(repo, [])   # digests never get rows of their own here
        for tag in names:
            if digests and shown:
                out.extend(row(repo, tag, d) for d in shown)
            else:
                out.append(row(repo, tag, "<none>"))
    for repo, values in repo_digests.items():
        if digests:
            out.extend(row(repo, "<none>", d) for d in values)
        else:
            out.append(row(repo, "<none>", ""))
    return out


@command("images", aliases=("image ls", "image images", "image list"),
         usage="docker images [OPTIONS] [REPOSITORY[:TAG]]", short="List images", args=(0, 1),
         flags=[Flag("all", "a", bool, "Show all images (default hides intermediate images)"),
                Flag("digests", None, bool, "Show digests"),
                _FILTER,
                Flag("format", None, str, "Pretty-print images using a Go template", metavar="string"),
                Flag("no-trunc", None, bool, "Don't truncate output"),
                Flag("quiet", "q", bool, "Only show image IDs")])
def images(ctx, opts, args: list[str]) -> int:
    filters = _filters(opts.filter + [("reference", args[0])] if args else opts.filter)
    summaries = image_ops.list_images(ctx.engine, opts.all, filters)
    fmt = opts.format or _TABLE
    if fmt == _TABLE:
        fmt = _QUIET if opts.quiet else _IMAGES_TABLE_DIGESTS if opts.digests else _IMAGES_TABLE
    elif fmt.startswith(_TABLE) and opts.digests and "{{.Digest}}" not in fmt:
        fmt += "\t{{.Digest}}"
    with_digests = opts.digests or "{{.Digest}}" in fmt
    rows = [r for s in summaries for r in _image_rows(ctx, s, not opts.no_trunc, with_digests)]
    return _write(ctx, fmt, rows, _IMAGES_HEADER)


# -- history ---------------------------------------------------------------------------------
_HISTORY_HEADER = {"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
                   "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"}


def _ellipsis(text: str, width: int) -> str:
    """formatter.Ellipsis for one-column characters: cut to `width` with a final `…`."""
    return text if len(text) <= width else text[: width - 1] + "…"


@command("history", aliases=("image history",), usage="docker history [OPTIONS] IMAGE",
         short="Show the history of an image", args=(1, 1),
         flags=[Flag("format", None, str, "Pretty-print images using a Go template", metavar="string"),
                Flag("human", "H", bool, "Print sizes and dates in human readable format", default=True),
                Flag("no-trunc", None, bool, "Don't truncate output"),
                Flag("quiet", "q", bool, "Only show image IDs")])
def history(ctx, opts, args: list[str]) -> int:
    entries = image_ops.history(ctx.engine, args[0])
    fmt = opts.format or _TABLE
    if fmt == _TABLE:
        fmt = _QUIET if opts.quiet else (
            "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}" if opts.human
            else "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}")
    rows = []
    for e in entries:
        created_at = _local(e.created).strftime("%Y-%m-%dT%H:%M:%SZ")
        created_by = e.created_by.replace("\t", " ")
        rows.append(FormatterContext("*image.historyContext", {
            "ID": short_id(e.id) if not opts.no_trunc and e.id.startswith("sha256:") else e.id,
            "CreatedSince": _since(ctx, e.created) if opts.human else created_at,
            "CreatedAt": created_at,
            "CreatedBy": created_by if opts.no_trunc else _ellipsis(created_by, 45),
            "Size": human_size(e.size, 3) if opts.human else str(e.size),
            "Comment": e.comment,
        }))
    return _write(ctx, fmt, rows, _HISTORY_HEADER)


# -- tag -------------------------------------------------------------------------------------
@command("tag", aliases=("image tag",), usage="docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
         short="Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", args=(2, 2))
def tag(ctx, opts, args: list[str]) -> int:
    source, target = args
    try:
        _parse_any(source)
        ref = parse(target)
    except InvalidReference as e:
        bad = target if _valid(source) else source
        ctx.err(f'Error parsing reference: "{bad}" is not a valid repository/tag: {e}\n')
        return 1
    if ref.digest:
        ctx.err("refusing to create a tag with a digest reference\n")
        return 1
    image_ops.tag(ctx.engine, source, ref)
    return 0


def _parse_any(text: str) -> None:
    """`reference.ParseAnyReference`: a 64-hex ID (or `sha256:` ID) is a digest, else a name."""
    bare = text[7:] if text.startswith("sha256:") else text
    if not (len(bare) == 64 and all(c in "0123456789abcdef" for c in bare)):
        parse(text)


def _valid(text: str) -> bool:
    try:
        _parse_any(text)
        return True
    except InvalidReference:
        return False


# -- rmi -------------------------------------------------------------------------------------
@command("rmi", aliases=("image rm", "image rmi", "image remove"), usage="docker rmi [OPTIONS] IMAGE [IMAGE...]",
         short="Remove one or more images", args=(1, None),
         flags=[Flag("force", "f", bool, "Force removal of the image"),
                Flag("no-prune", None, bool, "Do not delete untagged parents")])
def rmi(ctx, opts, args: list[str]) -> int:
    """Errors are collected; with `-f`, only NotFound ones leave the exit status 0 (`remove.go`)."""
    errors, fatal = [], False
    for name in args:
        try:
            records = image_ops.remove(ctx.engine, name, force=opts.force, prune=not opts.no_prune)
        except NotFound:
            errors.append(f"Error: No such image: {name}")   # the client's objectNotFoundError
            continue
        except DockerError as e:
            errors.append(f"Error response from daemon: {e.message}")
            fatal = True
            continue
        ctx.out("".join(f"{r}\n" for r in records))
    if errors:
        ctx.err("\n".join(errors) + "\n")
        return 1 if fatal or not opts.force else 0
    return 0


# -- image inspect ---------------------------------------------------------------------------
# container.Config's slice and map fields: nil when unset, which Go prints `[]` / `map[]`.
_CONFIG_NILS = {"ExposedPorts": NilMap, "Env": NilSlice, "Cmd": NilSlice, "Volumes": NilMap,
                "Entrypoint": NilSlice, "OnBuild": NilSlice, "Labels": NilMap, "Shell": NilSlice}
_CONFIG_ZEROS = {key: zero for key, zero, _ in image_ops.CONFIG_FIELDS}


class _ContainerConfig(Struct):
    """`*container.Config` as a template sees it: every field exists, even those its JSON
    omits when empty (`{{.Config.Shell}}` is `[]`, `{{json .Config}}` keeps the omissions)."""

    def __init__(self, fields: dict):
        super().__init__("*container.Config", {
            key: _CONFIG_NILS[key]() if v is None and key in _CONFIG_NILS else v for key, v in fields.items()})

    def __contains__(self, key) -> bool:
        return key in _CONFIG_ZEROS

    def __missing__(self, key):
        return _CONFIG_NILS[key]() if key in _CONFIG_NILS else _CONFIG_ZEROS[key]


def as_go(value, go_type: str = "types.ImageInspect"):
    """Wrap the inspect dict so templates see structs where Go has structs and maps elsewhere."""
    structs = {"GraphDriver": "types.GraphDriverData", "RootFS": "types.RootFS", "Metadata": "types.ImageMetadata"}
    out = Struct(go_type)
    for key, v in value.items():
        if key in ("ContainerConfig", "Config") and isinstance(v, dict):
            out[key] = _ContainerConfig(v)
        else:
            out[key] = as_go(v, structs[key]) if key in structs and isinstance(v, dict) else v
    return out


def go_indent(value) -> str:
    """`json.Indent(..., "", "    ")` of Go's encoding: `<`, `>`, `&` escaped as \\u003c..."""
    text = json.dumps(value, indent=4, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@command("image inspect", usage="docker image inspect [OPTIONS] IMAGE [IMAGE...]",
         short="Display detailed information on one or more images", args=(1, None),
         flags=[Flag("format", "f", str, "Format the output using the given Go template", metavar="string")])
def image_inspect(ctx, opts, args: list[str]) -> int:
    template = None
    if opts.format:
        try:
            template = parse_template(opts.format)
        except TemplateError as e:
            ctx.err(f"template parsing error: {e}\n")
            return 64
    found, errors = [], []
    for name in args:
        try:
            found.append(image_ops.inspect(ctx.engine, name))
        except NotFound:
            errors.append(f"Error: No such image: {name}")
        except DockerError as e:
            errors.append(f"Error response from daemon: {e.message}")
    if template is None:
        ctx.out(go_indent(found) + "\n" if found else "[]\n")
    else:
        text = ""
        for item in found:
            try:
                text += inspector.execute(template, as_go(item), item) + "\n"
            except TemplateError as e:
                errors.append(str(e))
        ctx.out(text or "\n")
    if errors:
        ctx.err("\n".join(errors) + "\n")
        return 1
    return 0


# -- image prune -----------------------------------------------------------------------------
_DANGLING_WARNING = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?"
_ALL_WARNING = ("WARNING! This will remove all images without at least one container associated to them.\n"
                "Are you sure you want to continue?")


@command("image prune", usage="docker image prune [OPTIONS]", short="Remove unused images", args=(0, 0),
         flags=[Flag("all", "a", bool, "Remove all unused images, not just dangling ones"),
                Flag("filter", None, list, "Provide filter values (e.g. 'until=<timestamp>')", metavar="filter",
                     parse=_filter),
                Flag("force", "f", bool, "Do not prompt for confirmation")])
def image_prune(ctx, opts, args: list[str]) -> int:
    """Without `-f` the prompt reads no answer (scenarios have no input), so nothing is removed."""
    if not opts.force:
        ctx.out(f"{_ALL_WARNING if opts.all else _DANGLING_WARNING} [y/N] ")
        ctx.out("Total reclaimed space: 0B\n")
        return 0
    filters = _filters(opts.filter)
    report = image_ops.prune(ctx.engine, opts.all, filters)
    ctx.out(deleted_images(report))
    ctx.out(f"Total reclaimed space: {human_size(report.space_reclaimed)}\n")
    return 0


def deleted_images(report) -> str:
    """The `Deleted Images:` block of `image prune` and `system prune` (cli prune.go), or ""."""
    if not report.deleted:
        return ""
    return "Deleted Images:\n" + "".join(f"{r.kind.lower()}: {r.value}\n" for r in report.deleted) + "\n"
