"""`python -m simulator`: the command-line entry point.

    python -m simulator play FILE                  run a scenario, print its transcript
    python -m simulator docker [--state DIR] ARGS  run one docker command on a saved engine
    python -m simulator --help | --version
"""

from __future__ import annotations

import os
import sys

from .. import __version__

USAGE = """\
usage: python -m simulator play FILE
       python -m simulator docker [--state DIR] ARGS...
       python -m simulator --help | --version

A deterministic in-memory model of Docker Engine 20.10 for learning what images and
containers are. Its docker command line prints what the real docker CLI prints.

  play FILE      run the scenario FILE (one docker command a line, `sleep N`, # comments)
                 in a scratch copy of its folder and print the transcript
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
    status = app.run(engine, argv, os.getcwd(), _write(sys.stdout), _write(sys.stderr))
    state.save(folder, engine)
    return status


def _play(argv: list[str]) -> int:
    from .play import ScenarioError, play

    if len(argv) != 1:
        sys.stderr.write(USAGE)
        return 2
    try:
        play(argv[0], write=_write(sys.stdout))
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
