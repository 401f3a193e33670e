"""The container and image lifecycles, drawn from the engine's own transition tables
(`simulator.engine.states.TRANSITIONS` and `IMAGE_TRANSITIONS`), with the current state and the
transition just taken highlighted.

The default drawing is for projecting one step at a time: every state; the transitions out of
the current state and the one just taken, labelled with the command that causes them (the
transition's name for the daemon's own, such as `die`); and one faint grey unlabelled edge for
each other pair of states the table links. `full=True` draws every transition of the table,
labelled with its name.
"""

from __future__ import annotations

import networkx as nx

from ..engine import states
from .diagram import Diagram, add_edge, add_node, digraph

# image events -> the image-lifecycle transition they are
_IMAGE_EVENTS = {"build.finished": "built", "registry.image_pulled": "pulled", "image.committed": "committed",
                 "image.tagged": "tagged", "registry.manifest_pushed": "pushed", "image.untagged": "untagged",
                 "image.deleted": "removed"}
FAINT = {"color": "grey80", "arrowsize": "0.5"}
_COMMANDS = {"remove-force": "rm -f", "start-failed": "start fails"}   # clearer than the bare command


def _node(state_name: str) -> str:
    return "s_" + state_name.strip("()")


def _label(edge: states.Transition) -> str:
    """The command a learner types for the transition, or the daemon's transition name."""
    return _COMMANDS.get(edge.name) or edge.command or edge.name


def _draw(name: str, kind: str, nodes: list[str], edges, current: str | None,
          taken: set[tuple[str, str, str]], full: bool, summary: str) -> Diagram:
    dot, graph = digraph(name, "LR"), nx.MultiDiGraph(summary=summary)
    for s in nodes:
        style = {"shape": "plaintext"} if s.startswith("(") else {"shape": "ellipse"}
        add_node(dot, graph, _node(s), s, s == current, style, state=s)
    if full:
        for e in edges:
            add_edge(dot, graph, _node(e.source), _node(e.target), e.name, (e.source, e.target, e.name) in taken,
                     key=e.name, name=e.name, command=e.command, description=e.description)
        return Diagram(kind, dot.source, graph)
    shown: dict[tuple[str, str, str], list[states.Transition]] = {}
    faint: list[tuple[str, str]] = []
    for e in edges:
        key = (e.source, e.target, e.name)
        if key in taken or e.source == current:
            shown.setdefault(key, []).append(e)
        elif (e.source, e.target) not in faint:
            faint.append((e.source, e.target))
    for (source, target, name), same in shown.items():
        label = ", ".join(dict.fromkeys(_label(e) for e in same))   # one edge, each command once
        add_edge(dot, graph, _node(source), _node(target), label, (source, target, name) in taken,
                 key=name, name=name, command=same[0].command, description=same[0].description)
    for source, target in faint:
        if not any((source, target) == (s, t) for s, t, _ in shown):
            add_edge(dot, graph, _node(source), _node(target), "", style=FAINT, key="other", faint=True)
    return Diagram(kind, dot.source, graph)


def _summary(what: str, current: str | None, taken: list[states.Transition]) -> str:
    """`container state: running; just now: the container's main process starts ...`"""
    text = f"{what} state: {current or '-'}"
    return text + (f"; just now: {taken[0].description}" if taken else "")


def container_lifecycle(state=None, container: str | None = None, event=None, full: bool = False) -> Diagram:
    """The states of `states.TRANSITIONS` (node `s_<state>`, `s_new`, `s_removed`) and its edges,
    keyed by transition name (see the module for what the default drawing leaves faint;
    faint edges have key "other" and `faint=True`). Highlighted: the state of `container` (name
    or full ID) in `state` (`(removed)` when it no longer exists), and the edge of `event` when
    it is a `container.state` event (of that container, when one is given). The container
    defaults to the event's. `graph.graph["summary"]`: the state and, after a transition, its
    sentence for learners."""
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
    edges = [e for e in states.TRANSITIONS if (e.source, e.target, e.name) in taken]
    return _draw("container_lifecycle", "container-lifecycle", nodes, states.TRANSITIONS, current, taken, full,
                 _summary("container", current, edges))


def image_state(state, image_id: str) -> str:
    """`tagged` while a tag names the image, `dangling` without one, `(removed)` once gone."""
    if image_id not in state.images.images:
        return states.IMAGE_REMOVED
    return states.IMAGE_TAGGED if state.images.refs_of(image_id) else states.IMAGE_DANGLING


def _image_source(state, name: str, event, current: str | None) -> str | None:
    """The state an image event started from, read from the state after it: a tag leaves
    `dangling` when the image has no other tag, else `tagged`; untag and push leave `tagged`;
    build, pull and commit start from `(absent)`. None (a delete): the table's first edge of
    that name into the current state is taken."""
    if name == "tagged" and state is not None:
        others = [r for r in state.images.refs_of(event.data["id"]) if str(r) != event.data.get("ref")]
        return states.IMAGE_TAGGED if others else states.IMAGE_DANGLING
    if name in ("untagged", "pushed"):
        return states.IMAGE_TAGGED
    if name in ("built", "pulled", "committed"):
        return states.IMAGE_ABSENT
    return None


def image_lifecycle(state=None, image: str | None = None, event=None, full: bool = False) -> Diagram:
    """The states and transitions of `states.IMAGE_TRANSITIONS`, drawn as the container
    lifecycle is. Highlighted: the current state of `image` (an ID; default: the event's
    image), `pushed` right after its manifest was pushed, and the one edge of the event's
    transition from the state it left (`_image_source`) to that state."""
    if image is None and event is not None and event.kind in _IMAGE_EVENTS:
        image = event.data.get("id")
    current = None
    if state is not None and image is not None:
        current = image_state(state, image)
    taken: set[tuple[str, str, str]] = set()
    name = _IMAGE_EVENTS.get(event.kind) if event is not None else None
    if name and event.data.get("id") == image:
        if name == "pushed":
            current = states.IMAGE_PUSHED
        source = _image_source(state, name, event, current)
        candidates = [e for e in states.IMAGE_TRANSITIONS
                      if e.name == name and (current is None or e.target == current)
                      and (source is None or e.source == source)]
        taken = {(e.source, e.target, e.name) for e in candidates[:1]}
    nodes = [states.IMAGE_ABSENT, *states.IMAGE_STATES, states.IMAGE_REMOVED]
    edges = [e for e in states.IMAGE_TRANSITIONS if (e.source, e.target, e.name) in taken]
    return _draw("image_lifecycle", "image-lifecycle", nodes, states.IMAGE_TRANSITIONS, current, taken, full,
                 _summary("image", current, edges))
