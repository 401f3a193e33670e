"""Layer sharing across all images and containers: a DAG of layers by chainID.

A layer in context is its chainID (image-spec `config.md`): two images share a stored layer
exactly when they have the same chainID at the same position. The images drawn are the ones
`docker images` lists (`disk_usage.top_level_images`), so, as in `system df`, a layer is shared
when more than one of them uses it, and its bytes count once.
"""

from __future__ import annotations

import networkx as nx

from ..engine.disk_usage import top_level_images
from .diagram import Diagram, add_edge, add_node, digraph, short, size


def _image_name(state, image) -> str:
    tags = [str(r) for r in state.images.refs_of(image.id)]
    return tags[0] if tags else f"<none> {image.short_id}"


def sharing_graph(state) -> nx.DiGraph:
    """Nodes: `l_<chainID hex 12>` layers (size, diff_id, chain_id, images: sorted names, shared),
    `i_<ID hex 12>` images (size, shared_size, unique_size), `c_<ID hex 12>` containers (size_rw).
    Edges: parent layer -> child layer -> image (its top layer) -> container. Graph attributes:
    shared_size and unique_size (bytes of layers used by several images / by one)."""
    graph = nx.DiGraph()
    users: dict[str, list[str]] = {}
    images = sorted(top_level_images(state), key=lambda i: i.id)
    for image in images:
        for chain in image.chain_ids:
            users.setdefault(chain, []).append(_image_name(state, image))
    for image in images:
        parent = None
        for chain, diff in zip(image.chain_ids, image.diff_ids):
            node = "l_" + short(chain)
            graph.add_node(node, kind="layer", chain_id=chain, diff_id=diff, size=state.images.layers[diff].size,
                           images=sorted(users[chain]), shared=len(users[chain]) > 1)
            if parent:
                graph.add_edge(parent, node)
            parent = node
        sizes = [graph.nodes["l_" + short(ch)]["size"] for ch in image.chain_ids]
        shared = sum(s for ch, s in zip(image.chain_ids, sizes) if len(users[ch]) > 1)
        graph.add_node("i_" + image.short_id, kind="image", id=image.id, name=_image_name(state, image),
                       size=sum(sizes), shared_size=shared, unique_size=sum(sizes) - shared)
        if parent:
            graph.add_edge(parent, "i_" + image.short_id)
    for c in sorted(state.containers.all(), key=lambda c: c.id):
        node = "c_" + c.id[:12]
        graph.add_node(node, kind="container", id=c.id, name=c.name, size_rw=state.backend.get(c.id).layer().size)
        if "i_" + short(c.image_id) in graph:
            graph.add_edge("i_" + short(c.image_id), node)
    layers = [d for _, d in graph.nodes(data=True) if d["kind"] == "layer"]
    graph.graph["shared_size"] = sum(d["size"] for d in layers if d["shared"])
    graph.graph["unique_size"] = sum(d["size"] for d in layers if not d["shared"])
    return graph


def sharing(state) -> Diagram:
    """The sharing DAG as DOT: shared layers filled, images with their shared/unique sizes."""
    graph = sharing_graph(state)
    dot, out = digraph("sharing", "BT"), nx.DiGraph(**graph.graph)
    for node in sorted(graph.nodes):
        d = graph.nodes[node]
        if d["kind"] == "layer":
            label = f"layer {short(d['diff_id'])}\\n{size(d['size'])}" + (
                f"\\nshared by {len(d['images'])} images" if d["shared"] else "")
            style = {"style": "filled", "fillcolor": "lightblue"} if d["shared"] else {}
        elif d["kind"] == "image":
            label = f"{d['name']}\\n{size(d['size'])}: shared {size(d['shared_size'])}, unique {size(d['unique_size'])}"
            style = {"shape": "note"}
        else:
            label = f"container {d['name']}\\nwritable {size(d['size_rw'])}"
            style = {"shape": "component"}
        add_node(dot, out, node, label, style=style, **{k: v for k, v in d.items() if k != "label"})
    for tail, head in sorted(graph.edges):
        add_edge(dot, out, tail, head)
    dot.attr(label=f"layers: {size(graph.graph['shared_size'])} shared, "
                   f"{size(graph.graph['unique_size'])} used by one image")
    return Diagram("sharing", dot.source, out)
