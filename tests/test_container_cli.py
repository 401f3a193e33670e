"""Container commands through the CLI, against the real Docker 20.10 recordings
(tests/conformance/scenarios/*/scenario.expected) and docker/cli 20.10 behaviour."""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def test_foreground_run_with_rm_prints_output_and_exits_with_the_status(docker, engine):
    # build-basics: `docker run --rm --network none app:1` prints `hello v1`; the CLI waits
    # for `removed` (cli run.go waitExitOrRemoved) and exits with the process's status.
    r = docker("run --rm busybox echo hi")
    assert (r.exit, r.output) == (0, "hi\n")
    r = docker("run --rm busybox sh -c 'exit 3'")
    assert (r.exit, r.output) == (3, "")
    assert engine.containers.all() == []
