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
