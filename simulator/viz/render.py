"""Rendering DOT to SVG with Graphviz's `dot`, and what to show when it is missing.

Kept apart from the diagrams: they are plain DOT text and networkx graphs; only this module
runs a program. Without `dot` nothing fails: the result is the DOT text after a one-line hint.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from .diagram import Diagram

HINT = "# Graphviz's `dot` was not found, so here is the diagram's DOT text (install graphviz to see it drawn)"


@dataclass(frozen=True)
class Rendering:
    """format: "svg" (text: the SVG document) or "dot" (text: HINT, a newline, then the DOT)."""

    format: str
    text: str


def has_dot() -> bool:
    return shutil.which("dot") is not None


def render(diagram: Diagram | str) -> Rendering:
    """SVG from `dot -Tsvg` when Graphviz is installed; otherwise (or if `dot` fails) the hint and
    the DOT text. Never raises for a missing or failing `dot`."""
    source = diagram.dot if isinstance(diagram, Diagram) else diagram
    path = shutil.which("dot")
    if path is not None:
        try:
            done = subprocess.run([path, "-Tsvg"], input=source.encode(), capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            done = None
        if done is not None and done.returncode == 0:
            return Rendering("svg", done.stdout.decode())
    return Rendering("dot", HINT + "\n" + source)
