"""The state folder of `python -m simulator docker`: round trip, refusal of foreign states."""

import pickle

import pytest

from simulator.cli import state


def test_round_trip(tmp_path):
    state.save(str(tmp_path), {"an": "engine"})
    assert state.load(str(tmp_path)) == {"an": "engine"}
    assert [p.name for p in tmp_path.iterdir()] == ["engine.pickle"]


def test_other_format_version_is_refused(tmp_path):
    (tmp_path / "engine.pickle").write_bytes(pickle.dumps({"format": 0, "engine": None}))
    with pytest.raises(state.StateError) as e:
        state.load(str(tmp_path))
    assert "written by another version" in str(e.value) and "delete" in str(e.value)


def test_unreadable_state_is_refused(tmp_path):
    (tmp_path / "engine.pickle").write_bytes(b"not a pickle")
    with pytest.raises(state.StateError) as e:
        state.load(str(tmp_path))
    assert str(e.value).startswith("cannot load the simulator state from ")


def test_state_survives_containers_with_observers(tmp_path):
    """A saved engine holds containers (whose copy-up observers are closures) and still loads."""
    from simulator.cli import state
    from simulator.cli.play import play
    from simulator.engine.engine import Engine
    scenario = tmp_path / "s" / "s.txt"
    scenario.parent.mkdir()
    scenario.write_text("docker run --name c1 busybox sh -c 'echo hi > /tmp/x'\n")
    engine = Engine()
    play(str(scenario), engine=engine)
    state.save(str(tmp_path / "st"), engine)
    again = state.load(str(tmp_path / "st"))
    c1 = next(c for c in again.containers.by_id.values() if c.name == "c1")
    assert again.backend.get(c1.id).read("/tmp/x") == b"hi\n"
