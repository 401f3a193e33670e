"""A build, from its events: each step's instruction, cache hit or miss, and the layer it made.

The classic builder (`simulator.engine.build`) announces every step (`build.step`), probes the
cache (`build.cache_hit` / `build.cache_miss`) and commits each step that ran
(`build.step_committed`, with the new layer's number, diffID and size).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import networkx as nx

from ..engine.build.cache import miss_action
from .diagram import Diagram, add_edge, add_node, digraph, short, size


@dataclass(frozen=True)
class BuildStep:
    """step/total: as `Step 2/5 :` prints them. cache: "hit", "miss" or "" (FROM has no probe).
    image: the image after the step. layer: the number of the layer the step made or reused
    (None for a config-only step), with its diff_id and size."""

    step: int
    total: int
    instruction: str
    cache: str = ""
    image: str = ""
    layer: int | None = None
    diff_id: str = ""
    size: int = 0


def build_steps(events, state=None) -> tuple[list[BuildStep], str]:
    """The steps of the last build in `events` (in order), and its image ID ("" while it runs).
    `state`, when given, supplies the reused layer of a cache hit (from the hit image's config)."""
    starts = [i for i, e in enumerate(events) if e.kind == "build.started"]
    if not starts:
        return [], ""
    steps: list[BuildStep] = []
    result = ""
    for e in events[starts[-1]:]:
        if e.kind == "build.step":
            steps.append(BuildStep(e.data["step"], e.data["total"], e.data["instruction"]))
        elif not steps:
            continue
        elif e.kind == "build.cache_miss":
            steps[-1] = replace(steps[-1], cache="miss")
        elif e.kind == "build.cache_hit":
            steps[-1] = replace(steps[-1], cache="hit", image=e.data["id"], **_reused(state, e.data["id"]))
        elif e.kind == "build.step_committed":
            steps[-1] = replace(steps[-1], image=e.data["id"], layer=e.data.get("layer"),
                                diff_id=e.data.get("diff_id") or "", size=e.data.get("size", 0))
        elif e.kind == "build.finished":
            result = e.data["id"]
    return steps, result


def _reused(state, image_id: str) -> dict:
    image = state.images.images.get(image_id) if state is not None else None
    if image is None or not image.history or image.history[-1].get("empty_layer"):
        return {}
    diff = image.diff_ids[-1]
    return {"layer": len(image.diff_ids), "diff_id": diff, "size": state.images.layers[diff].size}


def build(events, state=None) -> Diagram:
    """Steps `s<step>` in a chain, each with an edge to the layer it made or reused
    (`layer<n>`, labelled "made" or "reused"), and the final image `image`. Cache hits are
    filled green, misses orange; the last step is highlighted while the build runs."""
    steps, result = build_steps(events, state)
    dot, graph = digraph("build"), nx.DiGraph()
    previous = None
    for i, s in enumerate(steps):
        node = f"s{s.step}"
        note = {"hit": "cache hit: Using cache", "miss": f"cache miss: {miss_action(s.instruction)}"}.get(
            s.cache, "base image" if s.instruction.upper().startswith("FROM") else "")
        colour = {"hit": "palegreen", "miss": "orange", "": "white"}[s.cache]
        running = not result and i == len(steps) - 1
        add_node(dot, graph, node, f"Step {s.step}/{s.total}: {s.instruction}" + (f"\\n{note}" if note else ""),
                 running,
                 {"style": "filled", "fillcolor": colour}, kind="step", step=s.step, instruction=s.instruction,
                 cache=s.cache, image=s.image, layer=s.layer)
        if previous:
            add_edge(dot, graph, previous, node)
        previous = node
        if s.layer is not None:
            layer = f"layer{s.layer}"
            if layer not in graph:
                add_node(dot, graph, layer, f"layer {s.layer}\\n{short(s.diff_id)}  +{size(s.size)}",
                         style={"shape": "box3d"}, kind="layer", number=s.layer, diff_id=s.diff_id, size=s.size)
            add_edge(dot, graph, node, layer, "reused" if s.cache == "hit" else "made")
    if result:
        add_node(dot, graph, "image", f"image {short(result)}", style={"shape": "note"}, kind="image", id=result)
        if previous:
            add_edge(dot, graph, previous, "image")
    return Diagram("build", dot.source, graph)
