"""How long moving one step takes on the seed walkthrough: `diagrams_for` plus rendering each
diagram to SVG, as a stepper does it; and what a 1,000-step trace costs in memory.

    python3 bench/step_render.py [--runs N]

`render.render` keeps the SVGs it draws (`render.CACHE`), so a step costs very different times
depending on what was drawn before. Each run (N runs, default 3) times every step of the
walkthrough's trace three ways, all in the same run:

- uncached: the cache emptied before the step: every diagram drawn by `dot` (the cost of a
  step with no help from the cache: a jump to a step whose diagrams were never drawn);
- first visit (cold): walking forward once from an empty cache, as a learner pressing "next"
  does: a diagram that stays the same from one step to the next is drawn once;
- revisit (warm): walking the same steps again (going back, a second pass): all from the cache;

and, for the same DOT texts, Graphviz's `dot -Tsvg` started directly (the real tool: the floor
any SVG rendering through `dot` pays without a cache). It prints median and p95 per step for
each, their ratios to `dot` alone and to the target (< 50 ms per step); the target is judged on
the first visit's p95. The memory figure comes from bench/trace_memory.py (run in its own
interpreters), with its ratio to the target (< 50 MB for 1,000 steps). Exit status 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WALKTHROUGH = os.path.join(ROOT, "examples", "seed-walkthrough", "walkthrough.txt")
STEP_MS = 50
MEMORY_MB = 50


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_steps(runs: int) -> tuple[dict[str, list[float]], int]:
    """Per step, in ms, by way of timing ("uncached", "cold", "warm", "diagrams" (diagrams_for
    alone), "dot" (`dot -Tsvg` alone)); and the step count."""
    sys.path.insert(0, ROOT)
    from simulator.viz import html
    from simulator.viz.render import CACHE, render
    from simulator.viz.steps import diagrams_for

    trace = html.record(WALKTHROUGH).trace
    dot = shutil.which("dot")
    times: dict[str, list[float]] = {k: [] for k in ("uncached", "cold", "warm", "diagrams", "dot")}

    def step(i: int) -> tuple[float, float, list]:
        start = time.perf_counter()
        diagrams = diagrams_for(trace, i)
        built = time.perf_counter()
        for d in diagrams:
            render(d)
        return (time.perf_counter() - start) * 1000, (built - start) * 1000, diagrams

    for _ in range(runs):
        for i in range(len(trace)):
            CACHE.clear()
            total, building, diagrams = step(i)
            times["uncached"].append(total)
            times["diagrams"].append(building)
            start = time.perf_counter()
            for d in diagrams:
                subprocess.run([dot, "-Tsvg"], input=d.dot.encode(), capture_output=True, check=True)
            times["dot"].append((time.perf_counter() - start) * 1000)
        CACHE.clear()
        for way in ("cold", "warm"):
            for i in range(len(trace)):
                times[way].append(step(i)[0])
    CACHE.clear()
    return times, len(trace)


def trace_memory() -> tuple[float, str]:
    """(MB for 1,000 steps, bench/trace_memory.py's report)."""
    done = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "trace_memory.py")],
                          capture_output=True, text=True)
    found = re.search(r"\(([\d.]+) kB per step", done.stdout)
    if not found:
        raise SystemExit("bench/trace_memory.py printed no figure:\n" + done.stdout + done.stderr)
    return float(found.group(1)), done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="passes over every step (default 3)")
    args = parser.parse_args()
    if shutil.which("dot") is None:
        raise SystemExit("Graphviz's dot is needed (apt-get install graphviz)")
    times, steps = time_steps(args.runs)
    dot_med, dot_p95 = statistics.median(times["dot"]), percentile(times["dot"], 95)
    print(f"walkthrough: {steps} steps x {args.runs} runs")
    print(f"diagrams_for alone: median {statistics.median(times['diagrams']):.1f} ms, "
          f"p95 {percentile(times['diagrams'], 95):.1f} ms")
    print(f"dot -Tsvg on the same DOT, run directly: median {dot_med:.1f} ms, p95 {dot_p95:.1f} ms")
    for way, what in (("uncached", "uncached (cache emptied before each step)"),
                      ("cold", "first visit (cold: forward from an empty cache)"),
                      ("warm", "revisit (warm: every SVG cached)")):
        med, p95 = statistics.median(times[way]), percentile(times[way], 95)
        print(f"one step, {what}: median {med:.1f} ms, p95 {p95:.1f} ms; "
              f"ratio to dot -Tsvg: median {med / dot_med:.2f}x, p95 {p95 / dot_p95:.2f}x; "
              f"ratio to the target ({STEP_MS} ms): median {med / STEP_MS:.2f}, p95 {p95 / STEP_MS:.2f}")
    kb_per_step, report = trace_memory()
    mb = kb_per_step   # kB per step x 1,000 steps = MB
    print(report)
    print(f"trace memory for 1,000 steps: {mb:.1f} MB; ratio to the target ({MEMORY_MB} MB): {mb / MEMORY_MB:.2f}")
    return 0 if percentile(times["cold"], 95) < STEP_MS and mb < MEMORY_MB else 1


if __name__ == "__main__":
    sys.exit(main())
