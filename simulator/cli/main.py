"""`python -m simulator`: the command-line entry point.

    python -m simulator play FILE                  run a scenario, print its transcript
    python -m simulator play --html OUT.html FILE  ... and write a page that steps through it
    python -m simulator play --step FILE           ... then step through its events (n/p/q)
    python -m simulator docker [--state DIR] ARGS  run one docker command on a saved engine
    python -m simulator sleep [--state DIR] N      let N seconds of virtual time pass on it
    python -m simulator --help | --version

Each command also runs on the real Linux executor: `python -m simulator --backend linux
[--root DIR] play|docker ...` (root only), and `python -m simulator --backend linux system
reset` removes everything that executor holds.
"""

from __future__ import annotations

import os
import signal
import sys

from .. import __version__

USAGE = """\
usage: python -m simulator play [--html OUT.html] FILE
       python -m simulator play --step FILE
       python -m simulator docker [--state DIR] ARGS...
       python -m simulator sleep [--state DIR] N
       python -m simulator --backend linux [--root DIR] play|docker|system reset ...
       python -m simulator --help | --version

A deterministic in-memory model of Docker Engine 20.10 for learning what images and
containers are. Its docker command line prints what the real docker CLI prints.

  play FILE      run the scenario FILE (one docker command a line, `sleep N`, # comments)
                 in a scratch copy of its folder and print the transcript
    --html OUT   also write OUT, one self-contained HTML page that steps through the
                 scenario's events with their diagrams (SVG when Graphviz's dot is installed)
    --step       then step through the scenario's events in the terminal, each with its
                 explanation and diagrams as text: n (or Enter) next, p previous, q quit
  docker ARGS    run one docker command; the engine is kept in DIR between commands
                 (default: .simulator in the current folder; delete it to start afresh)
  sleep N        let N seconds of virtual time pass on the engine kept in DIR (the clock
                 stands still between docker commands): processes exit, restart policies fire
  --backend linux  run on the real Linux executor instead of the in-memory model: real
                 overlay mounts, namespaces, cgroups and processes (root only), state under
                 --root DIR (default /var/lib/simulator), time is the host's; `docker` keeps
                 its engine in DIR/engine. `system reset` kills and removes all of it.
  play --help, sleep --help and docker --help say more.
"""


def _write(stream):
    """A writer of text to `stream`, flushed each time; its `binary(data)` writes bytes
    (`docker cp CONTAINER:PATH -` writes a tar archive to stdout)."""
    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    def binary(data: bytes) -> None:
        stream.flush()
        stream.buffer.write(data)
        stream.buffer.flush()
    write.binary = binary
    return write


def _state_option(argv: list[str], anywhere: bool) -> tuple[str, list[str]]:
    """`--state DIR` / `--state=DIR` (first in `argv`, or `anywhere`): (the state folder, default
    `.simulator` in the working directory; the other arguments). Raises ValueError without DIR."""
    for i, arg in enumerate(argv if anywhere else argv[:1]):
        if arg == "--state":
            if i + 1 >= len(argv) or not argv[i + 1]:
                raise ValueError("--state needs a folder")
            return argv[i + 1], argv[:i] + argv[i + 2:]
        if arg.startswith("--state="):
            if arg == "--state=":
                raise ValueError("--state needs a folder")
            return arg[len("--state="):], argv[:i] + argv[i + 1:]
    from . import state
    return os.path.join(os.getcwd(), state.DEFAULT_DIR), argv


def _docker(argv: list[str], backend: dict | None = None) -> int:
    from . import state

    try:
        if backend is None:
            folder, argv = _state_option(argv, anywhere=False)
        else:
            folder = os.path.join(backend["root"], "engine")
        state.check(folder)
    except (ValueError, state.StateError) as e:
        sys.stderr.write("simulator: %s\n" % e)
        return 2
    from . import app, commands  # noqa: F401  (commands registers the docker commands)
    from ..backend.linux import ExecutorUnavailable

    fresh = None if backend is None else (lambda: _linux_engine(backend["root"]))
    notify = lambda pid: sys.stderr.write(  # noqa: E731
        "simulator: waiting for the command of process %s on %s to finish\n" % (pid, folder))
    try:
        with state.Session(folder, fresh, notify) as session:
            try:
                status = app.run(session.engine, argv, os.getcwd(), _write(sys.stdout), _write(sys.stderr),
                                 stdin=sys.stdin, session=session)
            except KeyboardInterrupt:   # Ctrl-C: the CLI ends (130), what the engine did is kept
                if not session.held:    # it was waiting unlocked: the saved state is the one to keep
                    return 130
                status = 130
            return _save(folder, session.engine) or status
    except (state.StateError, ExecutorUnavailable) as e:
        sys.stderr.write("simulator: %s\n" % e)
        return 2


def _save(folder: str, engine) -> int:
    """Save `engine` in `folder`: 0, or 2 after one line on stderr when it cannot be written."""
    from . import state

    try:
        state.save(folder, engine)
    except state.StateError as e:
        sys.stderr.write("simulator: %s\n" % e)
        return 2
    return 0


SLEEP_USAGE = """\
usage: python -m simulator sleep [--state DIR] N

Let N seconds (a decimal number from 0 to ten years) of virtual time pass on the engine saved in
DIR (default: .simulator in the current folder), as a scenario's `sleep N` line does: processes
that were due to end exit, restart policies fire, and `docker ps` shows the time gone by.

Options:
  --state DIR  the state folder that `python -m simulator docker --state DIR ...` uses
  -h, --help   print this help
"""


def _sleep(argv: list[str]) -> int:
    from . import state
    from .play import ScenarioError, sleep_seconds

    if "-h" in argv or "--help" in argv:
        sys.stdout.write(SLEEP_USAGE)
        return 0
    try:
        folder, argv = _state_option(argv, anywhere=True)
        if len(argv) != 1:
            raise ValueError("expected one number of seconds, got %d arguments" % len(argv))
        seconds = sleep_seconds(argv[0])
    except (ValueError, ScenarioError) as e:
        return _usage_error("sleep", str(e))
    try:
        state.check(folder)
        with state.Session(folder) as session:
            session.engine.sleep(seconds)
            return _save(folder, session.engine)
    except state.StateError as e:
        sys.stderr.write("simulator: %s\n" % e)
        return 2


PLAY_USAGE = """\
usage: python -m simulator play [--step | --html OUT.html] FILE

Run the scenario FILE (one docker command a line, `sleep N`, # comments; see
docs/scenarios.md) on a fresh engine, in a scratch copy of FILE's folder, and print the
transcript: each line as `$ docker ...`, what Docker prints, `[exit N]` when it fails.

Options:
  --html OUT.html  also write OUT.html, one self-contained page that steps through the
                   scenario's events with their diagrams (SVG when Graphviz's dot is
                   installed, the diagrams' DOT text otherwise)
  --step           then step through the scenario's events in the terminal, each with its
                   explanation and diagrams as text: n (or Enter) next, p previous, q quit
  -h, --help       print this help
"""


def _usage_error(command: str, message: str) -> int:
    sys.stderr.write("simulator %s: %s\nSee 'python -m simulator %s --help'.\n" % (command, message, command))
    return 2


def _play_options(argv: list[str]) -> tuple[bool, str | None, list[str]]:
    """`--step`, `--html OUT` / `--html=OUT` anywhere in `argv`: (step, OUT or None, the scenario
    arguments); a `--` ends the options. Raises ValueError with the reason for anything else."""
    step, html_out, files = False, None, []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            files += list(args)
        elif arg == "--step":
            step = True
        elif arg == "--html" or arg.startswith("--html="):
            value = arg[len("--html="):] if arg.startswith("--html=") else next(args, "")
            if not value:
                raise ValueError("--html needs the name of the page to write")
            html_out = value
        elif arg.startswith("-") and arg != "-":
            raise ValueError("unknown option %s" % arg)
        else:
            files.append(arg)
    if step and html_out is not None:
        raise ValueError("--step and --html cannot be used together")
    if html_out is not None and not files:   # `play --html s.txt`: the page's name forgotten
        raise ValueError("--html needs an output file followed by the scenario: expected --html OUT.html FILE")
    if len(files) != 1:
        raise ValueError("expected one scenario FILE, got %d" % len(files))
    return step, html_out, files


def _writable_page(out: str) -> str | None:
    """Why the page `out` cannot be written, or None: checked before the scenario runs."""
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        return "cannot write %s: the folder %s does not exist" % (out, folder)
    if os.path.isdir(out):
        return "cannot write %s: it is a folder" % out
    if not os.access(folder, os.W_OK | os.X_OK) or (os.path.exists(out) and not os.access(out, os.W_OK)):
        return "cannot write %s: permission denied" % out
    return None


def _play(argv: list[str], backend: dict | None = None) -> int:
    from .play import ScenarioError, play

    if any(a in ("-h", "--help") for a in argv[:argv.index("--") if "--" in argv else len(argv)]):
        sys.stdout.write(PLAY_USAGE)
        return 0
    try:
        step, html_out, (path,) = _play_options(argv)
    except ValueError as e:
        return _usage_error("play", str(e))
    if html_out is not None:
        problem = _writable_page(html_out)
        if problem:
            sys.stderr.write("simulator play: %s\n" % problem)
            return 2
    try:
        if step:
            from .step import step_through

            return step_through(path, sys.stdin, _write(sys.stdout))
        if backend is not None:
            if step or html_out is not None:
                return _usage_error("play", "--step and --html work on the in-memory backend only")
            import tempfile

            from ..backend.linux import ExecutorUnavailable
            try:
                with tempfile.TemporaryDirectory(prefix="play-", dir=_parent(backend["root"]),
                                                 ignore_cleanup_errors=True) as root:
                    engine = _linux_engine(root)
                    # `kill` of play ends it the way Ctrl-C does: its containers are removed
                    signal.signal(signal.SIGTERM, _interrupt)
                    try:
                        play(path, write=_write(sys.stdout), engine=engine)
                    finally:
                        engine.backend.reset()
            except ExecutorUnavailable as e:
                sys.stderr.write("simulator play: %s\n" % e)
                return 2
            except KeyboardInterrupt:   # Ctrl-C or kill: its containers are gone (reset above)
                return 130
        elif html_out is None:
            play(path, write=_write(sys.stdout))
        else:
            from ..viz import html

            page = html.record(path, write=_write(sys.stdout))
            done = html.write(page, html_out)
            sys.stderr.write("simulator play: wrote %s (%d steps, %d distinct diagrams, %.1f MB)\n"
                             % (html_out, done.steps, done.diagrams, len(done.html.encode()) / 1e6))
    except (ScenarioError, OSError) as e:
        sys.stderr.write("simulator play: %s\n" % e)
        return 2
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _parent(root: str) -> str:
    os.makedirs(root, exist_ok=True)
    return root


def _linux_engine(root: str):
    """A fresh engine on the Linux executor under `root` (its offline Docker Hub serves a
    busybox made of the host's static busybox)."""
    from ..backend.linux.backend import LinuxBackend
    from ..engine.engine import Engine

    return Engine(backend=LinuxBackend(root))


def _backend_options(argv: list[str]) -> tuple[dict | None, list[str]]:
    """Leading `--backend memory|linux` and `--root DIR`: (None for the in-memory backend or
    {"root": DIR} for the Linux one, the rest). ValueError for a bad value."""
    chosen, root = "memory", None
    while argv and argv[0] in ("--backend", "--root") or argv and argv[0].startswith(("--backend=", "--root=")):
        name, eq, value = argv[0].partition("=")
        if not eq:
            if len(argv) < 2:
                raise ValueError("%s needs a value" % name)
            value, argv = argv[1], argv[2:]
        else:
            argv = argv[1:]
        if name == "--backend":
            if value not in ("memory", "linux"):
                raise ValueError("unknown backend %r: memory or linux" % value)
            chosen = value
        else:
            root = value
    if chosen == "memory":
        if root is not None:
            raise ValueError("--root is for --backend linux")
        return None, argv
    from ..backend.linux import ExecutorUnavailable
    from ..backend.linux.backend import DEFAULT_ROOT
    from ..backend.linux.mount import require_root
    try:   # before any folder is made, so the first message says what is missing
        require_root()
    except ExecutorUnavailable as e:
        raise ValueError(str(e)) from None
    return {"root": os.path.abspath(root or DEFAULT_ROOT)}, argv


def _system(argv: list[str], backend: dict | None) -> int:
    """`system reset` on the Linux executor: kill, unmount and delete everything under its root."""
    from ..backend.linux import ExecutorUnavailable
    from ..backend.linux.backend import LinuxBackend

    if argv != ["reset"] or backend is None:
        return _usage_error("system", "expected `--backend linux [--root DIR] system reset`")
    root = backend["root"]
    try:
        # `play` keeps its engine in a root of its own inside this one: those go first
        for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
            if name.startswith("play-") and os.path.isdir(os.path.join(root, name, "snapshots")):
                LinuxBackend(os.path.join(root, name)).reset()
        LinuxBackend(root).reset()
    except ExecutorUnavailable as e:
        sys.stderr.write("simulator: %s\n" % e)
        return 2
    sys.stdout.write("removed everything under %s\n" % backend["root"])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        backend, argv = _backend_options(argv)
    except ValueError as e:
        sys.stderr.write("simulator: %s\n" % e)
        return 2
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    if argv[0] == "--version":
        sys.stdout.write("simulator %s (models Docker Engine 20.10)\n" % __version__)
        return 0
    if argv[0] == "play":
        return _play(argv[1:], backend)
    if argv[0] == "docker":
        return _docker(argv[1:], backend)
    if argv[0] == "system":
        return _system(argv[1:], backend)
    if argv[0] == "sleep":
        if backend is not None:
            return _usage_error("sleep", "the Linux executor runs on the host's clock: use the shell's sleep")
        return _sleep(argv[1:])
    sys.stderr.write("simulator: unknown command %r\n\n%s" % (argv[0], USAGE))
    return 2
