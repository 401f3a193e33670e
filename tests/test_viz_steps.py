"""Which diagrams explain each step (viz.steps), on the hand-worked world of viz_world.py and on a
small build, push and pull of the catalogue's busybox."""

import pytest

from simulator.cli.play import run_line
from simulator.engine.engine import Engine
from simulator.model.image import short_id
from simulator.trace import Trace
from simulator.viz.steps import diagrams, diagrams_for, explain
from viz_world import LAYER_A, world

A = short_id(LAYER_A.diff_id)


def kinds(trace, i):
    return [d.kind for d in diagrams_for(trace, i)]


def lit(diagram):
    return [n for n, a in diagram.graph.nodes(data=True) if a["highlight"]]


@pytest.fixture(scope="module")
def recorded():
    trace = Trace()
    world(trace)
    return trace


def test_each_step_of_the_world(recorded):
    # layers A, B, C stored; demo:1 stored and tagged; demo:2 stored and tagged; c1 created;
    # the append to /etc/passwd copies it up; the remove of /etc/shadow writes a whiteout
    assert [s.event.kind for s in recorded] == [
        "layer.created", "layer.created", "layer.created", "image.created", "image.tagged", "image.created",
        "image.tagged", "container.state", "fs.copy_up", "fs.whiteout"]
    assert [kinds(recorded, i) for i in range(len(recorded))] == [
        ["sharing", "storage"]] * 3 + [["image-lifecycle", "sharing", "storage"]] * 4 + [
        ["container-lifecycle", "container-stack", "storage"], ["union", "container-stack", "storage"],
        ["union", "container-stack", "storage"]]


def test_layer_step_shows_no_image_yet(recorded):
    share, store = diagrams_for(recorded, 0)
    assert share.graph.number_of_nodes() == 0          # a stored layer no image uses is drawn by no one
    assert store.graph.graph["summary"][0] == ("Images", "0", "0", "0B", "0B")


def test_tag_step(recorded):
    life, share, _ = diagrams_for(recorded, 4)           # demo:1 tagged
    assert lit(life) == ["s_tagged"]
    assert share.graph.nodes["l_" + A]["images"] == ["demo:1"]   # demo:2 not stored yet


def test_create_step(recorded):
    life, stack, store = diagrams_for(recorded, 7)
    assert lit(life) == ["s_created"]
    assert "s_new -> s_created [label=create color=red penwidth=3]" in life.dot
    assert stack.graph.nodes["container"]["state"] == "created"
    assert (stack.graph.nodes["rw"]["changes"], stack.graph.nodes["rw"]["size"]) == (0, 0)
    assert store.graph.graph["summary"][1] == ("Containers", "1", "0", "0B", "0B")


def test_copy_up_step(recorded):
    union, stack, _ = diagrams_for(recorded, 8)
    # /etc: hostname, hosts, mtab, passwd, resolv.conf, shadow -> passwd is f3; the snapshot is
    # taken before the write, so the copy holds the 26 bytes of layer 1
    assert union.graph.graph == {} and lit(union) == ["f3"]
    assert 'f3 [label="passwd\\ncopied up from layer 1\\n26B" color=red penwidth=3]' in union.dot
    assert (stack.graph.nodes["rw"]["changes"], stack.graph.nodes["rw"]["size"]) == (2, 26)


def test_whiteout_step(recorded):
    union, stack, _ = diagrams_for(recorded, 9)
    assert lit(union) == ["f5"] and union.graph.nodes["f5"]["status"] == "whiteout"
    assert (stack.graph.nodes["rw"]["changes"], stack.graph.nodes["rw"]["size"]) == (3, 56)


def test_negative_index_and_explain(recorded):
    assert [d.dot for d in diagrams_for(recorded, -1)] == [d.dot for d in diagrams_for(recorded, 9)]
    assert explain(recorded[9]) == recorded[9].event.message == explain(recorded[9].event)
    assert explain(recorded[8]).startswith("copy-up: /etc/passwd copied from layer 1 into the writable layer")
    with pytest.raises(IndexError):
        diagrams_for(recorded, 10)


def test_same_steps_same_dot():
    def dots():
        trace = Trace()
        world(trace)
        return [[d.dot for d in diagrams_for(trace, i)] for i in range(len(trace))]
    assert dots() == dots()


# -- a build, a push and a pull ------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ctx")
    (folder / "app").mkdir()
    (folder / "app" / "Dockerfile").write_text('FROM busybox\nRUN echo hi > /hi.txt\nCMD ["sh"]\n')
    engine, trace = Engine(), Trace()
    with trace.record(engine):
        for line in ("docker build -t hi app", "docker tag hi localhost:5000/hi", "docker push localhost:5000/hi",
                     "docker rmi localhost:5000/hi"):
            assert run_line(engine, line, str(folder))[1] == 0, line
    return engine, trace


def first(trace, kind, **data):
    return next(i for i, s in enumerate(trace)
                if s.event.kind == kind and all(s.event.data.get(k) == v for k, v in data.items()))


def test_build_steps(built):
    engine, trace = built
    assert kinds(trace, first(trace, "build.started")) == ["build", "storage"]
    miss = first(trace, "build.cache_miss")              # RUN: the image so far is busybox
    build, stack, _ = diagrams_for(trace, miss)
    assert (build.kind, stack.kind) == ("build", "image-stack")
    assert lit(build) == ["s2"] and [n for n in stack.graph if n.startswith("layer")] == ["layer1"]
    made = first(trace, "build.step_committed", layer=2)
    build, stack, _ = diagrams_for(trace, made)
    assert build.graph.edges["s2", "layer2"]["label"] == "made"
    assert stack.graph.nodes["layer2"]["size"] == 3      # "hi\n"
    assert 'RUN echo hi > /hi.txt"' in stack.graph.nodes["layer2"]["label"] + '"'
    done = first(trace, "build.finished")
    build, stack, _ = diagrams_for(trace, done)
    assert "image" in build.graph and stack.graph.nodes["image"]["id"] == engine.images.find("hi").id


def test_the_run_steps_container(built):
    _, trace = built
    start = first(trace, "container.state", transition="start")
    life, stack, _ = diagrams_for(trace, start)
    assert lit(life) == ["s_running"] and stack.graph.nodes["container"]["state"] == "running"
    gone = first(trace, "container.state", to="(removed)")   # "Removing intermediate container"
    life, store = diagrams_for(trace, gone)
    assert (life.kind, store.kind) == ("container-lifecycle", "storage") and lit(life) == ["s_removed"]


def test_push_and_untag_steps(built):
    engine, trace = built
    pushed = first(trace, "registry.blob_pushed")
    transfer, _ = diagrams_for(trace, pushed)
    assert transfer.kind == "transfer" and lit(transfer) == ["b0"]
    assert transfer.graph.graph == {} and "docker push" in transfer.dot
    untag = first(trace, "image.untagged")
    life, share, _ = diagrams_for(trace, untag)
    assert lit(life) == ["s_tagged"]                    # `hi` still names it
    # the FROM pulled busybox; the tag localhost:5000/hi is gone, so each image has one name
    assert sorted(d["name"] for _, d in share.graph.nodes(data=True) if d["kind"] == "image") == [
        "busybox:latest", "hi:latest"]
    busybox = trace[untag].state.images.find("busybox")
    assert busybox.diff_ids == engine.images.find("hi").diff_ids[:1]
    assert share.graph.graph["shared_size"] == engine.images.layers[busybox.diff_ids[0]].size


def test_live_engine_gives_the_snapshot_diagrams(built):
    _, trace = built
    i = first(trace, "build.step_committed", layer=2)
    events = trace.events[: i + 1]
    assert [d.dot for d in diagrams(trace[i].state, events)] == [d.dot for d in diagrams_for(trace, i)]
