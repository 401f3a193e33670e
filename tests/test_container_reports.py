"""Container behaviours a learner reported wrong, checked against a real Docker 20.10 engine
(private_engine(), `--network none`) or Docker's documentation."""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def test_restart_of_a_finished_command_runs_it_again_and_it_exits(docker):
    # Real 20.10: restart prints the name; the command runs again (logs twice), exits 0 at
    # once, RestartCount stays 0 and exec is refused.
    assert docker("run --name b1 busybox echo x").out == "x\n"
    cid = docker("inspect -f '{{.Id}}' b1").out.strip()
    assert docker("restart b1").output == "b1\n"
    assert docker("inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' b1").out == "exited 0 0\n"
    r = docker("exec b1 ls")
    assert (r.exit, r.err) == (1, f"Error response from daemon: Container {cid} is not running\n")
    assert docker("logs b1").out == "x\nx\n"
    assert docker("ps -a --format '{{.Status}}'").out == "Exited (0) Less than a second ago\n"
