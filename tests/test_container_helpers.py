"""A small engine for container tests: a real clock, IDs and image store, a scripted backend
(argv -> Process) and volume/port services that record their calls."""

from __future__ import annotations

from types import SimpleNamespace

from simulator.backend.base import ProcessSpec
from simulator.backend.simulated import Process, SimulatedBackend
from simulator.engine.containers import Containers
from simulator.engine.errors import StartError
from simulator.engine.images import ImageStore
from simulator.model.clock import IdSource, VirtualClock
from simulator.model.events import EventBus
from simulator.model.fs import UnionFS
from simulator.model.image import Image
from simulator.model.layer import Layer, directory, file
from simulator.model.reference import parse

NOT_FOUND = ('failed to create shim task: OCI runtime create failed: runc create failed: unable to '
             'start container process: exec: "{0}": executable file not found in $PATH: unknown')


class ScriptedBackend(SimulatedBackend):
    """Snapshots are plain UnionFS views; `script` maps argv[0] to a function (spec, fs) -> Process."""

    def __init__(self, script, clock):
        self.clock = clock
        self.views: dict[str, UnionFS] = {}
        self.script = script
        self.started: list[tuple[str, ProcessSpec]] = []

    def prepare(self, key, lower, observe=None, layers=()):
        if key in self.views:
            raise KeyError(key)
        self.views[key] = UnionFS(lower, observe=observe)
        return self.views[key]

    def get(self, key):
        return self.views[key]

    def remove(self, key):
        self.views.pop(key, None)

    def lay_over(self, key, wrap):
        self.views[key] = wrap(self.views[key])

    def run_process(self, key, spec):
        self.started.append((key, spec))
        program = self.script.get(spec.argv[0])
        if program is None:
            raise StartError(NOT_FOUND.format(spec.argv[0]), 127)
        return program(spec, self.views[key])


def _sleep(spec, fs):
    return Process(runs_for=float(spec.argv[1]) if spec.argv[1] != "infinity" else None)


def _sh(spec, fs):
    """`sh -c 'exit N'`, `sh -c 'echo T'`, `sh -c 'touch P'` and `sh -c 'oom'` (enough for tests)."""
    script = spec.argv[2] if len(spec.argv) > 2 else ""
    if script.startswith("exit "):
        return Process(runs_for=0.0, exit_code=int(script.split()[1]))
    if script.startswith("echo "):
        return Process(output=[(0.0, "stdout", script[5:] + "\n")], runs_for=0.0)
    if script.startswith("touch "):
        fs.write(script.split()[1], b"")
        return Process(runs_for=0.0)
    if script == "trap":
        return Process(runs_for=None, handlers={"TERM": 143})
    if script == "oom":
        return Process(runs_for=5.0, memory=100 << 20)
    if script == "talk":
        return Process(output=[(0.0, "stdout", "out\n"), (0.2, "stderr", "err\n")], runs_for=0.2, exit_code=1)
    return Process(runs_for=None)


SCRIPT = {
    "sleep": _sleep,
    "sh": _sh,
    "true": lambda spec, fs: Process(runs_for=0.0),
    "echo": lambda spec, fs: Process(output=[(0.0, "stdout", " ".join(spec.argv[1:]) + "\n")], runs_for=0.0),
}


class Volumes:
    def __init__(self):
        self.calls = []

    def attach(self, container_id, image, binds, cwd=None):
        self.calls.append(("attach", container_id, binds))
        return []

    def release(self, container_id, remove_anonymous):
        self.calls.append(("release", container_id, remove_anonymous))

    def make_runtime_targets(self, container_id):
        self.calls.append(("start", container_id))


class Ports:
    def publish(self, c, specs):
        return []

    def start(self, c, publish_all=False):
        return []

    def release(self, c):
        pass

    def display(self, c):
        return ""

    def settings(self, container_id):
        return {}


def busybox_image() -> tuple[Image, Layer]:
    layer = Layer.of({"/bin": directory(), "/bin/sh": file("sh", 0o755), "/etc": directory(),
                      "/etc/passwd": file("root:x:0:0\n"), "/etc/shadow": file("root:*\n"),
                      "/tmp": directory(0o1777), "/var": directory(), "/var/www": directory()})
    config = {"architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
              "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                         "Cmd": ["sh"]},
              "rootfs": {"type": "layers", "diff_ids": [layer.diff_id]},
              "history": [{"created": "2026-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file"}]}
    return Image.from_config(config), layer


def make_engine():
    events = EventBus()
    clock = VirtualClock()
    engine = SimpleNamespace(clock=clock, ids=IdSource("test"), events=events,
                             backend=ScriptedBackend(SCRIPT, clock), volumes=Volumes(),
                             ports=Ports())
    engine.emit = events.emit
    engine.images = ImageStore(emit=events.emit)
    image, layer = busybox_image()
    engine.images.add_layer(layer)
    engine.images.add_image(image)
    engine.images.tag(parse("busybox"), image.id)
    engine.containers = Containers(engine)
    return engine
