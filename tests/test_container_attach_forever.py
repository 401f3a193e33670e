"""`docker start -a` and `docker wait` on a process that never ends: the simulator cannot
block, so they print what a foreground `docker run` prints in that case (the output so far
and a `(simulator: ...)` note, status 0), not a daemon error."""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def test_start_attach_of_a_server_prints_its_output_and_a_note_like_foreground_run(docker, engine):
    fg = docker("run --network none --name fg busybox sh -c 'echo up; while true; do sleep 1; done'")
    assert (fg.exit, fg.out) == (0, "up\n")
    assert docker("create --network none --name web1 busybox sh -c 'echo up; while true; do sleep 1; done'").exit == 0
    r = docker("start -a web1")
    assert r.exit == fg.exit
    assert r.out == "up\n"
    assert r.err == ("(simulator: web1 keeps running; docker start -a would stay attached to it. "
                     "It is running now; docker stop web1 ends it.)\n")
    assert "Error response from daemon" not in r.output
    assert docker("ps --format '{{.Names}}'").out.split() == ["web1", "fg"]


def test_wait_on_a_server_notes_it_and_still_waits_for_the_others(docker):
    assert docker("run -d --network none --name web1 busybox sh -c 'while true; do sleep 1; done'").exit == 0
    assert docker("run -d --network none --name quick busybox sh -c 'sleep 3; exit 4'").exit == 0
    r = docker("wait web1 quick")
    assert r.exit == 0
    assert r.out == "4\n"
    assert r.err == ("(simulator: web1 keeps running; docker wait would wait forever. "
                     "docker stop web1 ends it.)\n")
