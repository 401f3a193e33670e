"""Plain-text renderings of diagrams, for a terminal: read from each `Diagram`'s networkx graph.

    layer stack     container web (running)  3f2a1b4c5d6e
                      writable layer  2 changes  56B
                      init layer       /etc/hosts, /etc/hostname, /.dockerenv ...
                      layer 2  sha256:3328efcd0a3e  6B  RUN echo hello > /app/hello.txt
    lifecycle       the diagram's sentence: `container state: running; just now: <what the
                    transition does>` (`graph.graph["summary"]`)
    union view      one line per name: the layer it comes from, its status; `*` marks the
                    highlighted path; then "… and N more from layer k" for names left out
    build           one line per step: cache hit/miss and the layer made or reused
    transfer        one line per blob: moved or already there
    sharing         the number of images, the shared and unique totals
    storage         the four `system df` rows

Lines are in the graph's (sorted, deterministic) order; no colour, no terminal control codes.
`plain(output)` makes a command's output fit to show the same way.
"""

from __future__ import annotations

import re
from typing import Callable

from ..model.events import plural
from .diagram import Diagram, instruction, short, size


def _label(data: dict) -> str:
    return data["label"].replace("\\n", "  ").replace("\\l", "; ").rstrip("; ")


def _layers(graph) -> list[str]:
    nodes = sorted((n for n, d in graph.nodes(data=True) if d.get("kind") == "layer"),
                   key=lambda n: -graph.nodes[n]["number"])
    return [f"  layer {d['number']}  {short(d['diff_id'])}  {size(d['size'])}"
            + (f"  {instruction(d['created_by'], 60)}" if d["created_by"] else "")
            for d in (graph.nodes[n] for n in nodes)]


def _image_stack(graph) -> list[str]:
    return [_label(graph.nodes["image"]), *_layers(graph)]


def _container_stack(graph) -> list[str]:
    c, rw = graph.nodes["container"], graph.nodes["rw"]
    return [f"container {_label(c)[len('container '):]}",
            f"  writable layer  {plural(rw['changes'], 'change')}  {size(rw['size'])}",
            "  init layer  /etc/hosts, /etc/hostname, /.dockerenv ...", *_layers(graph)]


def _lifecycle(graph) -> list[str]:
    return [graph.graph["summary"]]


def _union(graph) -> list[str]:
    out = []
    for n in sorted((n for n, d in graph.nodes(data=True) if d["kind"] == "entry"), key=lambda n: int(n[1:])):
        d = graph.nodes[n]
        source = {"writable": "writable layer", "init": "init layer"}.get(d["source"], f"layer {d['source']}")
        note = f"{d['status']} from layer {d['hides']}" if d["status"] == "copied-up" else d["status"]
        shown = d["name"] + ("/" if d["entry_kind"] == "dir" else "")
        out.append(f"{'*' if d['highlight'] else ' '} {shown:<20} {source:<16} {note}")
    return out + ["  " + d["label"] for _, d in graph.nodes(data=True) if d["kind"] == "more"]


def _build(graph) -> list[str]:
    out = []
    for n in sorted((n for n, d in graph.nodes(data=True) if d["kind"] == "step"), key=lambda n: int(n[1:])):
        d = graph.nodes[n]
        cache = {"hit": "  cache hit", "miss": "  cache miss"}.get(d["cache"], "")
        layer = f"  -> layer {d['layer']}" if d["layer"] is not None else ""
        out.append(f"{'>' if d['highlight'] else ' '} Step {d['step']}: {d['instruction']}{cache}{layer}")
    if "image" in graph:
        out.append(f"  built image {short(graph.nodes['image']['id'])}")
    return out or ["build: no step yet"]


def _transfer(graph) -> list[str]:
    out = [_label(graph.nodes["registry"])] if "registry" in graph else ["no push or pull yet"]
    for n in sorted((n for n, d in graph.nodes(data=True) if d["kind"] == "blob"), key=lambda n: int(n[1:])):
        d = graph.nodes[n]
        out.append(f"{'*' if d['moved'] else ' '} layer {short(d['diff_id'])}  {d['status']}")
    return out


def _sharing(graph) -> list[str]:
    images = sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "image")
    return [f"layer sharing: {plural(images, 'image')}; layers {size(graph.graph['shared_size'])} shared, "
            f"{size(graph.graph['unique_size'])} used by one image"]


def _storage(graph) -> list[str]:
    return ["storage (system df):"] + [f"  {t}: {total} total, {active} active, {sz}, {reclaim} reclaimable"
                                       for t, total, active, sz, reclaim in graph.graph["summary"]]


RENDERERS: dict[str, Callable] = {
    "image-stack": _image_stack, "container-stack": _container_stack, "union": _union,
    "container-lifecycle": _lifecycle, "image-lifecycle": _lifecycle, "build": _build,
    "transfer": _transfer, "sharing": _sharing, "storage": _storage}


def text(diagram: Diagram) -> str:
    """The diagram as lines of text (each ending in a newline). Raises KeyError for a kind
    without a text form."""
    return "".join(line.rstrip() + "\n" for line in RENDERERS[diagram.kind](diagram.graph))


# SGR colour codes, as the classic builder wraps a RUN step's stderr in (moby's
# pkg/streamformatter), and carriage returns, as the 20.10 CLI ends its build context line with
# ("...  2.048kB\r\r\n"): in a shown transcript they only garble the lines.
_CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\r")


def plain(output: str) -> str:
    """A command's output (stdout and stderr, as the docker CLI writes them) as plain lines to show:
    colour codes and carriage returns dropped, everything else kept."""
    return _CONTROL.sub("", output)
