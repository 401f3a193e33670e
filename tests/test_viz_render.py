"""`viz.render`'s SVG cache: identical DOT drawn once, bounded least-recently-used, failures and
a missing `dot` never kept, shared by the Stepper and the HTML export."""

from __future__ import annotations

import subprocess

import pytest

from simulator.viz import render as render_module
from simulator.viz.diagram import Diagram
from simulator.viz.render import HINT, SvgCache, render


class FakeDot:
    """Stands for `subprocess.run` of `dot -Tsvg`: counts runs, answers <svg>DOT</svg>."""

    def __init__(self, status: int = 0):
        self.runs: list[str] = []
        self.status = status

    def __call__(self, argv, input, capture_output, timeout):
        assert argv == ["/fake/dot", "-Tsvg"]
        self.runs.append(input.decode())
        return subprocess.CompletedProcess(argv, self.status, b"<svg>" + input + b"</svg>", b"")


@pytest.fixture
def fake(monkeypatch):
    dot = FakeDot()
    monkeypatch.setattr(render_module.shutil, "which", lambda name: "/fake/dot")
    monkeypatch.setattr(render_module.subprocess, "run", dot)
    monkeypatch.setattr(render_module, "CACHE", SvgCache(2))
    return dot


def test_identical_dot_is_drawn_once(fake):
    a = render("digraph a {}")
    again = render(Diagram("storage", "digraph a {}"))    # a Diagram with the same text: same entry
    assert a == again == render_module.Rendering("svg", "<svg>digraph a {}</svg>")
    assert fake.runs == ["digraph a {}"]
    render("digraph b {}")
    assert fake.runs == ["digraph a {}", "digraph b {}"]
    assert (render_module.CACHE.hits, render_module.CACHE.misses) == (1, 2)


def test_least_recently_used_goes_first(fake):
    for text in ("A", "B", "A", "C"):   # A used again after B: B is the oldest when C comes (size 2)
        render(text)
    assert fake.runs == ["A", "B", "C"]
    render("A")                           # still kept
    assert fake.runs == ["A", "B", "C"]
    render("B")                           # was dropped: drawn again, which drops C (A is newer)
    render("C")
    assert fake.runs == ["A", "B", "C", "B", "C"] and len(render_module.CACHE) == 2


def test_failures_and_a_missing_dot_are_not_kept(fake, monkeypatch):
    fake.status = 1
    assert render("X").format == "dot" and render("X").format == "dot"
    assert fake.runs == ["X", "X"] and len(render_module.CACHE) == 0
    fake.status = 0
    assert render("X").format == "svg"
    # the key holds dot's path: without dot the hint comes back, though the SVG is cached
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    assert render("X") == render_module.Rendering("dot", HINT + "\nX")


@pytest.mark.skipif(not render_module.has_dot(), reason="Graphviz's dot is not installed")
def test_the_stepper_reuses_what_the_page_drew(tmp_path, monkeypatch):
    from simulator.viz import html
    from simulator.viz.stepper import Stepper

    monkeypatch.setattr(render_module, "CACHE", SvgCache(512))
    (tmp_path / "s.txt").write_text("docker create --name c1 busybox\ndocker rm c1\n")
    page = html.record(str(tmp_path / "s.txt"))
    html.export(page)
    drawn = len(render_module.CACHE)
    assert drawn == render_module.CACHE.misses > 0

    def no_dot(*args, **kwargs):
        raise AssertionError("dot ran again")
    monkeypatch.setattr(render_module.subprocess, "run", no_dot)
    s = Stepper(page.trace)
    for i in range(len(page.trace)):
        s.go(i)
        assert s.view.value.count("<svg") == len(s.diagrams) > 0
    assert len(render_module.CACHE) == drawn
