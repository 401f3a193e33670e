"""One self-contained HTML page that steps through a scenario with the same diagrams as the Stepper.

    page = record("examples/seed-walkthrough/walkthrough.txt")   # plays it on a fresh engine
    done = export(page)                                           # done.html: the document

The page needs no server and no network: the CSS and JavaScript (`page.css`, `page.js` beside
this module) are inlined, and each diagram is rendered once by Graphviz's `dot` to SVG and kept
in a `<template id="svg-N">`; the steps only refer to those numbers, so a diagram that stays the
same over many steps is stored once. Without `dot` a template holds `render.HINT` and the DOT
text in a `<pre>` instead.

The steps are the trace's events (`simulator.trace`), each shown with the command that emitted it,
that command's output (`text.plain`: no colour codes or carriage returns), the event's explanation
(`steps.explain`; its `code` spans set as <code>, the rest as text) and its diagrams
(`steps.diagrams_for`). Every scenario line starts with its own `cli.command` event
(`simulator.cli.narrate`), so each command, even one that only reads (`docker images`), owns at
least one step and its output is shown from that first step on.

Deterministic: the same scenario gives byte-identical HTML (no timestamps; SVGs numbered in the
order the steps first show them; ids inside each SVG prefixed with its number so they stay
unique in the document).
"""

from __future__ import annotations

import html
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable
from importlib import resources

from ..trace import Trace
from .render import render
from .steps import diagrams_for, explain
from .text import plain

# Captions for the diagram kinds of `Diagram.kind`.
TITLES = {
    "image-stack": "Image layers", "container-stack": "Container layers", "sharing": "Layer sharing",
    "union": "Union view", "container-lifecycle": "Container lifecycle", "image-lifecycle": "Image lifecycle",
    "build": "Build", "transfer": "Registry transfer", "storage": "Storage (docker system df)",
}


@dataclass(frozen=True)
class Command:
    """One scenario line as run: its text, output (stdout and stderr in order), exit status, and
    the steps it emitted, `trace[start:stop]` (its `cli.command` step first)."""

    line: str
    output: str
    status: int
    start: int
    stop: int


@dataclass(frozen=True)
class Walkthrough:
    """A played scenario: `title` (the file's name), its `trace` and its `commands` in order."""

    title: str
    trace: Trace
    commands: list[Command]


def record(path: str, engine=None, write: Callable[[str], None] | None = None) -> Walkthrough:
    """Play the scenario file at `path` (`simulator.cli.play.play`) on `engine` (a fresh Engine
    by default) while recording a Trace; `write` receives each transcript entry as play gives it.
    Raises play's ScenarioError and OSError."""
    from ..cli.play import play
    from ..engine.engine import Engine

    engine = engine if engine is not None else Engine()
    trace = Trace()
    commands: list[Command] = []

    def on_entry(entry: str) -> None:
        # An entry is "$ <line>\n<output>[exit N]\n" (play.transcript_entry).
        head, _, rest = entry.partition("\n")
        status = 0
        found = re.search(r"\[exit (\d+)\]\n\Z", rest)
        if found:
            status, rest = int(found.group(1)), rest[: found.start()]
        start = commands[-1].stop if commands else 0
        commands.append(Command(head[2:], rest, status, start, len(trace)))
        if write is not None:
            write(entry)

    with trace.record(engine):
        play(path, engine, write=on_entry)
    return Walkthrough(os.path.basename(path), trace, commands)


def _svg(text: str, number: int) -> str:
    """`dot -Tsvg` output made fit to inline: no XML prolog, doctype or comments, ids prefixed."""
    text = text[text.index("<svg"):]
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    return text.replace(' id="', f' id="s{number}-').strip()


def _figure(dot: str, number: int) -> str:
    rendering = render(dot)
    if rendering.format == "svg":
        return _svg(rendering.text, number)
    return '<pre class="dot">' + html.escape(rendering.text) + "</pre>"


def _json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


@dataclass(frozen=True)
class Export:
    """html: the document; steps: how many steps it shows; diagrams: distinct diagrams stored."""

    html: str
    steps: int
    diagrams: int


def export(page: Walkthrough, jobs: int = 2) -> Export:
    """The HTML page for `page`. Renders every distinct diagram once (`jobs` `dot` processes
    at a time); never fails for a missing `dot` (see `render.render`)."""
    numbers: dict[str, int] = {}            # DOT text -> SVG number, in order of first use
    steps = []
    owner = [i for i, c in enumerate(page.commands) for _ in range(c.start, c.stop)]
    for index, step in enumerate(page.trace):
        shown = []
        for diagram in diagrams_for(page.trace, index):
            number = numbers.setdefault(diagram.dot, len(numbers))
            shown.append([TITLES.get(diagram.kind, diagram.kind), number])
        steps.append({"c": owner[index], "k": step.event.kind, "e": explain(step), "d": shown})
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        figures = list(pool.map(_figure, numbers, range(len(numbers))))
    data = {"title": page.title, "steps": steps,
            "commands": [{"line": c.line, "output": plain(c.output), "status": c.status, "start": c.start,
                          "stop": c.stop} for c in page.commands]}
    templates = "\n".join(f'<template id="svg-{n}">{f}</template>' for n, f in enumerate(figures))
    asset = resources.files(__package__)
    text = _PAGE.format(title=html.escape(page.title), css=asset.joinpath("page.css").read_text(),
                        js=asset.joinpath("page.js").read_text(), data=_json(data), templates=templates,
                        count=len(steps))
    return Export(text, len(steps), len(figures))


def write(page: Walkthrough, out: str) -> Export:
    """Export `page` and write it to the file `out` (UTF-8)."""
    done = export(page)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(done.html)
    return done


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: step by step</title>
<style>
{css}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <nav aria-label="steps">
    <button id="first" type="button" title="First step (Home)">&#xAB; First</button>
    <button id="previous" type="button" title="Previous step (&#x2190;)">&#x25C0; Previous</button>
    <span id="counter" aria-live="polite">Step 1 / {count}</span>
    <button id="next" type="button" title="Next step (&#x2192;)">Next &#x25B6;</button>
    <button id="last" type="button" title="Last step (End)">Last &#xBB;</button>
    <input id="slider" type="range" min="1" max="{count}" value="1" aria-label="step">
  </nav>
</header>
<main>
  <aside>
    <h2>Commands</h2>
    <ol id="commands"></ol>
  </aside>
  <section id="step">
    <div id="command-box">
      <pre id="command"></pre>
      <details id="output-box" open><summary>Output</summary><pre id="output"></pre></details>
    </div>
    <p id="explanation"></p>
    <p id="kind"></p>
    <div id="diagrams"></div>
  </section>
</main>
<script type="application/json" id="steps-data">{data}</script>
{templates}
<script>
{js}</script>
</body>
</html>
"""
