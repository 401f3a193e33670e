"""Staying attached to a container (`docker run` without -d, `docker start -a`).

On the virtual clock the wait is instant: time passes until the container stops for good and
what it wrote is printed (a process that never ends raises WouldBlockForever, for the
caller's note). On a real clock (the Linux executor) the CLI does what docker/cli's attach
does: it prints what the container writes as it writes it, forwards Ctrl-C to it as SIGINT
(`--sig-proxy`, docker/cli `ForwardAllSignals`), and returns its exit status once it stops
for good. In `python -m simulator docker` mode it waits without holding the state folder,
so other commands (a `docker stop` from another terminal) run meanwhile.
"""

from __future__ import annotations

import contextlib
import signal

from ...model.clock import RealClock
from .container_view import print_output

POLL = 0.1   # seconds between looks at a real container's output and state


def follow(ctx, c, runs_from: int = 0) -> int:
    """Stay attached to container `c` from its run `runs_from` on until it stops for good; its
    exit status (or that of its last run, if another command removed it meanwhile)."""
    engine = ctx.engine
    if not isinstance(engine.clock, RealClock):
        code = engine.containers.wait_stopped(c)
        print_output(ctx, c.runs[runs_from:], engine.clock.now())
        return code
    attached = [c]   # the container as the engine now in hand knows it
    with _forwarding_ctrl_c(ctx, attached):
        return _follow_real(ctx, attached, runs_from)


def _follow_real(ctx, attached: list, runs_from: int) -> int:
    printed: dict[int, int] = {}
    c = attached[0]
    cid, code = c.id, 0
    while True:
        if ctx.session is not None and c.running and c.current is not None:
            code = _wait_unlocked(ctx, c, printed)
            ctx.engine = ctx.session.reacquire()
            c = attached[0] = ctx.engine.containers.find(cid)
            if c is None:            # removed meanwhile (`--rm`, or another command)
                return code
        else:
            _wait_here(ctx, c, printed)
        _print_new(ctx, c.runs, runs_from, printed)
        if not c.running:
            return c.exit_code


def _print_new(ctx, runs, runs_from: int, printed: dict[int, int]) -> None:
    """Print what the runs wrote since the last call (`printed`: lines already shown per run)."""
    now = ctx.engine.clock.now()
    for n, run in enumerate(runs[runs_from:], start=runs_from):
        lines = run.output_until(now)
        for _, stream, text in lines[printed.get(n, 0):]:
            (ctx.out if stream == "stdout" else ctx.err)(text)
        printed[n] = len(lines)


@contextlib.contextmanager
def _forwarding_ctrl_c(ctx, attached: list):
    """While attached, Ctrl-C (SIGINT) goes to the container's current main process instead
    of ending the CLI (where the CLI can take signals: the main thread)."""
    def forward(signum, frame):
        c = attached[0]
        run = c.current if c is not None else None
        if run is None:
            return
        handled = ctx.engine.backend.signal(run.task, "INT")
        if not handled:
            ctx.err(f"(simulator: SIGINT sent to {c.name}'s PID 1, which has no handler for it, so it "
                    f"goes on, as on Docker; docker stop {c.name} from another terminal ends it.)\n")
    try:
        previous = signal.signal(signal.SIGINT, forward)
    except ValueError:          # not the main thread: Ctrl-C stays with whoever handles it
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _wait_here(ctx, c, printed: dict[int, int]) -> None:
    """One look, holding the engine: let time pass a little (exits, restarts happen)."""
    engine = ctx.engine
    engine.containers.run_until(engine.clock.now().timestamp() + POLL)


def _wait_unlocked(ctx, c, printed: dict[int, int]) -> int:
    """Save the state, let other commands run, and follow the current run's process from its
    log and exit file alone until it ends; its exit status."""
    run_index = len(c.runs) - 1
    task = c.current.task
    backend = ctx.engine.backend
    ctx.session.release()
    while True:
        code = backend.watch(task, POLL)
        _print_new(ctx, c.runs, run_index, printed)
        if code is not None:
            return code
