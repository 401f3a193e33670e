"""A tiny world worked out by hand for the trace and diagram tests.

Layer A (the base, "ADD file:abc in /"): /etc/passwd (26 bytes), /etc/shadow (15 bytes) and a
1,000-byte /bin/sh: DiffSize 1,041. Layer B ("RUN echo hello > /app/hello.txt"): /app/hello.txt,
6 bytes. Layer C: /srv/x, 5 bytes. demo:1 = A+B, demo:2 = A+C. Container c1 from demo:1 appends
a 30-byte line to /etc/passwd (copy-up: 56 bytes now) and deletes /etc/shadow (whiteout).
"""

from __future__ import annotations

from simulator.engine.containers import CreateOptions
from simulator.engine.engine import Engine
from simulator.model.image import Image
from simulator.model.layer import Layer, blob, directory, file
from simulator.model.reference import parse
from simulator.trace import Trace

PASSWD = "root:x:0:0::/root:/bin/sh\n"          # 26 bytes
SHADOW = "root:*::0:::::\n"                     # 15 bytes
APPENDED = "app:x:1000:1000::/app:/bin/sh\n"      # 30 bytes

LAYER_A = Layer.of({"/etc": directory(), "/etc/passwd": file(PASSWD), "/etc/shadow": file(SHADOW, 0o640),
                    "/bin": directory(), "/bin/sh": blob(1000, "sh")})
LAYER_B = Layer.of({"/app": directory(), "/app/hello.txt": file("hello\n")})
LAYER_C = Layer.of({"/srv": directory(), "/srv/x": file("12345")})


def image(layers, steps, created) -> Image:
    return Image.from_config({
        "architecture": "amd64", "os": "linux", "created": created,
        "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
        "history": [{"created": created, "created_by": s, **({"empty_layer": True} if "CMD" in s else {})}
                    for s in steps],
        "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]}})


def world(trace: Trace | None = None):
    """(engine, container ID): demo:1, demo:2, container c1 with its two changes; recorded into
    `trace` when one is given."""
    engine = Engine()
    demo1 = image([LAYER_A, LAYER_B], ["/bin/sh -c #(nop) ADD file:abc in / ", '/bin/sh -c #(nop)  CMD ["sh"]',
                                       "/bin/sh -c echo hello > /app/hello.txt"], "2024-01-01T00:00:00Z")
    demo2 = image([LAYER_A, LAYER_C], ["/bin/sh -c #(nop) ADD file:abc in / ", "/bin/sh -c echo 12345 > /srv/x"],
                  "2024-01-02T00:00:00Z")

    def act():
        for layer in (LAYER_A, LAYER_B, LAYER_C):
            engine.images.add_layer(layer)
        for img, ref in ((demo1, "demo:1"), (demo2, "demo:2")):
            engine.images.add_image(img)
            engine.images.tag(parse(ref), img.id)
        c = engine.containers.create("demo:1", CreateOptions(name="c1"))
        view = engine.backend.get(c.id)
        view.write("/etc/passwd", APPENDED.encode(), append=True)
        view.remove("/etc/shadow")
        return c.id

    if trace is None:
        return engine, act()
    with trace.record(engine):
        cid = act()
    return engine, cid
