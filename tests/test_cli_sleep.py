"""`python -m simulator sleep N [--state DIR]`: virtual time passing between one-command
invocations (expected statuses worked out by hand from Docker's `docker ps` wording)."""

from __future__ import annotations

import pytest

from simulator.cli.main import main
from simulator.cli.play import MAX_SLEEP


def _docker(state, capsys, *args) -> str:
    capsys.readouterr()
    assert main(["docker", "--state", str(state), *args]) == 0
    return capsys.readouterr().out


def _status(state, capsys) -> str:
    return _docker(state, capsys, "ps", "-a", "--format", "{{.Names}}: {{.Status}} (created {{.RunningFor}})")


def test_sleep_moves_the_saved_clock(tmp_path, capsys):
    state = tmp_path / "st"
    _docker(state, capsys, "run", "-d", "--name", "short", "busybox", "sleep", "5")
    assert _status(state, capsys) == "short: Up Less than a second (created Less than a second ago)\n"
    assert main(["sleep", "3", "--state", str(state)]) == 0
    assert capsys.readouterr() == ("", "")
    assert _status(state, capsys) == "short: Up 3 seconds (created 3 seconds ago)\n"
    # the process ends at 5 s; at 10 s it has been gone 5 s
    assert main(["sleep", f"--state={state}", "7"]) == 0
    assert _status(state, capsys) == "short: Exited (0) 5 seconds ago (created 10 seconds ago)\n"
    assert main(["sleep", "--state", str(state), "0"]) == 0
    assert _status(state, capsys) == "short: Exited (0) 5 seconds ago (created 10 seconds ago)\n"


def test_sleep_fires_restart_policies(tmp_path, capsys):
    state = tmp_path / "st"
    _docker(state, capsys, "run", "-d", "--name", "flaky", "--restart", "on-failure:1", "busybox",
            "sh", "-c", "sleep 2; exit 3")
    assert main(["sleep", "--state", str(state), "60"]) == 0
    # exits at 2 s, restarted once (its only retry), exits again; nothing more after that
    inspect = _docker(state, capsys, "inspect", "--format", "{{.RestartCount}} {{.State.ExitCode}} {{.State.Status}}",
                      "flaky")
    assert inspect == "1 3 exited\n"


def test_sleep_uses_the_default_state_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["docker", "run", "-d", "--name", "here", "busybox", "sleep", "100"]) == 0
    assert main(["sleep", "61.5"]) == 0
    capsys.readouterr()
    assert main(["docker", "ps", "--format", "{{.Status}}"]) == 0
    assert capsys.readouterr().out == "Up About a minute\n"


@pytest.mark.parametrize("argv, reason", [
    (["-1"], "sleep needs a number of seconds from 0 to %d: 'sleep -1'" % MAX_SLEEP),
    (["nan"], "sleep needs a number of seconds from 0 to %d: 'sleep nan'" % MAX_SLEEP),
    ([str(MAX_SLEEP + 1)], "sleep needs a number of seconds from 0 to %d: 'sleep %d'" % (MAX_SLEEP, MAX_SLEEP + 1)),
    (["ten"], "sleep needs a number of seconds: 'sleep ten'"),
    ([], "expected one number of seconds, got 0 arguments"),
    (["1", "2"], "expected one number of seconds, got 2 arguments"),
    (["1", "--state"], "--state needs a folder"),
])
def test_sleep_validates_like_a_scenario_line(argv, reason, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["sleep", *argv]) == 2
    assert capsys.readouterr() == ("", "simulator sleep: %s\nSee 'python -m simulator sleep --help'.\n" % reason)
    assert list(tmp_path.iterdir()) == []   # no state written


def test_sleep_help_and_top_level_help(capsys):
    assert main(["sleep", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: python -m simulator sleep [--state DIR] N\n")
    assert main(["--help"]) == 0
    assert "python -m simulator sleep [--state DIR] N\n" in capsys.readouterr().out
