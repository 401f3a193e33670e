"""The container and image lifecycles, drawn from the engine's own transition tables
(`simulator.engine.states.TRANSITIONS` and `IMAGE_TRANSITIONS`), with the current state and the
transition just taken highlighted."""

from __future__ import annotations

import networkx as nx

from ..engine import states
from .diagram import Diagram, add_edge, add_node, digraph

# image events -> the image-lifecycle transition they are
_IMAGE_EVENTS = {"build.finished": "built", "registry.image_pulled": "pulled", "image.committed": "committed",
                 "image.tagged": "tagged", "registry.manifest_pushed": "pushed", "image.untagged": "untagged",
                 "image.deleted": "removed"}


def _node(state_name: str) -> str:
    return "s_" + state_name.strip("()")


def _draw(name: str, kind: str, nodes: list[str], edges, current: str | None,
          taken: set[tuple[str, str, str]]) -> Diagram:
    dot, graph = digraph(name, "LR"), nx.MultiDiGraph()
    for s in nodes:
        style = {"shape": "plaintext"} if s.startswith("(") else {"shape": "ellipse"}
        add_node(dot, graph, _node(s), s, s == current, style, state=s)
    for e in edges:
        add_edge(dot, graph, _node(e.source), _node(e.target), e.name, (e.source, e.target, e.name) in taken,
                 key=e.name, name=e.name, command=e.command, description=e.description)
    return Diagram(kind, dot.source, graph)


def container_lifecycle(state=None, container: str | None = None, event=None) -> Diagram:
    """Every state and transition of `states.TRANSITIONS` (node `s_<state>`, `s_new`, `s_removed`;
    one edge per transition, keyed by its name). Highlighted: the state of `container` (name or full ID)
    in `state` (`(removed)` when it no longer exists), and the edge of `event` when it is a
    `container.state` event (of that container, when one is given). The container defaults to the
    event's."""
    if container is None and event is not None and event.kind == "container.state":
        container = event.data["id"]
    current = None
    if state is not None and container is not None:
        found = state.containers.find(container)
        current = found.state if found else states.GONE
    taken = set()
    if event is not None and event.kind == "container.state" and \
            (container is None or container in (event.data["id"], event.data["name"])):
        taken.add((event.data["from"], event.data["to"], event.data["transition"]))
    nodes = [states.NEW, *states.STATES, states.GONE]
    return _draw("container_lifecycle", "container-lifecycle", nodes, states.TRANSITIONS, current, taken)


def image_state(state, image_id: str) -> str:
    """`tagged` while a tag names the image, `dangling` without one, `(removed)` once gone."""
    if image_id not in state.images.images:
        return states.IMAGE_REMOVED
    return states.IMAGE_TAGGED if state.images.refs_of(image_id) else states.IMAGE_DANGLING


def image_lifecycle(state=None, image: str | None = None, event=None) -> Diagram:
    """Every state and transition of `states.IMAGE_TRANSITIONS`. Highlighted: the current state
    of `image` (an ID; default: the event's image), `pushed` right after its manifest was pushed,
    and the edges with the event's transition name that lead to that state."""
    if image is None and event is not None and event.kind in _IMAGE_EVENTS:
        image = event.data.get("id")
    current = None
    if state is not None and image is not None:
        current = image_state(state, image)
    taken = set()
    name = _IMAGE_EVENTS.get(event.kind) if event is not None else None
    if name and event.data.get("id") == image:
        if name == "pushed":
            current = states.IMAGE_PUSHED
        taken = {(e.source, e.target, e.name) for e in states.IMAGE_TRANSITIONS
                 if e.name == name and (current is None or e.target == current)}
    nodes = [states.IMAGE_ABSENT, *states.IMAGE_STATES, states.IMAGE_REMOVED]
    return _draw("image_lifecycle", "image-lifecycle", nodes, states.IMAGE_TRANSITIONS, current, taken)
