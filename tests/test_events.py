"""The engine's events as a learner steps through them: their order, which ones happen, and
their sentences. Expected values are worked out by hand from what each command does."""

from __future__ import annotations

import pytest

from simulator import viz
from simulator.engine.file_events import SPREAD
from simulator.model.events import plural
from simulator.trace import Trace


@pytest.fixture
def recorded(docker, engine):
    """Run command lines on the `docker` fixture's engine; the events they emitted."""
    def run(*lines):
        start = len(engine.events.log)
        for line in lines:
            r = docker(line)
            assert r.exit == 0, (line, r.output)
        return engine.events.log[start:]
    return run


def kinds(events):
    return [e.kind for e in events]


def test_plural():
    assert [plural(0, "layer"), plural(1, "layer"), plural(2, "entry", "entries")] == [
        "0 layers", "1 layer", "2 entries"]


def test_pull_blob_then_layer_then_tagged_image(engine, docker):
    trace = Trace()
    with trace.record(engine):
        assert docker("pull busybox").exit == 0
    # busybox has one layer: its blob arrives, is unpacked into a layer, then the image is stored
    assert kinds(trace.events) == ["registry.blob_pulled", "layer.created", "image.created",
                                   "registry.image_pulled"]
    blob, layer, image, pulled = trace.events
    assert blob.data["diff_id"] == layer.data["diff_id"]
    assert layer.message.endswith(f"unpacked from blob {blob.data['digest'][7:19]}")
    image_id = image.data["id"]
    assert image.message == f"image {image_id[7:19]} stored with 1 layer and tagged busybox:latest"
    assert pulled.message.startswith(f"busybox:latest pulled: image {image_id[7:19]} with 1 layer, manifest ")
    # the image is never seen without its tag
    assert viz.image_state(trace[2].state, image_id) == "tagged"
    assert "1 layers" not in " ".join(e.message for e in trace.events)


def test_run_process_starts_then_its_file_work(recorded):
    recorded("pull busybox")
    events = recorded("run --name c1 busybox sh -c 'echo hi > /f; rm /bin/ls'")
    # no port was published: no port.released; the bridge address is released after the exit
    assert kinds(events) == ["container.state", "network.connected", "container.state", "fs.created",
                             "fs.whiteout", "container.state", "network.released"]
    created, _, start, new_file, whiteout, died, released = events
    assert (created.data["transition"], start.data["transition"], died.data["transition"]) == (
        "create", "start", "die")
    assert start.message == ("container c1: the container's main process starts in its own namespaces "
                             "(running sh -c 'echo hi > /f; rm /bin/ls')")
    assert new_file.message == "/f created in the writable layer of c1"
    assert new_file.data["path"] == "/f" and new_file.data["entries"] == 1
    assert whiteout.data["path"] == "/bin/ls" and whiteout.data["layer"] == 1
    assert released.message == "container c1 stopped: address 172.17.0.2 is free again"


def test_creations_under_a_new_directory_are_one_event(recorded):
    recorded("pull busybox")
    events = recorded("run --name c1 busybox sh -c 'mkdir -p /w/x; touch /w/a /w/x/b'")
    made = [e for e in events if e.kind == "fs.created"]
    # /w is new; below it /w/x (a directory), /w/a and /w/x/b (files)
    assert [e.message for e in made] == [
        "sh added 2 files and 1 directory under /w (a new directory) in the writable layer of c1"]
    assert (made[0].data["path"], made[0].data["entries"]) == ("/w", 4)


def test_many_creations_in_one_existing_directory_are_one_event(recorded):
    recorded("pull busybox")
    many = " ".join(f"/tmp/f{i}" for i in range(1, SPREAD + 2))       # 21 files in /tmp
    few = " ".join(f"/home/f{i}" for i in range(1, 3))                # 2 files in /home
    events = recorded(f"run --name c1 busybox sh -c 'touch {many}; touch {few}'")
    made = [e.message for e in events if e.kind == "fs.created"]
    assert made == ["sh added 21 files in /tmp in the writable layer of c1",
                    "/home/f1 created in the writable layer of c1", "/home/f2 created in the writable layer of c1"]


def test_port_released_only_when_published(recorded):
    recorded("pull busybox")
    events = recorded("run -p 8080:80 --name web busybox true")
    # -p 8080:80 binds 0.0.0.0:8080 and [::]:8080; the process ends at once
    assert kinds(events).count("port.published") == 2
    released = [e for e in events if e.kind == "port.released"]
    assert [e.message for e in released] == ["container web stopped: host ports 0.0.0.0:8080, :::8080 are free again"]
    assert kinds(events).index("port.released") > [i for i, e in enumerate(events)
                                                   if e.data.get("transition") == "die"][0]
    assert "port.released" not in kinds(recorded("run --name quiet busybox true"))


def test_exec_and_cp_sentences(recorded, tmp_path):
    recorded("pull busybox", "run -d --name c1 busybox sleep 100")
    events = recorded("exec c1 sh -c 'echo a b > /x'")
    assert kinds(events) == ["container.exec", "fs.created"]
    assert events[0].message == ("container c1: sh -c 'echo a b > /x' runs next to the main process, in the "
                                 "same namespaces and filesystem")
    (tmp_path / "one.txt").write_text("1")
    events = recorded("cp one.txt c1:/one.txt")
    assert kinds(events) == ["container.cp", "fs.created"]
    assert events[0].message.startswith("1 entry copied into c1:/one.txt;")
    assert events[1].message == "/one.txt created in the writable layer of c1"


def test_commit_with_a_name_is_never_dangling(engine, docker):
    assert docker("pull busybox").exit == 0 and docker("run --name c1 busybox touch /f").exit == 0
    trace = Trace()
    with trace.record(engine):
        assert docker("commit c1 snap:1").exit == 0
    stored = next(s for s in trace if s.event.kind == "image.created")
    assert "and tagged snap:1" in stored.message and "image.tagged" not in kinds(trace.events)
    assert viz.image_state(stored.state, stored.event.data["id"]) == "tagged"
    committed = trace.events[-1]
    assert committed.kind == "image.committed" and ", tagged snap:1" in committed.message


def test_rmi_sentences_count_layers(recorded):
    recorded("pull busybox")
    events = recorded("rmi busybox")
    deleted = [e for e in events if e.kind == "image.deleted"]
    assert len(deleted) == 1 and deleted[0].message.endswith("deleted; 1 layer freed")


def test_metadata_step_miss_is_a_new_config(engine, docker, tmp_path):
    (tmp_path / "Dockerfile").write_text('FROM busybox\nCMD ["sh"]\n')
    trace = Trace()
    with trace.record(engine):
        assert docker("build -t cfg .").exit == 0
    miss = next(e for e in trace.events if e.kind == "build.cache_miss")
    assert miss.message.endswith("with this step, so a new image config is made (nothing runs)")
    d = viz.build(trace.events, engine)
    assert d.graph.nodes["s2"]["label"] == 'Step 2/2: CMD ["sh"]\\ncache miss: new config'
    started = next(e for e in trace.events if e.kind == "build.started")
    assert started.message == "classic build of 1 stage from Dockerfile"

