"""Shared fixtures: a fresh Engine, and a `docker` command runner on it.

    def test_x(docker):
        r = docker("run -d --name web nginx")
        assert r.exit == 0 and r.out.endswith("\\n")
        assert docker("ps -q").out.strip()
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import pytest


@dataclass
class Result:
    """One command's exit status, stdout, stderr, and both streams merged in order (`output`)."""

    exit: int
    out: str
    err: str
    output: str


@pytest.fixture
def engine():
    from simulator.engine.engine import Engine

    return Engine()


@pytest.fixture
def docker(engine, tmp_path):
    """Run a docker command line (a string split like a shell would, or a list) on `engine`,
    with relative paths under the test's tmp_path; returns a Result."""
    from simulator.cli import app, commands  # noqa: F401  (registers the commands)

    def run(line, cwd=None) -> Result:
        argv = shlex.split(line) if isinstance(line, str) else list(line)
        if argv[:1] == ["docker"]:
            argv = argv[1:]
        out, err, merged = [], [], []

        def write_out(text):
            out.append(text)
            merged.append(text)

        def write_err(text):
            err.append(text)
            merged.append(text)

        status = app.run(engine, argv, str(cwd or tmp_path), write_out, write_err)
        return Result(status, "".join(out), "".join(err), "".join(merged))

    return run
