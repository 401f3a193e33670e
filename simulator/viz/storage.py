"""Storage as `docker system df -v` reports it: images (size, shared, unique), containers
(writable layer), local volumes and the build cache, from `simulator.engine.disk_usage`."""

from __future__ import annotations

import networkx as nx

from ..engine.disk_usage import compute, summary
from .diagram import Diagram, add_edge, add_node, digraph, size


def storage(state) -> Diagram:
    """Clusters of nodes `i_<ID hex 12>` (images), `c_<ID hex 12>` (containers), `v_<i>` (volumes,
    by name order) and `cache`, edges container -> its image and container -> each volume it mounts,
    and a `summary` node with the four `system df` rows (TYPE, TOTAL, ACTIVE, SIZE, RECLAIMABLE)."""
    usage = compute(state)
    dot, graph = digraph("storage", "LR"), nx.DiGraph()
    rows = summary(usage)
    graph.graph["summary"] = [(r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable) for r in rows]
    text = "\\l".join(f"{r.Type}: {r.TotalCount} total, {r.Active} active, {r.Size}, {r.Reclaimable} reclaimable"
                      for r in rows) + "\\l"
    add_node(dot, graph, "summary", text, style={"shape": "note"}, kind="summary")
    volumes = sorted(usage.volumes, key=lambda v: v.name)
    vol_node = {v.name: f"v_{i}" for i, v in enumerate(volumes)}
    with dot.subgraph(name="cluster_images") as sub:
        sub.attr(label=f"Images (layers {size(usage.layers_size)})")
        for i in sorted(usage.images, key=lambda i: i.image.id):
            tags = [str(r) for r in state.images.refs_of(i.image.id)]
            add_node(sub, graph, "i_" + i.image.short_id,
                     f"{tags[0] if tags else '<none>'}\\n{size(i.size)}: shared {size(i.shared_size)}, "
                     f"unique {size(i.size - i.shared_size)}", kind="image", id=i.image.id, size=i.size,
                     shared_size=i.shared_size, unique_size=i.size - i.shared_size, containers=i.containers)
    with dot.subgraph(name="cluster_containers") as sub:
        sub.attr(label="Containers (writable layers)")
        for c in sorted(usage.containers, key=lambda c: c.container.id):
            add_node(sub, graph, "c_" + c.container.id[:12],
                     f"{c.container.name} ({c.container.state})\\n{size(c.size_rw)}", kind="container",
                     id=c.container.id, size_rw=c.size_rw)
    with dot.subgraph(name="cluster_volumes") as sub:
        sub.attr(label="Local Volumes")
        for v in volumes:
            add_node(sub, graph, vol_node[v.name], f"{v.name[:12]}\\n{size(v.size)}, {v.links} links",
                     style={"shape": "cylinder"}, kind="volume", name=v.name, size=v.size, links=v.links)
    with dot.subgraph(name="cluster_cache") as sub:
        sub.attr(label="Build Cache")
        add_node(sub, graph, "cache", f"{size(usage.build_cache_size)}\\n(the classic builder keeps none)",
                 kind="cache", size=usage.build_cache_size)
    for c in sorted(usage.containers, key=lambda c: c.container.id):
        node = "c_" + c.container.id[:12]
        if "i_" + c.container.image_id.split(":")[-1][:12] in graph:
            add_edge(dot, graph, node, "i_" + c.container.image_id.split(":")[-1][:12], "image")
        for name in sorted({m.name for m in c.container.mounts if getattr(m, "kind", "") == "volume"}):
            if name in vol_node:
                add_edge(dot, graph, node, vol_node[name], "mounts")
    return Diagram("storage", dot.source, graph)
