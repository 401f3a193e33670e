"""`python -m simulator`: the command-line entry point.

    python -m simulator play FILE                  run a scenario, print its transcript
    python -m simulator play --html OUT.html FILE  ... and write a page that steps through it
    python -m simulator play --step FILE           ... then step through its events (n/p/q)
    python -m simulator docker [--state DIR] ARGS  run one docker command on a saved engine
    python -m simulator --help | --version
"""

from __future__ import annotations

import os
import sys

from .. import __version__

USAGE = """\
usage: python -m simulator play [--html OUT.html] FILE
       python -m simulator play --step FILE
       python -m simulator docker [--state DIR] ARGS...
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
"""


def _write(stream):
    def write(text: str) -> None:
        stream.write(text)
        stream.flush()
    return write


def _docker(argv: list[str]) -> int:
    from . import app, commands, state  # noqa: F401  (commands registers the docker commands)

    folder = os.path.join(os.getcwd(), state.DEFAULT_DIR)
    if argv[:1] == ["--state"]:
        if len(argv) < 2:
            sys.stderr.write("simulator: --state needs a folder\n")
            return 2
        folder, argv = argv[1], argv[2:]
    elif argv and argv[0].startswith("--state="):
        folder, argv = argv[0][len("--state="):], argv[1:]
    try:
        engine = state.load(folder)
    except state.StateError as e:
        sys.stderr.write("simulator: %s\n" % e)
        return 2
    status = app.run(engine, argv, os.getcwd(), _write(sys.stdout), _write(sys.stderr), stdin=sys.stdin)
    state.save(folder, engine)
    return status


def _html_option(argv: list[str]) -> tuple[str | None, list[str]]:
    """`--html OUT` or `--html=OUT` anywhere in `argv`: (OUT or None, the other arguments); OUT is
    "" when the option has no value."""
    for i, arg in enumerate(argv):
        if arg.startswith("--html="):
            return arg[len("--html="):], argv[:i] + argv[i + 1:]
        if arg == "--html":
            return (argv[i + 1] if i + 1 < len(argv) else ""), argv[:i] + argv[i + 2:]
    return None, argv


def _play(argv: list[str]) -> int:
    from .play import ScenarioError, play

    html_out, argv = _html_option(argv)
    if "--step" in argv and html_out is None:
        from .step import step_through

        argv = [a for a in argv if a != "--step"]
        if len(argv) != 1:
            sys.stderr.write(USAGE)
            return 2
        try:
            return step_through(argv[0], sys.stdin, _write(sys.stdout))
        except (ScenarioError, OSError) as e:
            sys.stderr.write("simulator play: %s\n" % e)
            return 2
    if len(argv) != 1 or html_out == "":
        sys.stderr.write(USAGE)
        return 2
    try:
        if html_out is None:
            play(argv[0], write=_write(sys.stdout))
        else:
            from ..viz import html

            page = html.record(argv[0], write=_write(sys.stdout))
            done = html.write(page, html_out)
            sys.stderr.write("simulator play: wrote %s (%d steps, %d distinct diagrams, %.1f MB)\n"
                             % (html_out, done.steps, done.diagrams, len(done.html.encode()) / 1e6))
    except (ScenarioError, OSError) as e:
        sys.stderr.write("simulator play: %s\n" % e)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    if argv[0] == "--version":
        sys.stdout.write("simulator %s (models Docker Engine 20.10)\n" % __version__)
        return 0
    if argv[0] == "play":
        return _play(argv[1:])
    if argv[0] == "docker":
        return _docker(argv[1:])
    sys.stderr.write("simulator: unknown command %r\n\n%s" % (argv[0], USAGE))
    return 2
