"""`Stepper`: a Jupyter widget that steps through a trace, both ways, with its diagrams.

    stepper = Stepper(trace)          # any Trace; Stepper() starts with an empty one
    stepper                           # displayed: the controls, the explanation, the diagrams
    with stepper.record(engine):      # or build a trace live in a notebook cell
        run_line(engine, "docker run --name c1 busybox true", ".")

One observed value, `slider.value` (the step index), drives everything: the play/pause control
(`ipywidgets.Play`, linked to the slider), the first/previous/next/last buttons, the step
counter, the explanation (the event's sentence) and the diagrams of `viz.steps.diagrams_for`,
drawn to SVG by `viz.render` (or shown as DOT text, with a hint, without Graphviz); the SVGs are
kept in `viz.render.CACHE`, shared with the HTML export.

Keyboard: every control is a focusable element: Tab moves between them, Enter or Space presses
the focused button (each button's tooltip names it and its place in the tab order), and the
arrow keys move the focused slider one step (Home/End go to the ends). The play control starts
and pauses with Enter/Space when focused.
"""

from __future__ import annotations

import html
from contextlib import contextmanager
from typing import Callable, Iterator

import ipywidgets as widgets

from ..trace import Trace
from . import render as render_module
from .diagram import Diagram
from .steps import diagrams_for, explain

# (button attribute, label, tooltip)
BUTTONS = (("first", "⏮ first", "First step"), ("previous", "◀ previous", "Previous step"),
           ("next", "next ▶", "Next step"), ("last", "last ⏭", "Last step"))
EMPTY = "No steps yet: run engine operations inside <code>with stepper.record(engine):</code>."


class Stepper:
    """Widgets over `trace` (a `simulator.trace.Trace`).

    Attributes: `slider` (IntSlider, the step index), `play` (Play, linked to the slider),
    `first`/`previous`/`next`/`last` (Buttons), `counter` and `explanation` (HTML),
    `view` (HTML: the rendered diagrams), `widget` (the VBox holding them all),
    `diagrams` (the current step's `Diagram`s). `renderer` turns a Diagram into a
    `viz.render.Rendering` (default `viz.render.render`).
    """

    def __init__(self, trace: Trace | None = None, renderer: Callable = render_module.render,
                 interval: int = 1000):
        self.trace = trace if trace is not None else Trace()
        self.renderer = renderer
        self.diagrams: list[Diagram] = []
        self.slider = widgets.IntSlider(value=0, min=0, max=0, description="step", continuous_update=False,
                                        readout=False, tooltip="Step (arrow keys move one step)")
        self.play = widgets.Play(value=0, min=0, max=0, interval=interval, show_repeat=False,
                                 tooltip="Play / pause")
        widgets.link((self.play, "value"), (self.slider, "value"))
        for name, label, tip in BUTTONS:
            button = widgets.Button(description=label, tooltip=tip, layout=widgets.Layout(width="auto"))
            button.on_click(getattr(self, "_" + name))
            setattr(self, name, button)
        self.counter = widgets.HTML()
        self.explanation = widgets.HTML()
        self.view = widgets.HTML()
        controls = widgets.HBox([self.play, self.first, self.previous, self.next, self.last, self.slider,
                                 self.counter])
        self.widget = widgets.VBox([controls, self.explanation, self.view])
        self.slider.observe(self._show, names="value")
        self.refresh()

    # -- the one index ------------------------------------------------------------------
    @property
    def index(self) -> int:
        """The step shown (0-based), -1 while the trace is empty."""
        return self.slider.value if len(self.trace) else -1

    def go(self, index: int) -> None:
        """Show step `index`, clamped to the trace (negative counts from the end)."""
        n = len(self.trace)
        if n:
            self.slider.value = min(max(index + n if index < 0 else index, 0), n - 1)

    def _first(self, _button=None) -> None:
        self.go(0)

    def _previous(self, _button=None) -> None:
        self.go(max(self.slider.value - 1, 0))

    def _next(self, _button=None) -> None:
        self.go(self.slider.value + 1)

    def _last(self, _button=None) -> None:
        self.go(len(self.trace) - 1)

    # -- showing ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Fit the controls to the trace's length and show the current step again."""
        n = len(self.trace)
        for control in (self.slider, self.play):
            control.max = max(n - 1, 0)
            control.disabled = n == 0
        for name, _, _ in BUTTONS:
            getattr(self, name).disabled = n == 0
        self._show()

    def _show(self, _change=None) -> None:
        i, n = self.index, len(self.trace)
        if i < 0:
            self.diagrams = []
            self.counter.value = "step 0 of 0"
            self.explanation.value = EMPTY
            self.view.value = ""
            return
        step = self.trace[i]
        self.diagrams = diagrams_for(self.trace, i)
        self.counter.value = f"step {i + 1} of {n}"
        self.explanation.value = (f"<b>{html.escape(step.event.kind)}</b>: {html.escape(explain(step))}")
        self.view.value = "".join(self._draw(d) for d in self.diagrams)
        self.previous.disabled = self.first.disabled = i == 0
        self.next.disabled = self.last.disabled = i == n - 1

    def _draw(self, diagram: Diagram) -> str:
        """The HTML of one diagram: its SVG, or its DOT text after the hint when Graphviz is missing.
        The default renderer keeps the SVGs it draws (`viz.render.CACHE`, shared with the HTML
        export), so a step seen before, or a diagram that stays the same, costs no `dot` run."""
        done = self.renderer(diagram)
        body = done.text if done.format == "svg" else f"<pre>{html.escape(done.text)}</pre>"
        kind = diagram.kind
        return f'<figure class="diagram {kind}"><figcaption>{kind}</figcaption>{body}</figure>'

    # -- live recording -----------------------------------------------------------------
    @contextmanager
    def record(self, engine) -> Iterator["Stepper"]:
        """Record what `engine` does inside the `with` block into the trace; afterwards the
        controls span the new steps and the first new step is shown."""
        start = len(self.trace)
        try:
            with self.trace.record(engine):
                yield self
        finally:
            self.refresh()
            if len(self.trace) > start:
                self.go(start)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
