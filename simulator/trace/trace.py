"""`Trace`: the engine's events, each with a snapshot of the engine state right after it.

    trace = Trace()
    with trace.record(engine):
        ...                          # any engine operations, CLI commands, builds
    trace[3].event.message           # the sentence for learners
    trace[3].state                   # the engine as it was right after event 3
    trace.initial                    # the engine as it was when recording began

A snapshot is `copy.deepcopy(engine)` made cheap by structural sharing: layers, their
entries and contents, images and read-only trees return themselves from `__deepcopy__`,
so only the mutable state is copied (containers, their writable layers' path maps,
tags, volumes, registry repositories, the clock). The event bus is not copied: a
snapshot's bus is a detached one that drops what it is given and keeps no log.

Snapshots are read-only views. Functions and closures held by the engine (observers,
`now` callables) are shared with the live engine, as `copy.deepcopy` shares functions,
so calling operations on a snapshot is not supported: read it (`state.images`,
`state.containers.all()`, `state.backend.get(cid)`, ...) and pass it to `simulator.viz`.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Sequence, overload

from ..model.events import Event, EventBus


class DetachedBus(EventBus):
    """The event bus of a snapshot: no listeners, no log, emitted events are dropped."""

    def subscribe(self, listener):
        return lambda: None

    def emit(self, event: Event) -> None:
        return None

    def __deepcopy__(self, memo) -> "DetachedBus":
        return self


_DETACHED = DetachedBus()


def snapshot(engine: Any) -> Any:
    """A read-only copy of `engine` sharing every immutable part with it."""
    return copy.deepcopy(engine, {id(engine.events): _DETACHED})


@dataclass(frozen=True)
class Step:
    """One step of a trace: `index` (0-based), the `event`, and `state`, the engine snapshot
    taken right after the event was emitted (before the engine went on)."""

    index: int
    event: Event
    state: Any

    @property
    def message(self) -> str:
        return self.event.message


class Trace(Sequence[Step]):
    """An ordered list of `Step`s; index, slice, iterate and `len()` it like a list.

    Steps move both ways: `trace[i - 1]` and `trace[i + 1]` are as cheap as `trace[i]`;
    `Cursor` keeps a position for a stepping UI. Record into the same trace more than
    once to append.
    """

    def __init__(self) -> None:
        self._steps: list[Step] = []
        self.initial: Any = None

    @contextmanager
    def record(self, engine: Any) -> Iterator["Trace"]:
        """Record every event `engine` emits inside the `with` block. The first recording
        also keeps `initial`, the state before anything happened."""
        if self.initial is None:
            self.initial = snapshot(engine)

        def on_event(event: Event) -> None:
            self._steps.append(Step(len(self._steps), event, snapshot(engine)))

        unsubscribe = engine.events.subscribe(on_event)
        try:
            yield self
        finally:
            unsubscribe()

    @overload
    def __getitem__(self, index: int) -> Step: ...
    @overload
    def __getitem__(self, index: slice) -> list[Step]: ...

    def __getitem__(self, index):
        return self._steps[index]

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps)

    @property
    def events(self) -> list[Event]:
        return [s.event for s in self._steps]

    def state_before(self, index: int) -> Any:
        """The engine as it was just before step `index` (the initial state for step 0)."""
        return self._steps[index - 1].state if index > 0 else self.initial


class Cursor:
    """A position in a trace that moves both ways and never leaves it.

    `index` is in 0..len(trace)-1 (-1 only for an empty trace); each move returns the
    `Step` now under the cursor (None for an empty trace)."""

    def __init__(self, trace: Trace, index: int = 0):
        self.trace = trace
        self.index = -1
        self.go(index)

    @property
    def step(self) -> Step | None:
        return self.trace[self.index] if self.index >= 0 else None

    def go(self, index: int) -> Step | None:
        """Move to `index`, clamped to the trace (negative counts from the end, as in lists)."""
        n = len(self.trace)
        if n == 0:
            self.index = -1
            return None
        if index < 0:
            index += n
        self.index = min(max(index, 0), n - 1)
        return self.step

    def next(self) -> Step | None:
        return self.go(self.index + 1)

    def previous(self) -> Step | None:
        return self.go(max(self.index - 1, 0))

    def first(self) -> Step | None:
        return self.go(0)

    def last(self) -> Step | None:
        return self.go(len(self.trace) - 1)
