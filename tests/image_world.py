"""A small image world for image tests: a store, a clock, containers, and a classic-builder
style way to derive child images, without the rest of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.engine.images import ImageStore
from simulator.model.clock import IdSource, VirtualClock, rfc3339
from simulator.model.events import EventBus
from simulator.model.image import EMPTY_RUN_CONFIG, Image
from simulator.model.layer import Layer, blob, directory, file
from simulator.model.reference import parse


@dataclass
class FakeContainer:
    id: str
    image_id: str
    running: bool = False


@dataclass
class FakeContainers:
    items: list[FakeContainer] = field(default_factory=list)

    def all(self) -> list[FakeContainer]:
        return list(reversed(self.items))


class World:
    def __init__(self):
        self.clock = VirtualClock()
        self.ids = IdSource("test")
        self.events = EventBus()
        self.images = ImageStore(emit=self.emit, now=self.now)
        self.containers = FakeContainers()

    def now(self) -> str:
        return rfc3339(self.clock.now())

    def emit(self, event) -> None:
        self.events.emit(event)

    # -- images ---------------------------------------------------------------------------
    def base(self, name: str = "busybox", size: int = 1_983_000) -> Image:
        """An imported image: one layer, history comment `Imported from -`."""
        layer = Layer.of({"/bin": directory(), "/bin/busybox": blob(size, name)})
        self.images.add_layer(layer)
        config = {
            "architecture": "amd64", "os": "linux", "created": self.now(), "docker_version": "20.10.24",
            "config": {**EMPTY_RUN_CONFIG, "Cmd": ["sh"],
                       "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [layer.diff_id]},
            "history": [{"created": self.now(), "comment": "Imported from -"}],
        }
        image = self.images.add_image(Image.from_config(config))
        self.images.tag(parse(name), image.id)
        return image

    def child(self, parent: Image, created_by: str, files: dict | None = None, **run_config) -> Image:
        """A classic-build step: a new layer when `files` is given, else an empty-layer entry."""
        self.clock.advance(0.25)
        config = parent.config
        entry = {"created": self.now(), "created_by": created_by}
        if files:
            layer = Layer.of({p: file(v) if isinstance(v, str) else v for p, v in files.items()})
            self.images.add_layer(layer)
            config["rootfs"]["diff_ids"].append(layer.diff_id)
        else:
            entry["empty_layer"] = True
        config["history"].append(entry)
        config["config"].update(run_config)
        config.update({"created": self.now(), "parent": parent.id, "container": self.ids.hex64("container"),
                       "container_config": {**config["config"], "Cmd": ["/bin/sh", "-c", created_by]}})
        return self.images.add_image(Image.from_config(config), local=True)

    def build(self, base: Image, text: str, tag: str | None = None) -> Image:
        image = self.child(base, f"/bin/sh -c echo {text} > /version", {"/version": text + "\n"})
        if tag:
            self.images.tag(parse(tag), image.id)
        return image

    def container(self, image: Image, running: bool = False) -> FakeContainer:
        c = FakeContainer(self.ids.hex64("container"), image.id, running)
        self.containers.items.append(c)
        return c
