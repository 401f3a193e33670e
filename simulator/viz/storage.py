"""Storage as `docker system df -v` reports it: images (size, shared, unique), containers
(writable layer), local volumes and the build cache, from `simulator.engine.disk_usage`.

The four `system df` rows are drawn as a row of boxes whose widths grow with their sizes, so
the biggest consumer is the widest box and an empty build cache is a narrow one; below them,
each image (its shared and unique bytes), container and volume, sized the same way.
"""

from __future__ import annotations

import networkx as nx

from ..engine.disk_usage import compute, summary
from ..model.events import plural
from .diagram import Diagram, add_edge, add_node, digraph, size

MIN_WIDTH, MAX_WIDTH = 1.2, 4.0   # inches: a box of 0 bytes, and of the largest size drawn
ROWS = (("df_images", "images"), ("df_containers", "containers"), ("df_volumes", "volumes"),
        ("df_cache", "cache"))


def width(n: int, largest: int) -> str:
    """A box's width in inches for `n` bytes when the largest box holds `largest` bytes."""
    share = n / largest if largest else 0.0
    return f"{MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * share:.2f}"


def storage(state) -> Diagram:
    """Nodes `df_images`, `df_containers`, `df_volumes`, `df_cache` (the `system df` rows, with
    `bytes` and `width`), then clusters of `i_<ID hex 12>` (images, with size, shared_size,
    unique_size), `c_<ID hex 12>` (containers, size_rw) and `v_<i>` (volumes by name order);
    edges container -> its image and container -> each volume it mounts. `graph.graph["summary"]`:
    the four rows as (TYPE, TOTAL, ACTIVE, SIZE, RECLAIMABLE) strings."""
    usage = compute(state)
    dot, graph = digraph("storage", "TB"), nx.DiGraph()
    rows = summary(usage)
    graph.graph["summary"] = [(r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable) for r in rows]
    totals = [usage.layers_size, sum(c.size_rw for c in usage.containers), sum(v.size for v in usage.volumes),
              usage.build_cache_size]
    largest = max(totals)
    with dot.subgraph(name="df") as sub:
        sub.attr(rank="same")
        for (node, kind), row, n in zip(ROWS, rows, totals):
            add_node(sub, graph, node, f"{row.Type}\\n{row.Size}\\n{row.TotalCount} total, {row.Active} active\\n"
                     f"reclaimable {row.Reclaimable}",
                     style={"width": width(n, largest), "style": "filled",
                            **({"fillcolor": "grey95", "fontsize": "8"} if kind == "cache" else
                               {"fillcolor": "lightyellow"})},
                     kind="df", row=kind, bytes=n, width=float(width(n, largest)))
    images = sorted(usage.images, key=lambda i: i.image.id)
    volumes = sorted(usage.volumes, key=lambda v: v.name)
    vol_node = {v.name: f"v_{i}" for i, v in enumerate(volumes)}
    biggest = max([i.size for i in images] + [c.size_rw for c in usage.containers] + [v.size for v in volumes]
                  + [0])
    with dot.subgraph(name="cluster_images") as sub:
        sub.attr(label=f"Images (layers {size(usage.layers_size)})")
        for i in images:
            tags = [str(r) for r in state.images.refs_of(i.image.id)]
            unique = i.size - i.shared_size
            add_node(sub, graph, "i_" + i.image.short_id,
                     f"{tags[0] if tags else '<none>'}\\n{size(i.size)}\\nshared {size(i.shared_size)} | "
                     f"unique {size(unique)}", style={"width": width(i.size, biggest)}, kind="image",
                     id=i.image.id, size=i.size, shared_size=i.shared_size, unique_size=unique,
                     containers=i.containers)
    with dot.subgraph(name="cluster_containers") as sub:
        sub.attr(label="Containers (writable layers)")
        for c in sorted(usage.containers, key=lambda c: c.container.id):
            add_node(sub, graph, "c_" + c.container.id[:12],
                     f"{c.container.name} ({c.container.state})\\n{size(c.size_rw)}",
                     style={"width": width(c.size_rw, biggest)}, kind="container", id=c.container.id,
                     size_rw=c.size_rw)
    with dot.subgraph(name="cluster_volumes") as sub:
        sub.attr(label="Local Volumes")
        for v in volumes:
            add_node(sub, graph, vol_node[v.name], f"{v.name[:12]}\\n{size(v.size)}, {plural(v.links, 'link')}",
                     style={"shape": "cylinder", "width": width(v.size, biggest)}, kind="volume", name=v.name,
                     size=v.size, links=v.links)
    for c in sorted(usage.containers, key=lambda c: c.container.id):
        node = "c_" + c.container.id[:12]
        if "i_" + c.container.image_id.split(":")[-1][:12] in graph:
            add_edge(dot, graph, node, "i_" + c.container.image_id.split(":")[-1][:12], "image")
        for name in sorted({m.name for m in c.container.mounts if getattr(m, "kind", "") == "volume"}):
            if name in vol_node:
                add_edge(dot, graph, node, vol_node[name], "mounts")
    return Diagram("storage", dot.source, graph)
