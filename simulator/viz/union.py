"""The union view of one directory of a container: each name, and the layer it comes from.

overlayfs looks a name up top-down (kernel `Documentation/filesystems/overlayfs.rst`): the
writable layer first, then the init layer, then the image's layers from the top. A whiteout
hides a name of the layers below it; an opaque directory hides everything the layers below
held under it. Both are listed here as such, with the layer that holds them.

A directory can hold hundreds of names (/usr/lib of a distribution image): the view draws at
most `LIMIT` of them (`visible`): the highlighted name, the whiteouts and opaque directories, the
writable layer's entries (what the container changed: the lesson), then the highlighted name's
neighbours in name order; the names left out are counted per layer, one "… and N more from
layer k" node each.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass

import networkx as nx

from ..model.fs import origin
from ..model.layer import Kind
from .diagram import Diagram, add_edge, add_node, digraph, size

WRITABLE = "writable"
INIT = "init"
LIMIT = 25            # names drawn at most; a trimmed view says how many more each layer holds


@dataclass(frozen=True)
class UnionEntry:
    """One name in the listing.

    source: the layer holding the entry shown (or the whiteout): WRITABLE, INIT or a layer number
    (1 = bottom of the image). status: "new" (only in the writable layer), "copied-up" (a lower
    file copied into the writable layer), "merged" (a directory in several layers), "lower" (read
    from a read-only layer), "whiteout" (deleted; not visible), "opaque" (a directory made again,
    hiding the lower one's contents). hides: the read-only layer whose entry it hides or copied.
    """

    name: str
    kind: str
    size: int
    source: str | int
    status: str
    hides: str | int | None = None


def _lower_source(layers, path: str, lower_has: bool) -> str | int | None:
    index = origin(layers, path)
    if index is not None:
        return index + 1
    return INIT if lower_has else None


def union_listing(state, container: str, path: str = "/") -> list[UnionEntry]:
    """The directory `path` (absolute, no symlinks) of `container` as the union shows it, plus
    the names deleted there (whiteouts), sorted by name. Raises NotFound for an unknown container
    and the model's FSError when `path` is not a directory."""
    c = state.containers.get(container)
    fs = state.backend.get(c.id)
    image = state.images.images[c.image_id]
    layers = [state.images.layers[d] for d in image.diff_ids]
    rows: dict[str, UnionEntry] = {}
    for name in fs.listdir(path):
        full = posixpath.join(path, name)
        entry = fs.get(full)
        lower = _lower_source(layers, full, fs.lower.get(full) is not None)
        up = fs.upper.get(full)
        if up is None:
            rows[name] = UnionEntry(name, entry.kind.value, entry.size, lower, "lower")
        elif up.kind is Kind.DIR and up.opaque:
            rows[name] = UnionEntry(name, "dir", 0, WRITABLE, "opaque", lower)
        elif lower is None:
            rows[name] = UnionEntry(name, entry.kind.value, entry.size, WRITABLE, "new")
        else:
            status = "merged" if entry.kind is Kind.DIR else "copied-up"
            rows[name] = UnionEntry(name, entry.kind.value, entry.size, WRITABLE, status, lower)
    prefix = path.rstrip("/") + "/"
    for full, up in fs.upper.items():
        name = full[len(prefix):]
        if up.kind is Kind.WHITEOUT and full.startswith(prefix) and "/" not in name:
            rows[name] = UnionEntry(name, "whiteout", 0, WRITABLE, "whiteout",
                                    _lower_source(layers, full, fs.lower.get(full) is not None))
    for number, layer in enumerate(layers, 1):
        for full, e in layer.entries.items():
            name = full[len(prefix):]
            if e.kind is Kind.WHITEOUT and full.startswith(prefix) and "/" not in name and name not in rows:
                rows[name] = UnionEntry(name, "whiteout", 0, number, "whiteout",
                                        _lower_source(layers[: number - 1], full, False))
    return [rows[n] for n in sorted(rows)]


def _layer_node(source: str | int) -> str:
    return {WRITABLE: "rw", INIT: "init"}.get(source, f"layer{source}")


def _top_down(source: str | int) -> int:
    """Sort key: the writable layer, the init layer, then the image's layers from the top."""
    return -{WRITABLE: 10**6, INIT: 10**6 - 1}.get(source, source)


def _layer_name(source: str | int) -> str:
    return {WRITABLE: "the writable layer", INIT: "the init layer"}.get(source, f"layer {source}")


def visible(rows: list[UnionEntry], highlight: str | None = None, limit: int = LIMIT) -> list[int]:
    """The indices into `rows` (a listing in name order) that a view of at most `limit` names
    draws, ascending: all of them when they fit; else, in this order of preference, the row
    named `highlight`, whiteouts and opaque directories, the writable layer's other rows, then
    the rest nearest in name order to the highlighted row (to the first row without one), the
    earlier name first at equal distance."""
    if len(rows) <= limit:
        return list(range(len(rows)))
    anchor = next((i for i, r in enumerate(rows) if r.name == highlight), None)
    centre = anchor if anchor is not None else 0

    def preference(i: int) -> tuple[int, int, int]:
        row = rows[i]
        group = (0 if i == anchor else 1 if row.status in ("whiteout", "opaque")
                 else 2 if row.source == WRITABLE else 3)
        return group, abs(i - centre), i

    return sorted(sorted(range(len(rows)), key=preference)[:limit])


def union_view(state, container: str, path: str = "/", event=None, highlight: str | None = None,
               limit: int = LIMIT) -> Diagram:
    """The listing as a graph: one node per name (`f<i>`, i its place in the whole listing in
    name order) with an edge to the layer it comes from (`rw`, `init`, `layer<n>`); a whiteout's
    edge is dashed and labelled, an opaque directory's edge says so. `highlight` (a path), or
    else the path of `event` when it is a copy-up, whiteout or opaque mark in this container,
    is drawn highlighted. At most `limit` names are drawn (`visible`); the others are counted per
    layer in one node each, `more_<layer node>` ("… and N more from layer k", a dotted edge to
    the layer; networkx: kind "more", source, count), top-down."""
    c = state.containers.get(container)
    if highlight is None and event is not None and event.kind in ("fs.copy_up", "fs.whiteout", "fs.opaque") \
            and event.data.get("container") == c.id:
        highlight = event.data.get("path")
    image = state.images.images[c.image_id]
    rows = union_listing(state, container, path)
    lit_name = posixpath.basename(highlight) if highlight and posixpath.dirname(highlight) == path else None
    kept = visible(rows, lit_name, limit)
    dot, graph = digraph("union", "LR"), nx.DiGraph()
    trimmed = f"\\n{len(kept)} of {len(rows)} names shown" if len(kept) < len(rows) else ""
    dot.attr(label=f"{path} in container {c.name}{trimmed}")
    sources = {WRITABLE, INIT} | set(range(1, len(image.diff_ids) + 1))
    for source in sorted(sources, key=_top_down):
        label = {WRITABLE: "writable layer", INIT: "init layer"}.get(source, f"layer {source} (read-only)")
        add_node(dot, graph, _layer_node(source), label, style={"shape": "box3d"}, kind="layer", source=source)
    for i in kept:
        row = rows[i]
        node = f"f{i}"
        full = posixpath.join(path, row.name)
        shown = row.name + ("/" if row.kind == "dir" else "")
        notes = {"whiteout": f"{row.name} (deleted: whiteout)", "opaque": f"{shown} (opaque)",
                 "copied-up": f"{shown}\\ncopied up from layer {row.hides}", "merged": shown,
                 "new": shown, "lower": shown}
        label = notes[row.status] + (f"\\n{size(row.size)}" if row.kind == "file" else "")
        style = {"style": "dashed"} if row.status == "whiteout" else {"shape": "folder"} if row.kind == "dir" else {}
        lit = highlight == full
        add_node(dot, graph, node, label, lit, style, kind="entry", name=row.name, entry_kind=row.kind,
                 status=row.status, source=row.source, hides=row.hides, size=row.size)
        edge = {"whiteout": "whiteout", "opaque": "opaque"}.get(row.status, "")
        add_edge(dot, graph, node, _layer_node(row.source), edge, lit,
                 {"style": "dashed"} if row.status == "whiteout" else None)
    hidden = Counter(rows[i].source for i in sorted(set(range(len(rows))) - set(kept)))
    for source in sorted(hidden, key=_top_down):
        node = "more_" + _layer_node(source)
        add_node(dot, graph, node, f"… and {hidden[source]} more from {_layer_name(source)}",
                 style={"shape": "plaintext"}, kind="more", source=source, count=hidden[source])
        add_edge(dot, graph, node, _layer_node(source), style={"style": "dotted"})
    return Diagram("union", dot.source, graph)
