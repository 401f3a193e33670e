"""`python -m simulator play --step FILE`: run a scenario, then step through its events in a terminal.

The scenario runs first on a fresh engine while a `Trace` records it; then each step is shown:

    --- step 5 of 24 ---
    $ docker build -t hi app
    | Sending build context to Docker daemon  2.048kB
    | ...
    build.cache_miss: RUN echo hi > /hi.txt: no cached image was built from ... so it runs
    <the step's diagrams as text: build steps, the layer stack, state, storage>
    [n]ext [p]revious [q]uit >

Keys are read a line at a time from `keys` (stdin): `n` or an empty line moves on, `p` back,
`q` (or the end of input) quits. Every scenario line is at least one step (its `cli.command`
event, `narrate.command_event`, then the events it makes the engine emit), and the line's output
belongs to it: it is shown, `| `-prefixed and as `text.plain` lines, at the line's first step
(again whenever that step is shown); its later steps say where instead:

    --- step 6 of 24 ---
    $ docker build -t hi app
    (output of this command shown at step 5)
    build.cache_miss: ...

The same scenario and keys always print the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TextIO

from ..engine.engine import Engine
from ..trace import Trace
from ..viz.steps import diagrams_for, explain
from ..viz.text import plain, text
from .play import play

PROMPT = "[n]ext [p]revious [q]uit > "
HELP = "keys: n (or Enter) next step, p previous step, q quit\n"


@dataclass(frozen=True)
class Command:
    """One scenario line's transcript `entry` and its steps, `first` (inclusive) to `end`."""

    entry: str
    first: int
    end: int


def record(path: str) -> tuple[Trace, list[Command]]:
    """Run the scenario at `path` on a fresh engine: its trace and each command's steps.
    Raises ScenarioError and OSError as `play` does."""
    trace, engine, commands = Trace(), Engine(), []

    def done(entry: str) -> None:
        start = commands[-1].end if commands else 0
        commands.append(Command(entry, start, len(trace)))

    with trace.record(engine):
        play(path, engine, write=done)
    return trace, commands


def show(trace: Trace, commands: list[Command], index: int) -> str:
    """The text for step `index`: header, the command that owns it and its output (or, after the
    command's first step, where that output is shown), the explanation, then the diagrams."""
    step = trace[index]
    mine = next(c for c in commands if c.first <= index < c.end)
    head, *output = plain(mine.entry).splitlines(True)
    if output and index > mine.first:
        output = [f"(output of this command shown at step {mine.first + 1})\n"]
    else:
        output = ["| " + line for line in output]
    out = [f"--- step {index + 1} of {len(trace)} ---\n", head, *output, f"{step.event.kind}: {explain(step)}\n"]
    for d in diagrams_for(trace, index):
        out.append("\n" + text(d))
    return "".join(out)


def step_through(path: str, keys: TextIO, write: Callable[[str], None]) -> int:
    """Record the scenario, then show steps as `keys` ask; 0 when done. Raises as `record`."""
    trace, commands = record(path)
    if not len(trace):
        write(plain("".join(c.entry for c in commands)) + "no events: nothing to step through\n")
        return 0
    index = 0
    write(show(trace, commands, index))
    while True:
        write(PROMPT)
        line = keys.readline()
        key = line.strip().lower()
        if not line or key == "q":
            write("\n")
            return 0
        if key in ("", "n"):
            if index == len(trace) - 1:
                write("\n(this is the last step)\n")
                continue
            index += 1
        elif key == "p":
            if index == 0:
                write("\n(this is the first step)\n")
                continue
            index -= 1
        else:
            write("\n" + HELP)
            continue
        write("\n" + show(trace, commands, index))   # keys are not echoed when piped: start a line
