"""Staying attached to a container (`docker run` without -d, `docker start -a`).

The CLI stays attached to one run of the container's main process and returns its exit
status when it ends, even if a restart policy starts the container again (moby
`State.SetRestarting` notifies the waiters of every exit; docker/cli `waitExitOrRemoved`).

On the virtual clock the wait is instant: time passes until that run ends and what it wrote
is printed (a process that never ends raises WouldBlockForever, for the caller's note). On a
real clock (the Linux executor) the CLI does what docker/cli's attach does: it prints what
the container writes as it writes it and forwards the signals it receives to it
(`--sig-proxy`, docker/cli `ForwardAllSignals`: Ctrl-C reaches the container as SIGINT). In
`python -m simulator docker` mode it waits without holding the state folder, so other
commands (a `docker stop` from another terminal) run meanwhile.
"""

from __future__ import annotations

import contextlib
import signal

from ...model.clock import RealClock

POLL = 0.1   # seconds between looks at a real container's output and state
# What docker/cli forwards besides SIGINT, among the signals a terminal or `kill` sends.
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def follow(ctx, c, run_index: int = 0, show=None, shown: int = 0, proxy: bool = True) -> int:
    """Stay attached to run `run_index` of container `c` (the one `run`/`start` began) until it
    ends; its exit status. `show(at, stream, text)` prints one piece of output (default: the
    text on stdout or stderr); `shown`: how many of the run's pieces were printed already;
    `proxy`: forward the signals the CLI receives to the container (`docker logs -f` does not:
    Ctrl-C ends it)."""
    engine = ctx.engine
    show = show or (lambda at, stream, text: (ctx.out if stream == "stdout" else ctx.err)(text))
    if not isinstance(engine.clock, RealClock):
        run = c.runs[run_index]
        code = engine.containers.wait_stopped(c) if run.ended is None else run.task.exit.code
        for at, stream, text in run.output_until(engine.clock.now())[shown:]:
            show(at, stream, text)
        return code
    attached = [c]   # the container as the engine now in hand knows it
    with _forwarding_signals(ctx, attached) if proxy else contextlib.nullcontext():
        return _follow_real(ctx, attached, run_index, show, [shown])


def _follow_real(ctx, attached: list, run_index: int, show, printed: list) -> int:
    c = attached[0]
    cid = c.id
    while True:
        run = c.runs[run_index]
        if run.ended is None and ctx.session is not None:
            code = _wait_unlocked(ctx, run, show, printed)
            ctx.engine = ctx.session.reacquire()
            c = attached[0] = ctx.engine.containers.find(cid)
            if c is None:            # removed meanwhile (`--rm`, or another command)
                return code
            run = c.runs[run_index]
        elif run.ended is None:
            ctx.engine.containers.run_until(ctx.engine.clock.now().timestamp() + POLL)
        _print_new(ctx, run, show, printed)
        if run.ended is not None:
            return run.task.exit.code


def _print_new(ctx, run, show, printed: list) -> None:
    """Show what `run` (a Run, or an exec's Task) wrote since the last call (`printed[0]`:
    the pieces already shown)."""
    now = ctx.engine.clock.now()
    lines = run.output_until(now) if hasattr(run, "output_until") else run.output(now)
    for at, stream, text in lines[printed[0]:]:
        show(at, stream, text)
    printed[0] = len(lines)


def follow_exec(ctx, cid: str, task) -> int:
    """`docker exec` on a real clock: print what the exec'd process writes as it writes it,
    until it ends; its exit status. As with docker/cli, signals are not forwarded: Ctrl-C ends
    the CLI and the process goes on. In docker mode the state is not held meanwhile."""
    show = (lambda at, stream, text: (ctx.out if stream == "stdout" else ctx.err)(text))
    printed = [0]
    if ctx.session is not None:
        ctx.session.release()
        while (code := ctx.engine.backend.watch(task, POLL)) is None:
            _print_new(ctx, task, show, printed)
        _print_new(ctx, task, show, printed)
        ctx.engine = ctx.session.reacquire()
        if ctx.engine.containers.find(cid) is not None:
            ctx.engine.backend.refresh(cid)      # what it did to the files, as events
        return code
    while (exit := ctx.engine.containers.run_until(ctx.engine.clock.now().timestamp() + POLL, watch=task)) is None:
        _print_new(ctx, task, show, printed)
    _print_new(ctx, task, show, printed)
    ctx.engine.backend.refresh(cid)
    return exit.code


def _wait_unlocked(ctx, run, show, printed: list) -> int:
    """Save the state, let other commands run, and follow `run`'s process from its log and
    exit file alone until it ends; its exit status."""
    ctx.session.release()
    while True:
        code = ctx.engine.backend.watch(run.task, POLL)
        _print_new(ctx, run, show, printed)
        if code is not None:
            return code


@contextlib.contextmanager
def _forwarding_signals(ctx, attached: list):
    """While attached, the signals the CLI receives go to the container's current main
    process instead of ending the CLI (where the CLI can take signals: the main thread). A
    scenario being played (no other terminal to stop the container from) forwards only the
    first Ctrl-C; the next one ends the scenario."""
    interrupts = [0]

    def forward(signum, frame):
        if ctx.session is None and signum == signal.SIGINT:
            interrupts[0] += 1
            if interrupts[0] > 1:
                raise KeyboardInterrupt
        c = attached[0]
        run = c.current if c is not None else None
        if run is None:
            return
        name = signal.Signals(signum).name[3:]
        if not ctx.engine.backend.signal(run.task, name) and not c.host.init:
            then = (f"docker stop {c.name} from another terminal ends it" if ctx.session is not None
                    else "Ctrl-C again ends the scenario")
            ctx.err(f"(simulator: SIG{name} sent to {c.name}'s PID 1, which has no handler for it, "
                    f"so it goes on, as on Docker; {then}.)\n")
    previous = {}
    try:
        for signum in FORWARDED if ctx.session is not None else (signal.SIGINT,):
            previous[signum] = signal.signal(signum, forward)
    except ValueError:          # not the main thread: the signals stay with whoever handles them
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
