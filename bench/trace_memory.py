"""How much memory a 1,000-step trace of a walkthrough-like workload takes.

    python3 bench/trace_memory.py

The workload is the seed walkthrough followed by containers that change files (copy-ups,
whiteouts), stop and go, until at least 1,000 events have been emitted. It runs twice, each
in a fresh interpreter (module caches start empty both times): once without a trace and
once recorded into a `Trace`. The figure is the difference in memory still allocated at the
end (tracemalloc), i.e. what the trace's snapshots add. The target is under 50 MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WALKTHROUGH = os.path.join(ROOT, "examples", "seed-walkthrough", "walkthrough.txt")
STEPS = 1000
LIMIT_MB = 50


def workload(engine, steps: int) -> None:
    from simulator.cli.play import play, run_line

    play(WALKTHROUGH, engine)
    cwd = tempfile.mkdtemp(prefix="trace-bench-")
    n = 0
    while len(engine.events.log) < steps:
        n += 1
        for line in (f"docker run --name c{n} busybox sh -c 'echo user{n}:x:1:1::/: >> /etc/passwd; "
                     f"rm /etc/shadow; mkdir -p /data; echo {n} > /data/n'",
                     f"docker start c{n}",
                     f"docker rm c{n}"):
            run_line(engine, line, cwd)


def measure(traced: bool) -> tuple[int, int, float]:
    """(bytes allocated at the end, events, seconds) for one run of the workload."""
    sys.path.insert(0, ROOT)
    from simulator.engine.engine import Engine
    from simulator.trace import Trace

    tracemalloc.start()
    engine = Engine()
    trace = Trace()
    start = time.perf_counter()
    if traced:
        with trace.record(engine):
            workload(engine, STEPS)
    else:
        workload(engine, STEPS)
    seconds = time.perf_counter() - start
    current, _ = tracemalloc.get_traced_memory()
    return current, len(engine.events.log), seconds


def main() -> int:
    if len(sys.argv) == 2:
        current, events, seconds = measure(sys.argv[1] == "traced")
        print(current, events, seconds)
        return 0
    runs = {}
    for mode in ("plain", "traced"):
        out = subprocess.run([sys.executable, __file__, mode], check=True, capture_output=True, text=True)
        current, events, seconds = out.stdout.split()
        runs[mode] = (int(current), int(events), float(seconds))
    extra = (runs["traced"][0] - runs["plain"][0]) / 1e6
    steps = runs["traced"][1]
    print(f"trace of {steps} steps: {extra:.1f} MB over the engine alone "
          f"({extra * 1000 / steps:.1f} kB per step; limit {LIMIT_MB} MB for 1,000 steps)")
    print(f"recording time: {runs['traced'][2]:.1f} s traced, {runs['plain'][2]:.1f} s plain")
    return 0 if extra * 1000 / steps < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
