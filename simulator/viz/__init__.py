"""Diagrams of engine state: pure functions from a snapshot (and the step's event or the trace's
events where needed) to a `Diagram` (DOT text plus a networkx graph). Rendering is in
`simulator.viz.render`; nothing here draws or needs Graphviz's `dot`."""

from .build import BuildStep, build, build_steps
from .diagram import HIGHLIGHT, Diagram
from .layers import LayerRow, container_stack, image_layers, image_stack
from .lifecycle import container_lifecycle, image_lifecycle, image_state
from .sharing import sharing, sharing_graph
from .storage import storage
from .transfer import BlobMove, Transfer, transfer, transfer_of
from .union import UnionEntry, union_listing, union_view

__all__ = ["HIGHLIGHT", "BlobMove", "BuildStep", "Diagram", "LayerRow", "Transfer", "UnionEntry", "build",
           "build_steps", "container_lifecycle", "container_stack", "image_layers", "image_lifecycle",
           "image_stack", "image_state", "sharing", "sharing_graph", "storage", "transfer", "transfer_of",
           "union_listing", "union_view"]
