"""Which diagrams explain one step of a trace, chosen from the step's event kind.

    diagrams_for(trace, 5)     # [Diagram, ...] for step 5, storage always last
    explain(trace[5])          # the event's sentence for learners

The choice, by event kind (the engine's events, `simulator.model.events`):

- `build.*`, and the layers and images a running build stores: the build so far, then the
  stack of the image the build has reached (when it has one);
- `container.*` and `port.*`: the container state machine (the transition of a
  `container.state` event highlighted), then the container's layer stack while it exists;
- `fs.created`, `fs.copy_up`, `fs.whiteout`, `fs.opaque`: the union view of the directory holding the path,
  the path highlighted, then the container's layer stack;
- the blob and manifest events of a push or pull: the transfer so far;
- `image.*`: the image lifecycle (the event's transition highlighted), then layer sharing;
  `layer.*`: layer sharing;
- `cli.command` (a scenario line starting, `simulator.cli.narrate`): storage only, the state
  its output reads;
- every step, last: storage (`system df`).

Everything is read from the snapshot after the step and the events up to it, so the same
trace gives the same diagrams (and DOT text) every time.
"""

from __future__ import annotations

import posixpath
from typing import Any, Sequence

from ..model.events import Event
from ..model.fs import FSError
from .build import build
from .diagram import Diagram
from .layers import container_stack, image_stack
from .lifecycle import container_lifecycle, image_lifecycle
from .sharing import sharing
from .storage import storage
from .transfer import DONE, KEPT, MOVED, transfer
from .union import union_view

FS_EVENTS = ("fs.created", "fs.copy_up", "fs.whiteout", "fs.opaque")
TRANSFER_EVENTS = frozenset(MOVED) | frozenset(KEPT) | frozenset(DONE)


def explain(step: Any) -> str:
    """The sentence for learners of a `Step` (or an `Event`)."""
    event = step if isinstance(step, Event) else step.event
    return event.message


def diagrams_for(trace, index: int) -> list[Diagram]:
    """The diagrams for step `index` of `trace` (negative counts from the end). Raises IndexError
    outside the trace."""
    step = trace[index]
    return diagrams(step.state, [s.event for s in trace[: step.index + 1]])


def diagrams(state, events: Sequence[Event]) -> list[Diagram]:
    """The diagrams for the last of `events`, `state` being the engine right after it (a trace
    snapshot or, read without changing it, a live engine)."""
    event = events[-1]
    kind = event.kind
    out: list[Diagram] = []
    if kind.startswith("build.") or (kind in ("layer.created", "image.created") and _building(events)):
        out.append(build(events, state))
        image = _build_image(events, state)
        if image:
            out.append(image_stack(state, image))
    elif kind.startswith("container.") or kind.startswith("port."):
        cid = event.data.get("id") or event.data.get("container")
        out.append(container_lifecycle(state, cid, event))
        out += _stack(state, cid)
    elif kind in FS_EVENTS:
        cid = event.data["container"]
        if state.containers.find(cid) is not None:
            try:
                path = event.data["path"]
                out.append(union_view(state, cid, posixpath.dirname(path) or "/", event, highlight=path))
            except FSError:
                pass   # the directory itself is gone (a recursive remove); the stack still tells
        out += _stack(state, cid)
    elif kind in TRANSFER_EVENTS:
        out.append(transfer(events, state))
    elif kind.startswith("image."):
        out.append(image_lifecycle(state, event.data.get("id"), event))
        out.append(sharing(state))
    elif kind.startswith("layer."):
        out.append(sharing(state))
    out.append(storage(state))
    return out


def _stack(state, container: str | None) -> list[Diagram]:
    if container and state.containers.find(container) is not None:
        return [container_stack(state, container)]
    return []


def _building(events: Sequence[Event]) -> bool:
    """The last build started has not finished (a build that failed counts as running)."""
    for e in reversed(events):
        if e.kind == "build.finished":
            return False
        if e.kind == "build.started":
            return True
    return False


def _build_image(events: Sequence[Event], state) -> str:
    """The image the last build has reached: its result, the image the last step made or reused,
    or the image a step that missed the cache starts from ("" before any of these)."""
    for e in reversed(events):
        if e.kind == "build.started":
            return ""
        if e.kind in ("build.finished", "build.step_committed", "build.cache_hit", "build.cache_miss"):
            image = e.data["parent"] if e.kind == "build.cache_miss" else e.data["id"]
            return image if image in state.images.images else ""
    return ""
