"""Container lifecycle: every transition and refusal, with Docker 20.10's messages
(tests/conformance/scenarios/lifecycle/scenario.expected; docker-semantics.md §1, §2)."""

from __future__ import annotations

import pytest

from simulator.engine import states
from simulator.engine.containers import CreateOptions
from simulator.engine.errors import Conflict, DockerError, InvalidParameter, NotFound, StartError
from tests.test_container_helpers import make_engine


@pytest.fixture
def engine():
    return make_engine()


def create(engine, *command, **kw):
    return engine.containers.create("busybox", CreateOptions(command=list(command), **kw))


def message(fn, *args, **kw):
    with pytest.raises(DockerError) as info:
        fn(*args, **kw)
    return info.value.message


def test_table_lists_the_seven_states_and_every_command_edge():
    assert states.STATES == ("created", "running", "paused", "restarting", "removing", "exited", "dead")
    edges = {(t.source, t.target, t.command) for t in states.TRANSITIONS}
    assert ("created", "running", "start") in edges
    assert ("running", "paused", "pause") in edges
    assert ("paused", "running", "unpause") in edges
    assert ("running", "restarting", "") in edges
    assert ("restarting", "running", "") in edges
    assert ("paused", "exited", "stop") in edges
    assert ("removing", states.GONE, "rm") in edges
    assert not any(t.source == "exited" and t.target == "paused" for t in states.TRANSITIONS)


def test_created_container_refusals(engine):
    c = create(engine, "sleep", "1000", name="web")
    cs = engine.containers
    assert c.state == "created"
    assert message(cs.exec, "web", ["true"]) == f"Container {c.id} is not running"
    assert message(cs.unpause, "web") == f"Container {c.id} is not paused"
    assert message(cs.pause, "web") == f"Container {c.id} is not running"
    assert message(cs.kill, "web") == f"Cannot kill container: web: Container {c.id} is not running"
    assert cs.stop("web") is False            # 304: already stopped


def test_running_and_paused(engine):
    c = create(engine, "sleep", "1000", name="web")
    cs = engine.containers
    assert cs.start("web") is True
    assert (c.state, c.exit_code) == ("running", 0)
    assert cs.start("web") is False           # 304
    assert message(cs.unpause, "web") == f"Container {c.id} is not paused"
    cs.pause("web")
    assert c.state == "paused" and c.running
    assert c.status(engine.clock.now()) == "Up Less than a second (Paused)"
    assert message(cs.start, "web") == "cannot start a paused container, try unpause instead"
    assert message(cs.pause, "web") == f"Container {c.id} is already paused"
    assert message(cs.exec, "web", ["true"]) == "Container web is paused, unpause the container before exec"
    assert message(cs.remove, "web") == (
        f"You cannot remove a paused container {c.id}. Unpause and then stop the container before "
        "attempting removal or force remove")
    cs.unpause("web")
    assert c.state == "running"
    assert message(cs.remove, "web") == (
        f"You cannot remove a running container {c.id}. Stop the container before attempting removal "
        "or force remove")
    with pytest.raises(Conflict):
        cs.remove("web")


def test_stop_of_pid1_sleep_waits_then_kills(engine):
    c = create(engine, "sleep", "1000", name="web")
    cs = engine.containers
    cs.start("web")
    before = engine.clock.now()
    assert cs.stop("web", timeout=1) is True
    assert (c.state, c.exit_code) == ("exited", 137)
    assert (engine.clock.now() - before).total_seconds() == pytest.approx(1.0)
    assert c.status(engine.clock.now()) == "Exited (137) Less than a second ago"
    assert cs.stop("web") is False
    assert message(cs.kill, "web") == f"Cannot kill container: web: Container {c.id} is not running"
    assert message(cs.exec, "web", ["true"]) == f"Container {c.id} is not running"


def test_default_stop_timeout_is_ten_seconds(engine):
    create(engine, "sleep", "1000", name="web")
    engine.containers.start("web")
    before = engine.clock.now()
    engine.containers.stop("web")
    assert (engine.clock.now() - before).total_seconds() == pytest.approx(10.0)


def test_stop_before_timeout_when_process_exits_by_itself(engine):
    c = create(engine, "sleep", "3", name="web")
    engine.containers.start("web")
    before = engine.clock.now()
    engine.containers.stop("web", timeout=10)
    assert (engine.clock.now() - before).total_seconds() == pytest.approx(3.0)
    assert c.exit_code == 0


def test_kill_signals(engine):
    c = create(engine, "sleep", "1000", name="web")
    cs = engine.containers
    cs.start("web")
    cs.kill("web", "TERM")                    # PID 1 has no TERM handler: ignored
    assert (c.state, c.exit_code) == ("running", 0)
    assert message(cs.kill, "web", "NOSUCHSIG") == "Invalid signal: NOSUCHSIG"
    cs.kill("web", "KILL")
    assert (c.state, c.exit_code) == ("exited", 137)
    assert cs.wait("web") == 137


def test_init_forwards_term_143(engine):
    c = create(engine, "sleep", "1000", name="inited", init=True)
    engine.containers.start("inited")
    engine.containers.stop("inited", timeout=5)
    assert (c.state, c.exit_code) == ("exited", 143)


def test_trap_handler_exit_code(engine):
    c = create(engine, "sh", "-c", "trap", name="trapper")
    engine.containers.start("trapper")
    engine.containers.kill("trapper", "15")
    assert engine.containers.wait("trapper") == 143
    assert c.state == "exited"


def test_restart_on_exited_starts_it(engine):
    c = create(engine, "sleep", "1000", name="web")
    engine.containers.start("web")
    engine.containers.stop("web", timeout=1)
    engine.containers.restart("web", timeout=1)
    assert (c.state, c.exit_code) == ("running", 0)


def test_rm_then_missing(engine):
    c = create(engine, "sleep", "1000", name="web")
    cs = engine.containers
    cs.start("web")
    cs.kill("web")
    cs.remove("web")
    assert engine.backend.views.get(c.id) is None
    assert message(cs.remove, "web") == "No such container: web"
    assert message(cs.start, "web") == "No such container: web"
    assert message(cs.kill, "web") == "Cannot kill container: web: No such container: web"
    with pytest.raises(NotFound):
        cs.stop("web")


def test_rm_force_kills(engine):
    c = create(engine, "sleep", "1000", name="web")
    engine.containers.start("web")
    engine.containers.pause("web")
    engine.containers.remove("web", force=True)
    assert engine.containers.find("web") is None
    events = [e.data["transition"] for e in engine.events.log if e.kind == "container.state"]
    assert events[-3:] == ["kill", "remove", "remove"]
    assert c.exit_code == 137


def test_every_state_event_follows_the_table(engine):
    create(engine, "sleep", "1000", name="web")
    cs = engine.containers
    cs.start("web"); cs.pause("web"); cs.unpause("web"); cs.stop("web", timeout=0)
    cs.restart("web", timeout=0); cs.remove("web", force=True)
    moves = [(e.data["from"], e.data["to"], e.data["transition"]) for e in engine.events.log
             if e.kind == "container.state"]
    table = {(t.source, t.target, t.name) for t in states.TRANSITIONS}
    assert set(moves) <= table
    assert moves[0] == (states.NEW, "created", "create")
    assert moves[-1] == ("removing", states.GONE, "remove")


def test_names(engine):
    one = create(engine, name="one")
    assert message(create, engine, name="one") == (
        f'Conflict. The container name "/one" is already in use by container "{one.id}". You have to '
        'remove (or rename) that container to be able to reuse that name.')
    two = create(engine, name="two")
    cs = engine.containers
    cs.rename("one", "uno")
    assert one.name == "uno"
    assert message(cs.rename, "uno", "uno") == "Renaming a container with the same name as its current name"
    assert message(cs.rename, "uno", "two") == (
        f'Error when allocating new name: Conflict. The container name "/two" is already in use by '
        f'container "{two.id}". You have to remove (or rename) that container to be able to reuse that name.')
    assert message(cs.rename, "nosuch", "other") == "No such container: nosuch"
    assert message(cs.rename, "uno", "bad name") == (
        "Error when allocating new name: Invalid container name (/bad name), only "
        "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    assert message(cs.rename, "uno", "x") == (
        "Error when allocating new name: Invalid container name (/x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    with pytest.raises(InvalidParameter):
        create(engine, name="-bad")


def test_generated_names_are_deterministic_and_distinct():
    a, b = make_engine(), make_engine()
    names_a = [create(a).name for _ in range(5)]
    names_b = [create(b).name for _ in range(5)]
    assert names_a == names_b
    assert len(set(names_a)) == 5
    assert all("_" in n and n != "boring_wozniak" for n in names_a)


def test_reference_resolution(engine):
    c = create(engine, name="web")
    cs = engine.containers
    assert cs.get(c.id) is c and cs.get(c.id[:5]) is c and cs.get("web") is c and cs.get("/web") is c
    assert message(cs.get, "") == 'invalid name or ID supplied: ""'
    others = [create(engine) for _ in range(40)]
    prefix = next(x.id[0] for x in others if sum(y.id.startswith(x.id[0]) for y in others + [c]) > 1)
    assert message(cs.get, prefix) == f"multiple IDs found with provided prefix: {prefix}"


def test_start_failures_keep_created_with_exit_code(engine):
    c = create(engine, "nosuchcommand")
    with pytest.raises(StartError) as info:
        engine.containers.start(c.id)
    assert info.value.exit_code == 127
    assert (c.state, c.exit_code) == ("created", 127)
    assert "executable file not found" in c.error
    assert c.status(engine.clock.now()) == "Created"


def test_exit_codes_0_and_1(engine):
    ok = create(engine, "true")
    bad = create(engine, "sh", "-c", "exit 1")
    engine.containers.start(ok.id)
    engine.containers.start(bad.id)
    assert engine.containers.wait(ok.id) == 0
    assert engine.containers.wait(bad.id) == 1


def test_wait_advances_the_clock(engine):
    c = create(engine, "sleep", "1", name="waiter")
    engine.containers.start("waiter")
    before = engine.clock.now()
    assert engine.containers.wait("waiter") == 0
    assert (engine.clock.now() - before).total_seconds() == pytest.approx(1.0)
    assert c.status(engine.clock.now()) == "Exited (0) Less than a second ago"


def test_oom_kill(engine):
    c = create(engine, "sh", "-c", "oom", memory="50m")
    engine.containers.start(c.id)
    assert (c.state, c.exit_code, c.oom_killed) == ("exited", 137, True)
    assert c.inspect()["State"]["OOMKilled"] is True
    assert c.inspect()["HostConfig"]["Memory"] == 50 << 20


def test_memory_minimum(engine):
    assert message(create, engine, "true", memory="5m") == "Minimum memory limit allowed is 6MB"


def test_logs_over_time(engine):
    c = create(engine, "sh", "-c", "talk", name="talker")
    engine.containers.start("talker")
    assert [t for _, _, t in engine.containers.logs("talker")] == ["out\n"]
    engine.containers.wait("talker")
    assert [(s, t) for _, s, t in engine.containers.logs("talker")] == [("stdout", "out\n"), ("stderr", "err\n")]
    assert c.exit_code == 1


def test_exec_output_and_env(engine):
    create(engine, "sleep", "1000", name="web", env=["A=1"])
    engine.containers.start("web")
    now = engine.clock.now()
    task = engine.containers.exec("web", ["echo", "exec", "works"], env=["B=2"], workdir="/tmp")
    assert task.output(engine.clock.now()) == [(now, "stdout", "exec works\n")]
    assert task.exit.code == 0 and task.exit.at == now
    _, spec = engine.backend.started[-1]
    assert "A=1" in spec.env and "B=2" in spec.env and spec.cwd == "/tmp" and spec.pid1 is False
