"""What every diagram function returns, and the DOT conventions they share.

A `Diagram` holds DOT text (built with the `graphviz` package's `Digraph`) and, for the
diagrams that are graphs, the same content as a networkx graph. Node ids are stable (derived
from content or from sorted positions), nodes and edges are added in sorted order, so the same
state always gives byte-identical DOT.

Highlighted elements (the file being copied up, the transition just taken, the build step
running, the blobs that moved) carry `HIGHLIGHT`'s attributes in DOT and `highlight=True` in
the networkx graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import graphviz
import networkx as nx

from ..model.image import short_id
from ..model.units import human_size

HIGHLIGHT = {"color": "red", "penwidth": "3"}
FONT = "Helvetica"


@dataclass(frozen=True)
class Diagram:
    """kind: which diagram ("image-stack", "container-stack", "sharing", "union", "container-lifecycle",
    "image-lifecycle", "build", "transfer", "storage"); dot: DOT source text; graph: a networkx
    DiGraph/MultiDiGraph with the same nodes (DOT node ids) and edges, attributes included."""

    kind: str
    dot: str
    graph: Any = None


def digraph(name: str, rankdir: str = "TB") -> graphviz.Digraph:
    return graphviz.Digraph(name=name, graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": "11"},
                            node_attr={"shape": "box", "fontname": FONT, "fontsize": "10"},
                            edge_attr={"fontname": FONT, "fontsize": "9"})


def add_node(dot: graphviz.Digraph, graph: nx.DiGraph, node: str, label: str, highlight: bool = False,
             style: dict[str, str] | None = None, **data: Any) -> None:
    """One node in both forms: `style` goes to DOT only, `data` to networkx only."""
    attrs = dict(style or {})
    if highlight:
        attrs.update(HIGHLIGHT)
    dot.node(node, label, **attrs)
    graph.add_node(node, label=label, highlight=highlight, **data)


def add_edge(dot: graphviz.Digraph, graph: nx.DiGraph, tail: str, head: str, label: str = "",
             highlight: bool = False, style: dict[str, str] | None = None, **data: Any) -> None:
    attrs = dict(style or {})
    if label:
        attrs["label"] = label
    if highlight:
        attrs.update(HIGHLIGHT)
    dot.edge(tail, head, **attrs)
    if isinstance(graph, nx.MultiDiGraph):
        graph.add_edge(tail, head, key=data.pop("key", label), label=label, highlight=highlight, **data)
    else:
        graph.add_edge(tail, head, label=label, highlight=highlight, **data)


def size(n: int) -> str:
    """A size as `docker images` prints it (go-units, 3 significant digits): `1.98MB`."""
    return human_size(n, 3)


def short(digest: str | None) -> str:
    return short_id(digest) if digest else ""


def instruction(created_by: str, width: int = 48) -> str:
    """The Dockerfile instruction a history entry records, as a learner reads it:
    `/bin/sh -c #(nop)  CMD ["sh"]` -> `CMD ["sh"]`, `/bin/sh -c apt-get ...` -> `RUN apt-get ...`."""
    text = created_by.strip()
    if text.startswith("/bin/sh -c #(nop)"):
        text = text[len("/bin/sh -c #(nop)"):].strip()
    elif text.startswith("/bin/sh -c "):
        text = "RUN " + text[len("/bin/sh -c "):]
    return text if len(text) <= width else text[: width - 1] + "…"
