"""A build world for the classic-builder tests: an engine with busybox already pulled,
context folders written from dicts, and the `docker build` output read back as steps.

    world.context("ctx", {"Dockerfile": "FROM busybox\\n", "a.txt": "x"})
    r = world.docker("build -t app ctx")
    assert [s.cached for s in steps(r.out)] == [False]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest

STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")


@dataclass
class Step:
    """One `Step N/M : text` block of classic build output; `lines` follow the Step line."""

    number: int
    total: int
    text: str
    lines: list[str]

    @property
    def cached(self) -> bool:
        return " ---> Using cache" in self.lines

    @property
    def ran(self) -> bool:
        """A container was created for the step (RUN, metadata, WORKDIR on a miss)."""
        return any(line.startswith(" ---> Running in ") for line in self.lines)


def steps(output: str) -> list[Step]:
    """The Step blocks of a build's output, in order."""
    out: list[Step] = []
    for line in output.splitlines():
        m = STEP.match(line)
        if m:
            out.append(Step(int(m.group(1)), int(m.group(2)), m.group(3), []))
        elif out:
            out[-1].lines.append(line)
    return out


def cache_pattern(output: str) -> list[bool]:
    """For each step after a FROM: True if it came from the cache."""
    return [s.cached for s in steps(output) if not s.text.upper().startswith(("FROM", "ARG BASE"))]


class BuildWorld:
    """The `docker` runner of tests/conftest.py plus context folders under tmp_path."""

    def __init__(self, docker, engine, root):
        self.docker = docker
        self.engine = engine
        self.root = str(root)

    def context(self, name: str, files: dict[str, str | bytes | None], modes: dict[str, int] | None = None) -> str:
        """Write a context folder: a value None makes an empty directory. Returns its path."""
        base = os.path.join(self.root, name)
        os.makedirs(base, exist_ok=True)
        for rel, data in files.items():
            path = os.path.join(base, rel)
            if data is None:
                os.makedirs(path, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data.encode() if isinstance(data, str) else data)
        for rel, mode in (modes or {}).items():
            os.chmod(os.path.join(base, rel), mode)
        return base

    def image(self, ref: str):
        return self.engine.images.find(ref)

    def read(self, ref: str, path: str) -> bytes | None:
        """A file's bytes in an image, or None when the path is absent."""
        entry = self.engine.images.tree(self.image(ref)).get(path)
        return None if entry is None else entry.content.read()

    def entry(self, ref: str, path: str):
        return self.engine.images.tree(self.image(ref)).get(path)


@pytest.fixture
def world(docker, engine, tmp_path) -> BuildWorld:
    """A BuildWorld on the test's engine, busybox pulled (as in the recordings)."""
    engine.registry.pull("busybox")
    return BuildWorld(docker, engine, tmp_path)
