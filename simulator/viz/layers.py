"""The layer stack of an image, and of a container (the image's layers, Docker's init layer and
the writable layer on top).

Layers are numbered from 1 at the bottom, as the engine's event messages number them. The
instruction of each layer comes from the image's history: its entries without `empty_layer`
match `rootfs.diff_ids` in order (image-spec `config.md`).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from ..model.image import Image
from .diagram import Diagram, add_edge, add_node, digraph, instruction, short, size


@dataclass(frozen=True)
class LayerRow:
    """number: 1 = bottom; size: DiffSize in bytes; created_by: the history entry's command."""

    number: int
    diff_id: str
    chain_id: str
    size: int
    created_by: str


def image_layers(state, image: Image) -> list[LayerRow]:
    """The image's layers, bottom first."""
    made = [h.get("created_by", "") for h in image.history if not h.get("empty_layer")]
    made += [""] * (len(image.diff_ids) - len(made))
    return [LayerRow(i + 1, d, c, state.images.layers[d].size, made[i])
            for i, (d, c) in enumerate(zip(image.diff_ids, image.chain_ids))]


def _image_label(state, image: Image) -> str:
    tags = [str(r) for r in state.images.refs_of(image.id)]
    return f"image {image.short_id}\\n" + (", ".join(tags) if tags else "<none>:<none>")


def _add_layers(dot, graph, state, image: Image, above: str) -> None:
    rows = image_layers(state, image)
    for row in reversed(rows):
        node = f"layer{row.number}"
        text = f"layer {row.number} (read-only)\\n{short(row.diff_id)}  {size(row.size)}"
        if row.created_by:
            text += "\\n" + instruction(row.created_by)
        add_node(dot, graph, node, text, kind="layer", number=row.number, diff_id=row.diff_id,
                 chain_id=row.chain_id, size=row.size, created_by=row.created_by)
        add_edge(dot, graph, above, node, "on top of")
        above = node


def image_stack(state, ref: str) -> Diagram:
    """The image `ref` (name or ID) as a stack: the image config on top, then its layers, top
    layer first. Raises the engine's NotFound when there is no such image."""
    image = state.images.lookup(ref)
    dot, graph = digraph("image_stack"), nx.DiGraph()
    add_node(dot, graph, "image", _image_label(state, image), style={"shape": "note"}, kind="image",
             id=image.id, size=state.images.size(image))
    _add_layers(dot, graph, state, image, "image")
    return Diagram("image-stack", dot.source, graph)


def container_stack(state, ref: str) -> Diagram:
    """The container `ref` (name or ID): its writable layer (DiffSize of the changes, as
    `docker ps -s` counts it) over the init layer over its image's layers. Raises NotFound."""
    c = state.containers.get(ref)
    image = state.images.images[c.image_id]
    rw = state.backend.get(c.id).layer()
    dot, graph = digraph("container_stack"), nx.DiGraph()
    add_node(dot, graph, "container", f"container {c.name} ({c.state})\\n{c.id[:12]}",
             style={"shape": "component"}, kind="container", id=c.id, state=c.state)
    add_node(dot, graph, "rw", f"writable layer\\n{len(rw)} changes  {size(rw.size)}",
             style={"style": "filled", "fillcolor": "lightyellow"}, kind="writable", size=rw.size,
             changes=len(rw))
    add_edge(dot, graph, "container", "rw", "writes to")
    add_node(dot, graph, "init", "init layer (read-only)\\n/etc/hosts, /etc/hostname, /.dockerenv ...",
             kind="init")
    add_edge(dot, graph, "rw", "init", "on top of")
    _add_layers(dot, graph, state, image, "init")
    return Diagram("container-stack", dot.source, graph)
