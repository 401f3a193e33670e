"""`python -m simulator play FILE`: run a scenario file and print its transcript.

Scenario format (docs/scenarios.md; the same files drive the real-engine recorder,
tests/conformance/record.py, whose transcript format this reproduces byte for byte):
one `docker ...` command a line, `#` comments and blank lines skipped, a trailing backslash
continues a line, `sleep N` lets N seconds of virtual time pass. The commands run in a scratch
copy of the file's folder, so relative paths (build contexts, `docker cp` targets) resolve
there and the original folder is never written to. The file must be a regular file (symlinks
resolved; its folder is the real file's); the copy leaves out device nodes, FIFOs and sockets,
and a folder of more than MAX_ENTRIES entries or MAX_BYTES bytes is refused before anything runs.

Each line, as it starts, emits a `cli.command` event on the engine (see `run_line`).

Transcript: `$ <line>` (continuations joined by one space), the command's stdout and stderr in
the order written (a missing final newline added), then `[exit N]` when N is not 0.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from typing import Callable

from . import app
from . import commands  # noqa: F401  (registers the docker commands)
from ..scenario import MAX_SLEEP, ScenarioError, checked, parse, sleep_seconds, split, transcript_entry  # noqa: F401  (re-exported)
from .narrate import command_event

# The most a scenario's folder may hold to be copied (entries below it, bytes of its files):
# enough for build contexts, far below a home folder or /tmp.
MAX_ENTRIES = 5000
MAX_BYTES = 200 * 1000 * 1000


def run_line(engine, line: str, cwd: str) -> tuple[str, int]:
    """Run one logical line against `engine` with relative paths under `cwd`: (output, exit status).
    The line first emits a `cli.command` event (`narrate.command_event`), so that in a trace
    every line is a step, even one the engine has nothing to say about (`docker images`)."""
    argv = split(line)
    engine.emit(command_event(line, argv))
    if argv[0] == "sleep":
        engine.sleep(sleep_seconds(argv[1]))
        return "", 0
    chunks: list[str] = []
    status = app.run(engine, argv[1:], cwd, chunks.append, chunks.append)
    return "".join(chunks), status


def _copyable(mode: int) -> bool:
    """Files, folders and symlinks are copied; device nodes, FIFOs and sockets never (reading
    one could block forever or read without end)."""
    return stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)


def _check_folder(folder: str, skip: str) -> None:
    """ScenarioError when `folder` holds more than MAX_ENTRIES entries or MAX_BYTES bytes of
    files (symlinks not followed; `skip` and what `_copyable` refuses not counted)."""
    entries, size, pending = 0, 0, [folder]
    while pending:
        with os.scandir(pending.pop()) as listing:
            for entry in listing:
                st = entry.stat(follow_symlinks=False)
                if entry.path == skip or not _copyable(st.st_mode):
                    continue
                entries += 1
                if stat.S_ISDIR(st.st_mode):
                    pending.append(entry.path)
                elif stat.S_ISREG(st.st_mode):
                    size += st.st_size
                if entries > MAX_ENTRIES or size > MAX_BYTES:
                    raise ScenarioError(
                        "%s is too big to copy (more than %d entries or %d MB): put the scenario in a "
                        "folder of its own" % (folder, MAX_ENTRIES, MAX_BYTES // 1000 // 1000))


def scenario_file(path: str) -> str:
    """`path` with its symlinks resolved; ScenarioError unless it is a regular file (not a
    folder, a device such as /dev/stdin, a FIFO or a socket)."""
    try:
        mode = os.stat(path).st_mode   # follows the symlinks
    except OSError as e:
        raise ScenarioError("cannot read %s: %s" % (path, e.strerror)) from None
    if not stat.S_ISREG(mode):
        raise ScenarioError("%s is not a regular file: a scenario is a text file in a folder" % path)
    return os.path.realpath(path)


def play(path: str, engine=None, write: Callable[[str], None] | None = None) -> str:
    """Run the scenario file at `path` on `engine` (a fresh Engine by default); return the transcript.

    `write`, when given, receives each command's transcript entry as soon as it is ready.
    Raises ScenarioError for a line that is not a docker command or `sleep N` (`line N: ...`),
    for a `path` that is not a regular file (`scenario_file`) and for a folder too big to copy
    (`_check_folder`), all before any line runs.
    """
    from ..engine.engine import Engine

    path = scenario_file(path)
    folder = os.path.dirname(path)
    with open(path) as f:
        lines = checked(f.read())   # refuse a bad file, naming the line, before running any of it
    scratch = tempfile.mkdtemp(prefix="scenario-")
    try:
        # The scratch folder may lie inside the scenario's folder (a scenario in /tmp):
        # never copy it into itself.
        skip = os.path.realpath(scratch)
        _check_folder(folder, skip)
        engine = engine if engine is not None else Engine()
        work = os.path.join(scratch, os.path.basename(folder))
        shutil.copytree(folder, work, symlinks=True, ignore=lambda d, names: [
            n for n in names if os.path.realpath(os.path.join(d, n)) == skip
            or not _copyable(os.lstat(os.path.join(d, n)).st_mode)])
        entries = []
        for line in lines:
            entry = transcript_entry(line, *run_line(engine, line, work))
            entries.append(entry)
            if write is not None:
                write(entry)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return "".join(entries)
