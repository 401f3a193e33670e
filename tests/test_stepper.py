"""The Stepper widgets, driven from plain Python by setting their values and clicking buttons."""

import os
import time

import pytest

from simulator.cli.play import play, run_line
from simulator.engine.engine import Engine
from simulator.trace import Trace
from simulator.viz import render as render_module
from simulator.viz.stepper import EMPTY, Stepper
from simulator.viz.steps import diagrams
from viz_world import world

WALKTHROUGH = os.path.join(os.path.dirname(__file__), "..", "examples", "seed-walkthrough", "walkthrough.txt")


def as_dot(diagram):
    """A renderer that never runs Graphviz: the tests read DOT text."""
    return render_module.Rendering("dot", diagram.dot)


def dots(stepper):
    return [d.dot for d in stepper.diagrams]


@pytest.fixture()
def stepper():
    trace = Trace()
    world(trace)
    return Stepper(trace, renderer=as_dot)


def test_starts_at_the_first_step(stepper):
    assert (stepper.index, stepper.counter.value) == (0, "step 1 of 10")
    assert stepper.explanation.value.startswith("<b>layer.created</b>: layer ")
    assert [d.kind for d in stepper.diagrams] == ["sharing", "storage"]
    assert stepper.first.disabled and stepper.previous.disabled and not stepper.next.disabled


def test_buttons_slider_and_play_move_together(stepper):
    stepper.next.click()
    stepper.next.click()
    assert (stepper.slider.value, stepper.play.value, stepper.counter.value) == (2, 2, "step 3 of 10")
    stepper.previous.click()
    assert stepper.index == 1
    stepper.last.click()
    assert stepper.index == 9 and stepper.next.disabled and stepper.last.disabled
    assert "<b>fs.whiteout</b>: whiteout: /etc/shadow deleted in container c1" in stepper.explanation.value
    assert [d.kind for d in stepper.diagrams] == ["union", "container-stack", "storage"]
    stepper.next.click()                                  # stays at the end
    assert stepper.index == 9
    stepper.slider.value = 8
    assert stepper.play.value == 8 and "copy-up: /etc/passwd" in stepper.explanation.value
    assert "copied up from layer 1" in stepper.view.value  # the DOT text shown in place of the SVG
    stepper.play.value = 7                                # what the play control does as it ticks
    assert stepper.slider.value == 7 and "c1: the writable layer is prepared" in stepper.explanation.value
    stepper.first.click()
    assert stepper.index == 0 and stepper.counter.value == "step 1 of 10"


def test_view_shows_each_diagram_with_the_hint_without_dot(stepper, monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    s = Stepper(stepper.trace)                            # the default renderer, without Graphviz
    s.go(8)
    assert s.view.value.count("<figure") == 3 and s.view.value.count("Graphviz&#x27;s `dot` was not found") == 3


@pytest.mark.skipif(not render_module.has_dot(), reason="Graphviz's dot is not installed")
def test_view_is_svg_with_dot(stepper):
    s = Stepper(stepper.trace)
    assert s.view.value.count("<svg") == 2


def test_record_live():
    engine = Engine()
    s = Stepper(renderer=as_dot)
    assert (s.index, s.counter.value, s.explanation.value, s.slider.disabled) == (-1, "step 0 of 0", EMPTY, True)
    s.next.click()
    assert s.index == -1
    with s.record(engine):
        run_line(engine, "docker create --name c1 busybox", ".")
    n = len(s.trace)
    assert n > 0 and (s.slider.max, s.play.max, s.index, s.slider.disabled) == (n - 1, n - 1, 0, False)
    with s.record(engine):
        run_line(engine, "docker rm c1", ".")
    # the stepper shows the first new step, the command's own; then c1 leaves `created` for `removing`
    assert s.index == n and s.slider.max == len(s.trace) - 1
    assert s.explanation.value == (
        "<b>cli.command</b>: `docker rm` removes containers, and with them their writable layers")
    assert [d.kind for d in s.diagrams] == ["storage"]
    s.next.click()
    assert s.trace[n + 1].event.data["transition"] == "remove" and "container c1" in s.explanation.value
    assert [d.kind for d in s.diagrams] == ["container-lifecycle", "container-stack", "storage"]


def test_walkthrough_both_ways_matches_a_fresh_engine():
    began = time.monotonic()
    trace = Trace()
    engine = Engine()
    with trace.record(engine):
        play(WALKTHROUGH, engine)
    # a fresh engine replays the walkthrough; at each event its diagrams are drawn from the live
    # engine itself (nothing is snapshotted), with the events so far
    fresh, seen = Engine(), []

    def on_event(event):
        seen.append(event)
        expected.append([d.dot for d in diagrams(fresh, seen)])
    expected = []
    unsubscribe = fresh.events.subscribe(on_event)
    play(WALKTHROUGH, fresh)
    unsubscribe()
    assert len(expected) == len(trace) > 100

    s = Stepper(trace, renderer=as_dot)
    visited = [s.index]
    assert dots(s) == expected[0]
    while s.index < len(trace) - 1:
        s.next.click()
        visited.append(s.index)
        assert dots(s) == expected[s.index], s.index
    while s.index > 0:
        s.previous.click()
        visited.append(s.index)
        assert dots(s) == expected[s.index], s.index
    n = len(trace)
    assert visited == list(range(n)) + list(range(n - 2, -1, -1))
    assert time.monotonic() - began < 60
