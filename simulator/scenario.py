"""Scenario files: the format shared by `python -m simulator play` and the real-engine
recorder (tests/conformance/record.py), so that both read a file the same way and write
the same transcript format. See docs/scenarios.md.

Standard library only: the recorder runs without the simulator's dependencies.
"""

from __future__ import annotations

import shlex
from typing import Iterator

# The longest `sleep N` a scenario may ask for (ten years): the virtual clock must stay a
# valid date, and the recorder really sleeps (Python's time.sleep refuses negatives too).
MAX_SLEEP = 10 * 365 * 86400


class ScenarioError(Exception):
    """A scenario line that is neither a docker command nor `sleep N`."""


def numbered(text: str) -> Iterator[tuple[int, str]]:
    """The scenario's logical lines, each with the number (from 1) of the file line it starts on:
    comments and blanks dropped, continuations joined by one space."""
    pending, start = None, 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if pending is None and (not line.strip() or line.lstrip().startswith("#")):
            continue
        continued = line.endswith("\\")
        if continued:
            line = line[:-1].rstrip()
        piece = line.strip() if pending is not None else line.lstrip()
        if pending is None:
            pending, start = piece, number
        elif piece:
            pending += " " + piece
        if not continued:
            yield start, pending
            pending = None
    if pending is not None:
        yield start, pending


def parse(text: str) -> Iterator[str]:
    """The scenario's logical lines (`numbered` without the numbers)."""
    return (line for _, line in numbered(text))


def checked(text: str) -> list[str]:
    """The scenario's logical lines, each accepted by `split`; otherwise ScenarioError with
    `line N: ` (the file line the first bad one starts on) before `split`'s reason."""
    lines = []
    for number, line in numbered(text):
        try:
            split(line)
        except ScenarioError as e:
            raise ScenarioError("line %d: %s" % (number, e)) from None
        lines.append(line)
    return lines


def sleep_seconds(value: str, line: str | None = None) -> float:
    """The seconds of `sleep VALUE` (a decimal number from 0 to MAX_SLEEP); ScenarioError naming
    `line` (default: `sleep VALUE`) otherwise."""
    line = line if line is not None else "sleep " + value
    try:
        seconds = float(value)
    except ValueError:
        raise ScenarioError("sleep needs a number of seconds: %r" % line) from None
    if not 0 <= seconds <= MAX_SLEEP:   # also refuses nan
        raise ScenarioError("sleep needs a number of seconds from 0 to %d: %r" % (MAX_SLEEP, line))
    return seconds


def split(line: str) -> list[str]:
    """A logical line split like a shell would; ScenarioError unless it is `docker ...` or `sleep N`."""
    try:
        argv = shlex.split(line)
    except ValueError as e:
        raise ScenarioError("cannot split %r: %s" % (line, e)) from None
    if len(argv) == 2 and argv[0] == "sleep":
        sleep_seconds(argv[1], line)
    elif not argv or argv[0] != "docker":
        raise ScenarioError("only docker commands and `sleep N` are allowed: %r" % line)
    return argv


def transcript_entry(line: str, output: str, status: int) -> str:
    """One command's part of a transcript, in the recorder's format."""
    text = "$ " + line + "\n"
    if output:
        text += output if output.endswith("\n") else output + "\n"
    if status:
        text += "[exit %d]\n" % status
    return text
