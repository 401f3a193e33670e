"""The state folder of `python -m simulator docker`: round trip, refusal of foreign states,
refusal of a folder that cannot hold a state, a save that fails."""

import errno
import os
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


# -- an unusable state folder: one line on stderr, exit 2, before the command runs ----------

def _main(capsys, *argv):
    from simulator.cli.main import main
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("argv", [
    ("docker", "--state", "{file}", "run", "--name", "c1", "busybox", "echo", "ran"),
    ("docker", "--state={file}", "ps"),
    ("sleep", "3", "--state", "{file}"),
    ("sleep", "--state", "{file}", "3"),
])
def test_a_file_in_place_of_the_state_folder(argv, tmp_path, capsys):
    file = tmp_path / "somefile"
    file.write_text("mine\n")
    status, out, err = _main(capsys, *(a.format(file=file) for a in argv))
    assert (status, out) == (2, "")
    assert err == (f"simulator: cannot use {file} as the simulator state folder: it is a file, not a "
                   "folder; remove it or choose another folder with --state DIR\n")
    assert file.read_text() == "mine\n"


def test_the_default_state_folder_is_a_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".simulator").touch()
    status, out, err = _main(capsys, "docker", "ps")
    assert (status, out) == (2, "")
    assert err.startswith(f"simulator: cannot use {tmp_path / '.simulator'} as the simulator state folder: ")
    assert err.count("\n") == 1


def test_a_state_folder_that_cannot_be_created(tmp_path, capsys):
    (tmp_path / "f").touch()
    status, out, err = _main(capsys, "docker", "--state", str(tmp_path / "f" / "sub"), "ps")
    assert (status, out) == (2, "")
    assert err == (f"simulator: cannot use {tmp_path / 'f' / 'sub'} as the simulator state folder: cannot "
                   "create it (Not a directory); choose another folder with --state DIR\n")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="no /proc here")
def test_a_state_folder_under_proc(capsys):
    status, out, err = _main(capsys, "docker", "--state", "/proc/foo", "ps")
    assert (status, out) == (2, "")
    assert err.startswith("simulator: cannot use /proc/foo as the simulator state folder: cannot create it (")


def test_check_creates_a_missing_folder_and_leaves_nothing_in_it(tmp_path):
    state.check(str(tmp_path / "a" / "b"))
    assert list((tmp_path / "a" / "b").iterdir()) == []


def test_a_save_error_is_one_line(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "st"
    assert _main(capsys, "docker", "--state", str(folder), "ps")[0] == 0
    before = (folder / "engine.pickle").read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(state.cloudpickle, "dump", full)
    status, out, err = _main(capsys, "docker", "--state", str(folder), "run", "busybox", "echo", "ran")
    assert (status, out) == (2, "ran\n")      # the command ran; its engine could not be kept
    assert err.endswith(f"\nsimulator: cannot save the simulator state in {folder}: No space left on device\n")
    assert "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == ["engine.pickle", "lock"]   # no temporary file left
    assert (folder / "engine.pickle").read_bytes() == before


def test_commands_on_one_state_folder_take_turns(tmp_path):
    """A second command on the same folder waits for the first to save (its lock), says so once,
    then runs on the state the first one saved."""
    import subprocess
    import sys
    import time

    folder = tmp_path / "st"
    folder.mkdir()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with state.Session(str(folder)):
        waiting = subprocess.Popen([sys.executable, "-m", "simulator", "docker", "--state", str(folder),
                                    "create", "--name", "second", "busybox"],
                                   cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert waiting.poll() is None                     # still waiting for the lock
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0
    # the holder's PID and command line (here pytest's), then the folder
    first = err.splitlines()[0]
    assert first.startswith(f"simulator: waiting for the command of process {os.getpid()} (")
    assert first.endswith(f") on {folder} to finish")
    assert len(out.strip()) == 64
