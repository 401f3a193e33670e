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
    clock: what time it is (default: the backend's clock if it has one, as the Linux
      backend's real clock; else a virtual clock at a fixed instant).
    seed: the seed of the deterministic IDs.

    Drive it with docker command lines (`simulator.cli.play.run_line(engine, line, cwd)` returns
    (the text docker prints, the exit status); relative paths resolve under `cwd`), or call the
    services directly: `engine.images`, `engine.registry` (pull, push), `engine.builder`,
    `engine.containers` (create, start, stop, exec, logs, ...), `engine.volumes`, `engine.ports`.
    Time moves only when asked: `engine.sleep(seconds)`.

        from simulator.engine.engine import Engine
        from simulator.cli.play import run_line
        engine = Engine()
        out, status = run_line(engine, "docker run --name hello busybox echo hi", ".")
        engine.sleep(5); print(run_line(engine, "docker ps -a", ".")[0])

    Every operation is reported on `engine.events` (`simulator.model.events.Event`, with a
    sentence for learners); `simulator.trace.Trace.record(engine)` keeps them with snapshots.
    """

    def __init__(self, backend: Backend | None = None, clock: VirtualClock | None = None,
                 seed: str = "simulator"):
        from ..backend.memory.backend import MemoryBackend
        from .build import Builder
        from .containers import Containers
        from .ports import Ports
        from .registry import Registry
        from .volumes import Volumes

        self.clock = clock or getattr(backend, "clock", None) or VirtualClock()
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

    def catch_up(self) -> None:
        """Take in what happened since the last operation: on a real clock, processes may
        have ended meanwhile (on the virtual clock nothing happens between operations)."""
        self.containers.run_until(self.clock.now().timestamp())

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass: processes exit, restart policies fire, in time order."""
        self.containers.run_until(self.clock.now().timestamp() + seconds)
