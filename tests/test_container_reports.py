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


NOT_FOUND = ('failed to create shim task: OCI runtime create failed: runc create failed: unable to start '
             'container process: exec: "nosuchcmd": executable file not found in $PATH: unknown')


def test_run_rm_whose_command_cannot_start_leaves_nothing(docker):
    # Real 20.10: the daemon removes the AutoRemove container; the attached CLI prints only
    # the daemon's error (no `error waiting for container` line), exit 127.
    r = docker("run --rm busybox nosuchcmd")
    assert (r.exit, r.output) == (127, f"docker: Error response from daemon: {NOT_FOUND}.\n")
    assert docker("ps -aq").out == ""
    r = docker("run -d --rm busybox nosuchcmd")
    assert r.exit == 127 and r.err == f"docker: Error response from daemon: {NOT_FOUND}.\n"
    assert len(r.out.strip()) == 64
    assert docker("ps -aq").out == ""


def test_start_of_a_created_rm_container_that_cannot_start_removes_it(docker):
    assert docker("create --rm --name c2 busybox nosuchcmd").exit == 0
    r = docker("start c2")
    assert (r.exit, r.err) == (1, f"Error response from daemon: {NOT_FOUND}\nError: failed to start containers: c2\n")
    assert docker("ps -aq").out == ""
