"""simulator.viz.text: the plain-text diagrams of `play --step` (counts in the right number,
the lifecycle's sentence), and the union view chosen for a file a process creates."""

from __future__ import annotations

from simulator.cli.play import run_line
from simulator.engine.engine import Engine
from simulator.trace import Trace
from simulator.viz import container_stack
from simulator.viz.lifecycle import container_lifecycle, image_lifecycle
from simulator.viz.sharing import sharing
from simulator.viz.steps import diagrams_for
from simulator.viz.text import text


def _engine() -> Engine:
    engine = Engine()
    run_line(engine, "docker pull busybox", "/")
    return engine


def test_one_change_and_one_image_are_singular():
    engine = _engine()
    run_line(engine, "docker create --name one busybox", "/")
    engine.backend.get(engine.containers.find("one").id).write("/note", b"ab")
    assert text(container_stack(engine, "one")).splitlines()[1] == "  writable layer  1 change  2B"
    assert text(sharing(engine)) == "layer sharing: 1 image; layers 0B shared, 1.98MB used by one image\n"


def test_lifecycles_print_the_diagrams_sentence():
    engine = _engine()
    run_line(engine, "docker create --name boxed busybox", "/")
    for diagram in (container_lifecycle(engine, "boxed"), image_lifecycle(engine, "busybox")):
        assert text(diagram) == diagram.graph.graph["summary"] + "\n"
    assert text(container_lifecycle(engine, "boxed")) == "container state: created\n"


def test_a_created_file_gets_the_union_view_with_it_highlighted():
    engine, trace = _engine(), Trace()
    with trace.record(engine):
        run_line(engine, "docker run --name maker busybox sh -c 'echo hi > /tmp/x'", "/")
    at = next(i for i, s in enumerate(trace) if s.event.kind == "fs.created")
    assert trace[at].event.data["path"] == "/tmp/x"
    kinds = [d.kind for d in diagrams_for(trace, at)]
    assert kinds == ["union", "container-stack", "storage"]
    # /tmp of busybox is empty: the one name is the new file, in the writable layer
    assert text(diagrams_for(trace, at)[0]) == "* x                    writable layer   new\n"
