"""How long moving one step takes on the seed walkthrough: `diagrams_for` plus rendering each
diagram to SVG, as a stepper does it; and what a 1,000-step trace costs in memory.

    python3 bench/step_render.py [--runs N]

For each step of the walkthrough's trace (all of them, N runs each, default 3) it times
`steps.diagrams_for(trace, i)` and `render.render(d)` for each diagram, and, in the same run,
Graphviz's `dot -Tsvg` on the same DOT texts started directly (the real tool: the floor any
SVG rendering through `dot` pays). It prints the median and p95 per step, the ratio of ours to
`dot` alone, and the ratios to the targets (< 50 ms per step). The memory figure comes from
bench/trace_memory.py (run in its own interpreters), with its ratio to the target (< 50 MB
for 1,000 steps). Exit status 1 when a target is missed.
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


def time_steps(runs: int) -> tuple[list[float], list[float], list[float], int]:
    """Per step, in ms: (diagrams + render, diagrams alone, `dot -Tsvg` alone); and the step count."""
    sys.path.insert(0, ROOT)
    from simulator.viz import html
    from simulator.viz.render import render
    from simulator.viz.steps import diagrams_for

    trace = html.record(WALKTHROUGH).trace
    dot = shutil.which("dot")
    ours, building, direct = [], [], []
    for _ in range(runs):
        for i in range(len(trace)):
            start = time.perf_counter()
            diagrams = diagrams_for(trace, i)
            built = time.perf_counter()
            for d in diagrams:
                render(d)
            ours.append((time.perf_counter() - start) * 1000)
            building.append((built - start) * 1000)
            start = time.perf_counter()
            for d in diagrams:
                subprocess.run([dot, "-Tsvg"], input=d.dot.encode(), capture_output=True, check=True)
            direct.append((time.perf_counter() - start) * 1000)
    return ours, building, direct, len(trace)


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
    ours, building, direct, steps = time_steps(args.runs)
    med, p95 = statistics.median(ours), percentile(ours, 95)
    dot_med, dot_p95 = statistics.median(direct), percentile(direct, 95)
    print(f"walkthrough: {steps} steps x {args.runs} runs")
    print(f"one step (diagrams_for + render to SVG): median {med:.1f} ms, p95 {p95:.1f} ms "
          f"(diagrams_for alone: median {statistics.median(building):.1f} ms, p95 {percentile(building, 95):.1f} ms)")
    print(f"dot -Tsvg on the same DOT, run directly: median {dot_med:.1f} ms, p95 {dot_p95:.1f} ms")
    print(f"ratio ours / dot -Tsvg: median {med / dot_med:.2f}x, p95 {p95 / dot_p95:.2f}x")
    print(f"ratio to the target ({STEP_MS} ms per step): median {med / STEP_MS:.2f}, p95 {p95 / STEP_MS:.2f}")
    kb_per_step, report = trace_memory()
    mb = kb_per_step   # kB per step x 1,000 steps = MB
    print(report)
    print(f"trace memory for 1,000 steps: {mb:.1f} MB; ratio to the target ({MEMORY_MB} MB): {mb / MEMORY_MB:.2f}")
    return 0 if p95 < STEP_MS and mb < MEMORY_MB else 1


if __name__ == "__main__":
    sys.exit(main())
