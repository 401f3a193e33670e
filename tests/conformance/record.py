"""Record reference transcripts from a real Docker Engine 20.10.

    python tests/conformance/record.py tests/conformance/scenarios/*/scenario.txt

For each scenario file, start a fresh private engine (realengine.py), run the
scenario's commands in a scratch copy of its folder, and write the raw
transcript next to it as <name>.expected.  Scenarios that mention
127.0.0.1:5000 or localhost:5000 also get a fresh registry there.

Scenario format: one docker command per line; `#` comments and blank lines are
skipped; a trailing backslash continues a line; `sleep N` really sleeps.
Transcript: `$ <line>` (continuations joined with one space), then the
command's stdout and stderr merged in order, then `[exit N]` when N != 0.
"""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realengine import EngineUnavailable, private_engine, private_registry  # noqa: E402

COMMAND_TIMEOUT = 300


def parse(text):
    """Yield the scenario's logical lines (comments and blanks dropped)."""
    pending = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if pending is None and (not line.strip() or line.lstrip().startswith("#")):
            continue
        continued = line.endswith("\\")
        if continued:
            line = line[:-1].rstrip()
        piece = line.strip() if pending is not None else line.lstrip()
        pending = piece if pending is None else (pending + " " + piece if piece else pending)
        if not continued:
            yield pending
            pending = None
    if pending is not None:
        yield pending


def run_line(engine, line, cwd):
    """Run one scenario line; return (output, status)."""
    argv = shlex.split(line)
    if argv[0] == "sleep" and len(argv) == 2:
        time.sleep(float(argv[1]))
        return "", 0
    if argv[0] != "docker":
        raise SystemExit("only docker commands and `sleep N` are allowed: %r" % line)
    proc = subprocess.run([engine.docker_path, *argv[1:]], cwd=cwd, env=engine.env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT)
    return proc.stdout.decode("utf-8", "replace"), proc.returncode


def record(path):
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    with open(path) as f:
        text = f.read()
    lines = list(parse(text))
    needs_registry = "127.0.0.1:5000" in text or "localhost:5000" in text
    out = []
    scratch = tempfile.mkdtemp(prefix="scenario-", dir="/tmp")
    try:
        work = os.path.join(scratch, os.path.basename(folder))
        shutil.copytree(folder, work, symlinks=True)
        with private_engine() as engine:
            registry = private_registry(engine) if needs_registry else _nothing()
            with registry:
                for line in lines:
                    output, status = run_line(engine, line, work)
                    out.append("$ " + line + "\n")
                    if output:
                        out.append(output if output.endswith("\n") else output + "\n")
                    if status:
                        out.append("[exit %d]\n" % status)
            driver = engine.driver
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    target = os.path.splitext(path)[0] + ".expected"
    with open(target, "w") as f:
        f.write("".join(out))
    print("recorded %s (%d commands, %s)" % (os.path.relpath(target), len(lines), driver))


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        for path in argv:
            record(path)
    except EngineUnavailable as e:
        print("record: no engine: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
