"""`Engine`: the image store, builder, containers, volumes and registry over one backend.

Every operation goes through here and is reported as events on `engine.events`. The
engine reads time only from `engine.clock` and random-looking values only from
`engine.ids`, so the same commands give the same results, byte for byte.
"""

from __future__ import annotations

from ..backend.base import Backend
from ..model.clock import IdSource, VirtualClock, rfc3339
from ..model.events import Event, EventBus
from .images import ImageStore


class Engine:
    """A Docker-like engine.

    backend: where filesystems and processes live (default: the in-memory backend).
    clock: what time it is (default: a virtual clock at a fixed instant).
    seed: the seed of the deterministic IDs.
    """

    def __init__(self, backend: Backend | None = None, clock: VirtualClock | None = None,
                 seed: str = "simulator"):
        from ..backend.memory.backend import MemoryBackend
        from .build import Builder
        from .containers import Containers
        from .ports import Ports
        from .registry import Registry
        from .volumes import Volumes

        self.clock = clock or VirtualClock()
        self.ids = IdSource(seed)
        self.events = EventBus()
        self.backend = backend or MemoryBackend(self.clock)
        self.images = ImageStore(emit=self.emit, now=self.now)
        self.registry = Registry(self)
        self.volumes = Volumes(self)
        self.ports = Ports(self)
        self.containers = Containers(self)
        self.builder = Builder(self)

    def now(self) -> str:
        return rfc3339(self.clock.now())

    def emit(self, event: Event) -> None:
        if not event.time:
            event = Event(event.kind, event.message, event.data, self.now())
        self.events.emit(event)

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass: processes exit, restart policies fire, in time order."""
        self.containers.run_until(self.clock.now().timestamp() + seconds)
