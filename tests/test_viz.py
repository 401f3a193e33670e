"""Diagrams, checked on DOT text and graphs against values worked out by hand (viz_world.py)."""

import os

import pytest

from simulator import viz
from simulator.cli.play import run_line
from simulator.engine.engine import Engine
from simulator.engine.states import TRANSITIONS
from simulator.model.image import short_id
from simulator.trace import Trace
from simulator.viz import render as render_module
from viz_world import LAYER_A, LAYER_B, LAYER_C, world

A, B, C = (short_id(x.diff_id) for x in (LAYER_A, LAYER_B, LAYER_C))


@pytest.fixture(scope="module")
def recorded():
    trace = Trace()
    engine, cid = world(trace)
    return trace, engine, cid


def test_image_stack(recorded):
    _, engine, _ = recorded
    d = viz.image_stack(engine, "demo:1")
    assert list(d.graph.edges) == [("image", "layer2"), ("layer2", "layer1")]
    assert d.graph.nodes["layer1"]["size"] == 1041 and d.graph.nodes["layer2"]["size"] == 6
    assert f'layer2 [label="layer 2 (read-only)\\n{B}  6B\\nRUN echo hello > /app/hello.txt"]' in d.dot
    assert f'layer1 [label="layer 1 (read-only)\\n{A}  1.04kB\\nADD file:abc in /"]' in d.dot
    assert "demo:1" in d.graph.nodes["image"]["label"] and d.graph.nodes["image"]["size"] == 1047


def test_container_stack(recorded):
    _, engine, _ = recorded
    d = viz.container_stack(engine, "c1")
    assert list(d.graph.edges) == [("container", "rw"), ("rw", "init"), ("init", "layer2"), ("layer2", "layer1")]
    rw = d.graph.nodes["rw"]
    assert (rw["size"], rw["changes"]) == (56, 3)     # /etc, /etc/passwd (26 + 30), whiteout /etc/shadow
    assert 'rw [label="writable layer\\n3 changes  56B"' in d.dot
    assert d.graph.nodes["container"]["state"] == "created"


def test_sharing(recorded):
    _, engine, cid = recorded
    g = viz.sharing_graph(engine)
    la = "l_" + A                                     # the bottom chainID is the diffID
    assert g.nodes[la]["shared"] and g.nodes[la]["images"] == ["demo:1", "demo:2"]
    tops = [n for n, d in g.nodes(data=True) if d["kind"] == "layer" and not d["shared"]]
    assert sorted(g.nodes[n]["size"] for n in tops) == [5, 6]
    assert (g.graph["shared_size"], g.graph["unique_size"]) == (1041, 11)
    demo1 = next(d for n, d in g.nodes(data=True) if d.get("name") == "demo:1")
    assert (demo1["size"], demo1["shared_size"], demo1["unique_size"]) == (1047, 1041, 6)
    assert ("i_" + short_id(engine.images.find("demo:1").id), "c_" + cid[:12]) in g.edges
    assert all(g.has_edge(la, n) for n in tops)
    d = viz.sharing(engine)
    assert f'{la} [label="layer {A}\\n1.04kB\\nshared by 2 images" fillcolor=lightblue style=filled]' in d.dot


def test_union_view_of_etc_with_copy_up_highlighted(recorded):
    trace, engine, cid = recorded
    rows = {r.name: r for r in viz.union_listing(engine, "c1", "/etc")}
    assert sorted(rows) == ["hostname", "hosts", "mtab", "passwd", "resolv.conf", "shadow"]
    assert (rows["passwd"].source, rows["passwd"].status, rows["passwd"].hides, rows["passwd"].size) == (
        "writable", "copied-up", 1, 56)
    assert (rows["shadow"].source, rows["shadow"].status, rows["shadow"].hides) == ("writable", "whiteout", 1)
    assert rows["hosts"].source == "init" and rows["mtab"].kind == "symlink"
    step = trace[8]                                   # the copy-up of /etc/passwd
    d = viz.union_view(step.state, "c1", "/etc", step.event)
    lit = [n for n, data in d.graph.nodes(data=True) if data["highlight"]]
    assert lit == ["f3"] and d.graph.nodes["f3"]["name"] == "passwd"
    assert 'f3 [label="passwd\\ncopied up from layer 1\\n26B" color=red penwidth=3]' in d.dot
    assert "f3 -> rw [color=red penwidth=3]" in d.dot
    d = viz.union_view(engine, "c1", "/etc")
    assert 'f5 [label="shadow (deleted: whiteout)" style=dashed]' in d.dot
    assert "f5 -> rw [label=whiteout style=dashed]" in d.dot
    assert not any(data["highlight"] for _, data in d.graph.nodes(data=True))
    app = viz.union_listing(engine, "c1", "/app")
    assert [(r.name, r.source, r.status, r.size) for r in app] == [("hello.txt", 2, "lower", 6)]


def test_union_view_whiteout_and_opaque_in_image_layers():
    from simulator.model.layer import WHITEOUT, Layer, directory, file
    from simulator.model.reference import parse
    from viz_world import image
    from simulator.engine.containers import CreateOptions
    engine = Engine()
    top = Layer.of({"/etc": directory(), "/etc/shadow": WHITEOUT, "/app": directory(opaque=True),
                    "/app/new.txt": file("n")})
    img = image([LAYER_A, LAYER_B, top], ["/bin/sh -c #(nop) ADD file:abc in / ", "/bin/sh -c b", "/bin/sh -c t"],
                "2024-01-01T00:00:00Z")
    for layer in (LAYER_A, LAYER_B, top):
        engine.images.add_layer(layer)
    engine.images.add_image(img)
    engine.images.tag(parse("w:1"), img.id)
    c = engine.containers.create("w:1", CreateOptions(name="w1"))
    engine.backend.get(c.id).mkdir("/srv", parents_too=True)
    engine.backend.get(c.id).remove("/app", recursive=True)
    engine.backend.get(c.id).mkdir("/app")
    rows = {r.name: r for r in viz.union_listing(engine, "w1", "/etc")}
    assert (rows["shadow"].source, rows["shadow"].status, rows["shadow"].hides) == (3, "whiteout", 1)
    root = {r.name: r for r in viz.union_listing(engine, "w1", "/")}
    assert (root["app"].status, root["app"].source, root["app"].hides) == ("opaque", "writable", 3)
    assert root["srv"].status == "new" and root["bin"].source == 1
    assert viz.union_listing(engine, "w1", "/app") == []


def test_container_lifecycle_from_the_table(recorded):
    trace, engine, _ = recorded
    step = trace[7]                                   # create
    d = viz.container_lifecycle(step.state, "c1", step.event, full=True)
    assert d.graph.number_of_edges() == len(TRANSITIONS)
    assert {(e.source, e.target, e.name) for e in TRANSITIONS} == {
        (d.graph.nodes[u]["state"], d.graph.nodes[v]["state"], k) for u, v, k in d.graph.edges(keys=True)}
    assert [n for n, a in d.graph.nodes(data=True) if a["highlight"]] == ["s_created"]
    assert [(u, v, k) for u, v, k, a in d.graph.edges(keys=True, data=True) if a["highlight"]] == [
        ("s_new", "s_created", "create")]
    assert "s_new -> s_created [label=create color=red penwidth=3]" in d.dot
    assert viz.container_lifecycle(full=True).dot.count("penwidth=3") == 0


def test_container_lifecycle_default_view_after_create(recorded):
    trace, _, _ = recorded
    step = trace[7]                                   # create: (new) -> created
    d = viz.container_lifecycle(step.state, "c1", step.event)
    labelled = {(u, v, k): a["label"] for u, v, k, a in d.graph.edges(keys=True, data=True) if not a.get("faint")}
    # the edge just taken, and from `created`: start, a failed start, restart, rm (rm -f is the same edge)
    assert labelled == {("s_new", "s_created", "create"): "create",
                        ("s_created", "s_created", "start-failed"): "start fails",
                        ("s_created", "s_running", "start"): "start",
                        ("s_created", "s_running", "manual-restart"): "restart",
                        ("s_created", "s_removing", "remove"): "rm"}
    assert "s_created -> s_removing [label=rm]" in d.dot
    assert "s_created -> s_running [label=start]" in d.dot
    faint = [(u, v) for u, v, a in d.graph.edges(data=True) if a.get("faint")]
    # one grey edge per other linked pair, e.g. running -> exited stands for die, oom-kill, stop, kill
    assert ("s_running", "s_exited") in faint and ("s_removing", "s_removed") in faint
    assert len(faint) == len(set(faint)) and not set(faint) & {(u, v) for u, v, _ in labelled}
    assert "s_running -> s_exited [arrowsize=0.5 color=grey80]" in d.dot
    assert "[label=die" not in d.dot and "s_running -> s_paused [label" not in d.dot
    assert d.graph.graph["summary"] == ("container state: created; just now: the writable layer is prepared "
                                        "over the image; no process runs yet")
    assert len(d.graph.nodes) == 9                    # the seven states, (new) and (removed)


def test_image_lifecycle(recorded):
    trace, engine, _ = recorded
    step = trace[4]                                   # tag demo:1, which had no tag: dangling -> tagged
    d = viz.image_lifecycle(step.state, event=step.event)
    assert [n for n, a in d.graph.nodes(data=True) if a["highlight"]] == ["s_tagged"]
    assert [(u, v) for u, v, k, a in d.graph.edges(keys=True, data=True) if a["highlight"]] == [
        ("s_dangling", "s_tagged")]
    labelled = {(u, v): a["label"] for u, v, a in d.graph.edges(data=True) if not a.get("faint")}
    assert labelled == {("s_dangling", "s_tagged"): "tag", ("s_tagged", "s_tagged"): "tag",
                        ("s_tagged", "s_pushed"): "push", ("s_tagged", "s_dangling"): "build, rmi",
                        ("s_tagged", "s_removed"): "rmi"}
    assert d.graph.graph["summary"] == "image state: tagged; just now: a name now points at the image"
    full = viz.image_lifecycle(step.state, event=step.event, full=True)
    assert full.graph.number_of_edges() == 12          # 13 table rows, two share (tagged, dangling, untagged)
    assert viz.image_state(engine, "sha256:" + "0" * 64) == "(removed)"


def test_image_lifecycle_second_tag_is_tagged_to_tagged():
    engine, _ = world()
    from simulator.model.reference import parse
    engine.images.tag(parse("again:1"), engine.images.find("demo:1").id)
    event = engine.events.log[-1]
    d = viz.image_lifecycle(engine, event=event)
    assert [(u, v) for u, v, a in d.graph.edges(data=True) if a["highlight"]] == [("s_tagged", "s_tagged")]
    assert d.graph.graph["summary"] == "image state: tagged; just now: one more name points at the same image ID"


def test_storage(recorded):
    _, engine, cid = recorded
    engine.volumes.create("data")
    d = viz.storage(engine)
    # layers 1,041 + 6 + 5 = 1,052; demo:1 has a container: its unique 6 bytes are in use
    assert d.graph.graph["summary"] == [
        ("Images", "2", "1", "1.052kB", "1.046kB (99%)"), ("Containers", "1", "0", "56B", "56B (100%)"),
        ("Local Volumes", "1", "0", "0B", "0B"), ("Build Cache", "0", "0", "0B", "0B")]
    demo2 = d.graph.nodes["i_" + short_id(engine.images.find("demo:2").id)]
    assert (demo2["size"], demo2["shared_size"], demo2["unique_size"], demo2["containers"]) == (1046, 1041, 5, 0)
    assert "shared 1.04kB | unique 5B" in demo2["label"]
    assert d.graph.nodes["c_" + cid[:12]]["size_rw"] == 56
    assert ("c_" + cid[:12], "i_" + short_id(engine.images.find("demo:1").id)) in d.graph.edges
    assert "subgraph cluster_volumes" in d.dot and "data\\n0B, 0 links" in d.dot


def test_storage_rows_are_sized_by_bytes(recorded):
    _, engine, _ = recorded
    d = viz.storage(engine)
    rows = {d.graph.nodes[n]["row"]: d.graph.nodes[n] for n in d.graph if d.graph.nodes[n]["kind"] == "df"}
    # images 1,052 bytes is the largest: 4.00 in; containers 56 bytes: 1.2 + 2.8 * 56 / 1052 = 1.349 -> 1.35;
    # volumes and the build cache hold 0 bytes: the narrowest, 1.20
    assert {k: (r["bytes"], r["width"]) for k, r in rows.items()} == {
        "images": (1052, 4.0), "containers": (56, 1.35), "volumes": (0, 1.2), "cache": (0, 1.2)}
    assert 'df_cache [label="Build Cache\\n0B\\n0 total, 0 active\\nreclaimable 0B" fillcolor=grey95 fontsize=8' in d.dot
    assert "cluster_cache" not in d.dot and "summary" not in d.graph


def test_same_world_same_dot():
    def dots():
        trace = Trace()
        engine, _ = world(trace)
        out = [viz.image_stack(engine, "demo:1"), viz.container_stack(engine, "c1"), viz.sharing(engine),
               viz.union_view(engine, "c1", "/etc"), viz.storage(engine),
               viz.container_lifecycle(engine, "c1", trace[7].event), viz.image_lifecycle(engine, event=trace[4].event)]
        return [d.dot for d in out]
    assert dots() == dots()


def test_render_without_dot(monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    d = viz.image_stack(world()[0], "demo:1")
    out = render_module.render(d)
    assert out.format == "dot" and out.text == render_module.HINT + "\n" + d.dot
    assert len(render_module.HINT.splitlines()) == 1


@pytest.mark.skipif(not render_module.has_dot(), reason="Graphviz's dot is not installed")
def test_render_with_dot():
    out = render_module.render(viz.image_stack(world()[0], "demo:1"))
    assert out.format == "svg" and "<svg" in out.text


# -- build and registry, on the catalogue's busybox ----------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ctx")
    (folder / "app").mkdir()
    (folder / "app" / "Dockerfile").write_text('FROM busybox\nRUN echo hi > /hi.txt\nCMD ["sh"]\n')
    engine, trace = Engine(), Trace()
    with trace.record(engine):
        for line in ("docker build -t hi app", "docker build -t hi app", "docker tag hi localhost:5000/hi",
                     "docker push localhost:5000/hi", "docker push localhost:5000/hi",
                     "docker rmi localhost:5000/hi", "docker pull localhost:5000/hi"):
            assert run_line(engine, line, str(folder))[1] == 0, line
    return engine, trace


def _upto(trace, kind, nth):
    return [i for i, s in enumerate(trace) if s.event.kind == kind][nth]


def test_build_first_time_and_cached(built):
    engine, trace = built
    end = _upto(trace, "build.finished", 0)
    steps, result = viz.build_steps(trace.events[: end + 1], trace[end].state)
    # busybox has one layer, so the RUN step's layer is layer 2: "hi\n" is 3 bytes
    assert [(s.step, s.instruction, s.cache, s.layer, s.size) for s in steps] == [
        (1, "FROM busybox", "", None, 0), (2, "RUN echo hi > /hi.txt", "miss", 2, 3),
        (3, 'CMD ["sh"]', "miss", None, 0)]
    assert result == engine.images.find("hi").id
    d = viz.build(trace.events[: end + 1], trace[end].state)
    assert list(d.graph.edges) == [("s1", "s2"), ("s2", "layer2"), ("s2", "s3"), ("s3", "image")]
    assert d.graph.edges["s2", "layer2"]["label"] == "made"
    second = _upto(trace, "build.finished", 1)
    steps, _ = viz.build_steps(trace.events[: second + 1], trace[second].state)
    assert [(s.cache, s.layer, s.size) for s in steps] == [("", None, 0), ("hit", 2, 3), ("hit", None, 0)]
    assert steps[1].diff_id == steps[1].diff_id and steps[1].diff_id == engine.images.find("hi").diff_ids[1]
    running = _upto(trace, "build.cache_miss", 0)
    d = viz.build(trace.events[: running + 1], trace[running].state)
    assert [n for n, a in d.graph.nodes(data=True) if a["highlight"]] == ["s2"] and "image" not in d.graph


def test_push_then_push_again_then_pull(built):
    engine, trace = built
    layers = engine.images.find("hi").diff_ids          # busybox's layer, then the RUN layer
    first = _upto(trace, "registry.manifest_pushed", 0)
    t = viz.transfer_of(trace.events[: first + 1])
    assert (t.direction, t.ref, t.done) == ("push", "localhost:5000/hi:latest", True)
    assert sorted(b.diff_id for b in t.blobs) == sorted(layers) and all(b.status == "uploaded" for b in t.blobs)
    d = viz.transfer(trace.events[: first + 1], trace[first].state)
    assert all(d.graph.nodes[f"b{i}"]["highlight"] for i in range(2))
    assert ("local", "b0") in d.graph.edges and ("b0", "registry") in d.graph.edges
    again = _upto(trace, "registry.manifest_pushed", 1)
    t = viz.transfer_of(trace.events[: again + 1])
    assert [b.status for b in t.blobs] == ["already in the registry"] * 2
    d = viz.transfer(trace.events[: again + 1])
    assert "b0 -> registry [label=\"already there\" style=dashed]" in d.dot and "penwidth" not in d.dot
    t = viz.transfer_of(trace.events)                  # the image is still here as `hi`: no blob is checked
    assert (t.direction, t.ref, t.blobs) == ("pull", "localhost:5000/hi:latest", ())
    d = viz.transfer(trace.events, trace[-1].state)
    assert [(d.graph.nodes[f"b{i}"]["diff_id"], d.graph.nodes[f"b{i}"]["status"]) for i in range(2)] == [
        (layers[0], "already in the image store"), (layers[1], "already in the image store")]
    assert ("b1", "local") in d.graph.edges and "penwidth" not in d.dot
