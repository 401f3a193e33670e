"""Events: what the engine did, one small typed record per step, with a sentence for learners.

Every engine operation emits events (a layer created, a cache hit, a copy-up, a state
transition, a blob pushed, ...). Listeners (the trace, the terminal stepper, tests)
subscribe to an `EventBus`; the engine never knows who listens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Event:
    kind: str          # e.g. "layer.created", "build.cache_hit", "fs.copy_up", "container.state"
    message: str       # one sentence written for a learner
    data: dict[str, Any] = field(default_factory=dict)
    time: str = ""     # RFC 3339, from the engine's clock


def plural(n: int, one: str, many: str = "") -> str:
    """A count with its noun in the right number, for event sentences: `1 layer`, `0 layers`,
    `2 entries` (`many` defaults to `one` + "s")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Callable[[Event], None]] = []
        self.log: list[Event] = []

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        self.log.append(event)
        for listener in list(self._listeners):
            listener(event)
