"""Restart policies over virtual time (docker-semantics.md §2.3-2.4; the restart-policies recording)."""

from __future__ import annotations

import pytest

from simulator.engine.containers import CreateOptions
from simulator.engine.errors import InvalidParameter
from simulator.engine.restart import PolicySyntaxError, RestartManager, RestartPolicy
from tests.test_container_helpers import make_engine


def run(engine, restart, *command):
    c = engine.containers.create("busybox", CreateOptions(command=list(command), restart=restart))
    engine.containers.start(c.id)
    return c


def test_on_failure_limit():
    engine = make_engine()
    c = run(engine, "on-failure:2", "sh", "-c", "exit 1")
    ok = run(engine, "on-failure", "sh", "-c", "exit 0")
    assert c.state == "restarting" and c.status(engine.clock.now()) == "Restarting (1) Less than a second ago"
    engine.containers.run_until(engine.clock.now().timestamp() + 2)
    assert (c.restart_count, c.state, c.exit_code) == (2, "exited", 1)
    assert (ok.restart_count, ok.state, ok.exit_code) == (0, "exited", 0)
    assert c.inspect()["HostConfig"]["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 2}


def test_backoff_doubles_and_caps_and_resets():
    manager = RestartManager(RestartPolicy("always"))
    delays = [manager.should_restart(0, False, 0.0) for _ in range(12)]
    assert delays[:4] == [0.1, 0.2, 0.4, 0.8]
    assert delays[-1] == 60.0
    assert manager.should_restart(0, False, 10.0) == 0.1
    assert manager.should_restart(0, True, 0.0) is None


def test_manual_stop_prevents_restart_and_restart_resets_count():
    engine = make_engine()
    c = run(engine, "always", "sleep", "1")
    engine.containers.run_until(engine.clock.now().timestamp() + 1.2)
    assert c.restart_count == 1 and c.state == "running"
    engine.containers.stop(c.id, timeout=1)
    engine.containers.run_until(engine.clock.now().timestamp() + 5)
    assert (c.restart_count, c.state) == (1, "exited")
    engine.containers.restart(c.id, timeout=1)
    assert (c.restart_count, c.state) == (0, "running")


@pytest.mark.parametrize("text, message", [
    ("sometimes", "invalid restart policy 'sometimes'"),
    ("always:3", "maximum retry count cannot be used with restart policy 'always'"),
    ("on-failure:-1", "maximum retry count cannot be negative"),
    ("no:1", "maximum retry count cannot be used with restart policy 'no'"),
])
def test_daemon_validation_messages(text, message):
    with pytest.raises(InvalidParameter) as info:
        RestartPolicy.parse(text).validate()
    assert info.value.message == message


def test_cli_side_count_error():
    with pytest.raises(PolicySyntaxError, match="maximum retry count must be an integer"):
        RestartPolicy.parse("on-failure:x")


def test_attached_run_and_wait_end_at_the_next_exit_while_a_policy_restarts():
    """moby `State.SetRestarting` notifies the waiters of each exit: the CLI attached to
    `docker run` returns the first exit's status and `docker wait` the next exit's, while the
    restart policy goes on starting the container (docker/cli#4779, moby#22777)."""
    from simulator.cli.play import run_line
    from simulator.engine.engine import Engine

    engine = Engine()
    engine.registry.import_busybox()
    assert run_line(engine, "docker run --name ra --restart always busybox echo hi", ".") == ("hi\n", 0)
    state, _ = run_line(engine, "docker inspect --format '{{.State.Status}}' ra", ".")
    assert state in ("restarting\n", "running\n")     # the policy goes on without the client
    run_line(engine, "docker run -d --name rb --restart on-failure:5 busybox sh -c 'exit 3'", ".")
    assert run_line(engine, "docker wait rb", ".") == ("3\n", 0)
    count, _ = run_line(engine, "docker inspect --format '{{.RestartCount}}' rb", ".")
    assert int(count) < 5                        # it returned before the policy gave up
