"""Rendering DOT to SVG with Graphviz's `dot`, and what to show when it is missing.

Kept apart from the diagrams: they are plain DOT text and networkx graphs; only this module
runs a program. Without `dot` nothing fails: the result is the DOT text after a one-line hint.

Running `dot` costs a process start (tens of ms), and stepping back and forth through a trace
draws the same DOT again and again (storage over many steps, a lifecycle, a revisited step), so
the SVGs are kept in `CACHE`, a bounded least-recently-used map keyed by (the `dot` program's
path, the DOT text). Everything that renders through `render` shares it: the Stepper and the
HTML export. Only SVGs are kept: a failure or a missing `dot` is tried again next time.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass

from .diagram import Diagram

HINT = "# Graphviz's `dot` was not found, so here is the diagram's DOT text (install graphviz to see it drawn)"


@dataclass(frozen=True)
class Rendering:
    """format: "svg" (text: the SVG document) or "dot" (text: HINT, a newline, then the DOT)."""

    format: str
    text: str


class SvgCache:
    """At most `maxsize` SVGs by key, the least recently used dropped first; safe to share
    between threads (the HTML export renders in a pool). `hits` and `misses` count lookups."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.hits = self.misses = 0
        self._items: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> str | None:
        with self._lock:
            svg = self._items.get(key)
            if svg is None:
                self.misses += 1
            else:
                self.hits += 1
                self._items.move_to_end(key)
            return svg

    def put(self, key: tuple[str, str], svg: str) -> None:
        with self._lock:
            self._items[key] = svg
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


# 512 SVGs hold every distinct diagram of the seed walkthrough (198 of them, 1.7 MB together).
CACHE = SvgCache(512)


def has_dot() -> bool:
    return shutil.which("dot") is not None


def render(diagram: Diagram | str) -> Rendering:
    """SVG from `dot -Tsvg` when Graphviz is installed (from `CACHE` when this DOT text was
    drawn before); otherwise (or if `dot` fails) the hint and the DOT text. Never raises for a
    missing or failing `dot`."""
    source = diagram.dot if isinstance(diagram, Diagram) else diagram
    path = shutil.which("dot")
    if path is not None:
        svg = CACHE.get((path, source))
        if svg is not None:
            return Rendering("svg", svg)
        try:
            done = subprocess.run([path, "-Tsvg"], input=source.encode(), capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            done = None
        if done is not None and done.returncode == 0:
            svg = done.stdout.decode()
            CACHE.put((path, source), svg)
            return Rendering("svg", svg)
    return Rendering("dot", HINT + "\n" + source)
