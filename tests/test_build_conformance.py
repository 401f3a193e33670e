"""The classic builder against the real Docker 20.10 recordings (tests/conformance/scenarios/
build-*): every `docker build` command's output must equal the recorded one once IDs
(12 or 64 hex digits) are numbered by first appearance. The recordings start with busybox
already present, so the simulated engine pulls it first (quietly)."""

from __future__ import annotations

import os
import re
import shlex
import shutil

import pytest

import simulator.cli.commands  # noqa: F401  (registers the commands)
from simulator.cli.app import run
from simulator.engine.engine import Engine

SCENARIOS = os.path.join(os.path.dirname(__file__), "conformance", "scenarios")
HEX = re.compile(r"\b([0-9a-f]{64}|[0-9a-f]{12})\b")


def normalise(text: str) -> str:
    """Replace each distinct ID by <ID1>, <ID2>, ... in order of first appearance
    (a 12-digit ID and the 64-digit ID it starts get the same number)."""
    seen: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        key = m.group(1)[:12]
        seen.setdefault(key, f"<ID{len(seen) + 1}>")
        return seen[key]
    return HEX.sub(sub, text)


def transcript_blocks(path: str) -> list[tuple[str, str]]:
    """(command line, output incl. `[exit N]`) for each `$ ` block of a transcript."""
    blocks: list[tuple[str, list[str]]] = []
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
        for line in text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"):
            line += "\n"
            if line.startswith("$ "):
                blocks.append((line[2:].rstrip("\n"), []))
            else:
                blocks[-1][1].append(line)
    return [(cmd, "".join(out)) for cmd, out in blocks]


def replay(name: str, tmp_path) -> list[tuple[str, str, str]]:
    """(command, recorded output, simulated output) for the scenario's build commands."""
    work = tmp_path / name
    shutil.copytree(os.path.join(SCENARIOS, name), work)
    engine = Engine()
    engine.registry.pull("busybox")
    out = []
    recorded_root = None
    for cmd, expected in transcript_blocks(os.path.join(SCENARIOS, name, "scenario.expected")):
        chunks: list[str] = []
        status = run(engine, shlex.split(cmd)[1:], str(work), chunks.append, chunks.append)
        got = "".join(chunks) + (f"[exit {status}]\n" if status else "")
        found = re.search(r"lstat (/tmp/scenario-[^/]+/" + name + ")/", expected)
        recorded_root = found.group(1) if found else recorded_root
        if recorded_root:
            # The recorder's scratch folder is random: the simulated run uses its own.
            expected = expected.replace(recorded_root, str(work))
        if cmd.startswith("docker build"):
            out.append((cmd, expected, got))
    return out


@pytest.mark.parametrize("name", ["build-basics", "build-errors", "build-instructions"])
def test_build_output_matches_recording(name, tmp_path):
    for cmd, expected, got in replay(name, tmp_path):
        assert normalise(got) == normalise(expected), cmd


def test_from_a_missing_hub_repository_fails_with_the_pull_error(tmp_path):
    # The recording daemon has no network, so this is not recorded: the classic builder prints
    # the step, then the daemon's pull error as is (docker-semantics.md §0.1, moby
    # distribution/errors.go for a Hub repository that does not exist), and the build exits 1.
    (tmp_path / "Dockerfile").write_text("FROM nosuchimage\nRUN true\n")
    chunks: list[str] = []
    status = run(Engine(), ["build", "."], str(tmp_path), chunks.append, chunks.append)
    assert (status, "".join(chunks)) == (1, (
        "Sending build context to Docker daemon  2.048kB\r\r\n"   # one 26-byte file: 2 KiB of tar
        "Step 1/2 : FROM nosuchimage\n"
        "pull access denied for nosuchimage, repository does not exist or may require 'docker login': "
        "denied: requested access to the resource is denied\n"))
