"""`docker logs -f`, `docker start -a` and `docker wait` on processes that end by themselves
and on ones that never do. Expected texts: a real Docker 20.10 engine (`docker run -d ... sh -c
'echo one; sleep 2; echo two >&2; exit 3'` then `docker logs -f` printed `one` on stdout and
`two` on stderr, status 0) and the simulator's own note where Docker would block forever."""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def test_logs_follow_waits_for_the_process_and_prints_everything(docker, engine):
    assert docker("run -d --network none --name a2 busybox sh -c 'echo one; sleep 2; echo two >&2; exit 3'").exit == 0
    before = engine.clock.now()
    r = docker("logs -f a2")
    assert (r.exit, r.out, r.err) == (0, "one\n", "two\n")
    assert (engine.clock.now() - before).total_seconds() >= 2
    assert docker("ps -a --format '{{.Status}}'").out.startswith("Exited (3)")


def test_logs_follow_keeps_the_tail_backlog_then_adds_what_comes_later(docker):
    assert docker("run -d --network none --name tl busybox sh -c 'echo a; echo b; sleep 5; echo c'").exit == 0
    r = docker("logs -f --tail 1 tl")
    assert (r.exit, r.out) == (0, "b\nc\n")


def test_logs_follow_of_a_process_that_never_ends_prints_the_logs_and_a_note(docker):
    assert docker("run -d --network none --name loop busybox sh -c 'echo up; sleep 1000000'").exit == 0
    assert docker("run -d --network none --name forever busybox sh -c 'echo up; while true; do sleep 1; done'").exit == 0
    r = docker("logs -f forever")
    assert (r.exit, r.out) == (0, "up\n")
    assert r.err == ("(simulator: forever keeps running; docker logs -f would follow it forever. "
                     "docker stop forever ends it.)\n")
    r = docker("container logs --follow forever")
    assert "docker container logs -f would follow it forever" in r.err
