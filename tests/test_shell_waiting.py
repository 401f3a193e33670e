"""A shell loop that polls the files wakes up when `docker exec` or `docker cp` changes them.

Expected values: the restart-policies recording (Docker 20.10: after `docker exec alw touch
/tmp/stop` and `sleep 2`, `{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}` is
`1 running 0` and `docker logs alw` is empty), otherwise worked out by hand from the scripts.
"""

from __future__ import annotations

STATE = "--format '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}'"
WAIT_FOR_STOP = "'while [ ! -f /tmp/stop ]; do sleep 0.1; done; rm /tmp/stop; exit 3'"


def test_exec_wakes_the_loop_and_the_restart_policy_fires(docker, engine):
    assert docker(f"run -d --network none --name alw --restart always busybox sh -c {WAIT_FOR_STOP}").exit == 0
    assert docker("exec alw touch /tmp/stop").exit == 0
    engine.sleep(2)
    assert docker(f"inspect {STATE} alw").out == "1 running 0\n"
    assert docker("logs alw").output == ""
    # The restarted loop removed /tmp/stop on its way out, so the new run waits again.
    engine.sleep(60)
    assert docker(f"inspect {STATE} alw").out == "1 running 0\n"


def test_exec_wakes_the_loop_which_exits_with_its_status(docker):
    assert docker("run -d --name wt busybox sh -c "
                  "'echo waiting; while [ ! -f /tmp/go ]; do sleep 1; done; echo go; exit 3'").exit == 0
    assert docker("exec wt touch /tmp/go").exit == 0
    assert docker("wait wt").out == "3\n"
    assert docker("logs wt").out == "waiting\ngo\n"
    assert docker("exec wt true").exit == 1   # no longer running


def test_cp_wakes_the_loop(docker, tmp_path):
    (tmp_path / "go").write_text("")
    assert docker("run -d --name wt busybox sh -c 'until [ -f /tmp/go ]; do sleep 1; done; echo copied'").exit == 0
    assert docker("cp go wt:/tmp/go").exit == 0
    assert docker("wait wt").out == "0\n"
    assert docker("logs wt").out == "copied\n"


def test_an_outer_loop_waits_again_after_each_wake(docker, engine):
    script = "'while true; do while [ ! -f /tmp/go ]; do sleep 1; done; echo got; rm /tmp/go; done'"
    assert docker(f"run -d --name wt busybox sh -c {script}").exit == 0
    for _ in range(2):
        assert docker("exec wt touch /tmp/go").exit == 0
        engine.sleep(5)
    assert docker("logs wt").out == "got\ngot\n"
    assert docker(f"inspect {STATE} wt").out == "0 running 0\n"


def test_a_loop_keeps_waiting_until_its_file_appears(docker, engine):
    script = "x=1\nwhile [ ! -f /tmp/go ]; do sleep 1; done\necho go $x\nexit 5"
    assert docker(["run", "-d", "--name", "wt", "busybox", "sh", "-c", script]).exit == 0
    for _ in range(2):
        assert docker("exec wt touch /tmp/other").exit == 0
        engine.sleep(10)
    assert docker(f"inspect {STATE} wt").out == "0 running 0\n"
    assert docker("logs wt").out == ""
    assert docker("exec wt touch /tmp/go").exit == 0
    assert docker("wait wt").out == "5\n"
    # printed when the file appeared, 20 s after the start
    (at, stream, text), = engine.containers.logs("wt")
    c = engine.containers.get("wt")
    assert (stream, text, (at - c.runs[0].started).total_seconds()) == ("stdout", "go 1\n", 20.0)


def test_a_waiting_loop_survives_a_saved_state(docker, engine, tmp_path):
    """The CLI saves the engine between invocations: the waiting shell is plain data."""
    from simulator.cli import state
    assert docker("run -d --name wt busybox sh -c 'while [ ! -f /tmp/go ]; do sleep 1; done; exit 4'").exit == 0
    state.save(str(tmp_path / "st"), engine)
    again = state.load(str(tmp_path / "st"))
    again.containers.exec("wt", ["touch", "/tmp/go"])
    assert again.containers.wait("wt") == 4


def test_a_script_the_shell_execs_is_woken(docker):
    """`exec` replaces the shell by the `#!` script, whose loop is the process's wait."""
    script = ("printf '#!/bin/sh\\nwhile [ ! -f /tmp/go ]; do sleep 1; done\\necho script\\nexit 6\\n' > /w.sh; "
              "chmod +x /w.sh; exec /w.sh")
    assert docker(["run", "-d", "--name", "wt", "busybox", "sh", "-c", script]).exit == 0
    assert docker("exec wt touch /tmp/go").exit == 0
    assert docker("wait wt").out == "6\n"
    assert docker("logs wt").out == "script\n"


def test_a_loop_in_a_subshell_is_not_woken(docker, engine):
    """Declared limit (docs/fidelity.md): only the main shell's own sequence is resumed."""
    assert docker("run -d --name wt busybox sh -c '(while [ ! -f /tmp/go ]; do sleep 1; done); echo go'").exit == 0
    assert docker("exec wt touch /tmp/go").exit == 0
    engine.sleep(5)
    assert docker(f"inspect {STATE} wt").out == "0 running 0\n"
