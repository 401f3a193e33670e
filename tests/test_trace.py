"""Trace: events with snapshots, structural sharing, both-way stepping (world in viz_world.py)."""

from simulator.model.events import Event
from simulator.model.reference import parse
from simulator.trace import Cursor, Trace, snapshot
from viz_world import LAYER_A, world


def recorded():
    trace = Trace()
    engine, cid = world(trace)
    return trace, engine, cid


def test_one_step_per_event_in_order():
    trace, engine, cid = recorded()
    # 3 layers + 2 images + 2 tags + create + copy-up + whiteout
    assert [s.event.kind for s in trace] == ["layer.created"] * 3 + ["image.created", "image.tagged"] * 2 + [
        "container.state", "fs.copy_up", "fs.whiteout"]
    assert [s.index for s in trace] == list(range(10))
    assert trace.events == engine.events.log[-10:]


def test_each_snapshot_is_the_state_after_its_event():
    trace, engine, cid = recorded()
    assert trace.initial.images.layers == {}
    assert len(trace[0].state.images.layers) == 1 and len(trace[2].state.images.layers) == 3
    assert trace[4].state.images.tags == {"docker.io/library/demo:1": trace[3].event.data["id"]}
    assert trace[6].state.containers.all() == [] and trace[7].state.containers.get("c1").state == "created"
    copy_up, whiteout = trace[8].state.backend.get(cid), trace[9].state.backend.get(cid)
    assert sorted(copy_up.upper) == ["/etc", "/etc/passwd"]            # before the delete
    assert sorted(whiteout.upper) == ["/etc", "/etc/passwd", "/etc/shadow"]
    assert trace.state_before(0) is trace.initial and trace.state_before(9) is trace[8].state


def test_snapshots_share_immutable_parts_and_copy_the_rest():
    trace, engine, cid = recorded()
    a, b = trace[8].state, trace[9].state
    assert a.images.layers[LAYER_A.diff_id] is LAYER_A is engine.images.layers[LAYER_A.diff_id]
    assert a.backend.get(cid).lower is b.backend.get(cid).lower is engine.backend.get(cid).lower
    assert a.backend.get(cid).upper is not engine.backend.get(cid).upper
    # at the copy-up the writable layer holds the lower file itself; the append comes after
    assert a.backend.get(cid).upper["/etc/passwd"] is LAYER_A.entries["/etc/passwd"]
    assert b.backend.get(cid).upper["/etc/passwd"] is engine.backend.get(cid).upper["/etc/passwd"]
    engine.images.untag(parse("demo:2"))                                    # the live engine goes on
    assert "docker.io/library/demo:2" in b.images.tags


def test_snapshot_event_bus_is_detached():
    trace, engine, cid = recorded()
    state = trace[9].state
    assert state.events.log == [] and state.events is trace[0].state.events
    state.events.emit(Event("x", "y"))
    assert state.events.log == [] and len(trace) == 10
    assert snapshot(engine).events is state.events


def test_recording_stops_after_the_block():
    trace, engine, cid = recorded()
    engine.images.untag(parse("demo:2"))
    assert len(trace) == 10


def test_cursor_moves_both_ways_and_stays_inside():
    trace, _, _ = recorded()
    cursor = Cursor(trace)
    assert cursor.index == 0 and cursor.previous().index == 0
    assert cursor.next().event.kind == "layer.created" and cursor.index == 1
    assert cursor.last().event.kind == "fs.whiteout" and cursor.next().index == 9
    assert cursor.previous().event.kind == "fs.copy_up"
    assert cursor.go(-2).index == 8 and cursor.go(99).index == 9 and cursor.first().index == 0
    assert Cursor(Trace()).step is None


def test_copy_up_and_whiteout_messages_name_the_layer():
    trace, _, _ = recorded()
    assert trace[8].message == ("copy-up: /etc/passwd copied from layer 1 into the writable layer of "
                                "container c1 before the change")
    assert trace[8].event.data["layer"] == 1
    assert trace[9].message.startswith("whiteout: /etc/shadow deleted in container c1;")
    assert "hides the copy in layer 1" in trace[9].message
