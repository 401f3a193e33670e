"""The union view of one directory of a container: each name, and the layer it comes from.

overlayfs looks a name up top-down (kernel `Documentation/filesystems/overlayfs.rst`): the
writable layer first, then the init layer, then the image's layers from the top. A whiteout
hides a name of the layers below it; an opaque directory hides everything the layers below
held under it. Both are listed here as such, with the layer that holds them.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import networkx as nx

from ..model.fs import origin
from ..model.layer import Kind
from .diagram import Diagram, add_edge, add_node, digraph, size

WRITABLE = "writable"
INIT = "init"


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


def union_view(state, container: str, path: str = "/", event=None, highlight: str | None = None) -> Diagram:
    """The listing as a graph: one node per name (`f<i>`, in name order) with an edge to the
    layer it comes from (`rw`, `init`, `layer<n>`); a whiteout's edge is dashed and labelled,
    an opaque directory's edge says so. `highlight` (a path), or else the path of `event` when
    it is a copy-up, whiteout or opaque mark in this container, is drawn highlighted."""
    c = state.containers.get(container)
    if highlight is None and event is not None and event.kind in ("fs.copy_up", "fs.whiteout", "fs.opaque") \
            and event.data.get("container") == c.id:
        highlight = event.data.get("path")
    image = state.images.images[c.image_id]
    rows = union_listing(state, container, path)
    dot, graph = digraph("union", "LR"), nx.DiGraph()
    dot.attr(label=f"{path} in container {c.name}")
    sources = {WRITABLE, INIT} | set(range(1, len(image.diff_ids) + 1))
    for source in sorted(sources, key=lambda s: {WRITABLE: 10**6, INIT: 10**6 - 1}.get(s, s), reverse=True):
        label = {WRITABLE: "writable layer", INIT: "init layer"}.get(source, f"layer {source} (read-only)")
        add_node(dot, graph, _layer_node(source), label, style={"shape": "box3d"}, kind="layer", source=source)
    for i, row in enumerate(rows):
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
    return Diagram("union", dot.source, graph)
