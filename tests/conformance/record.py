"""Record reference transcripts from a real Docker Engine 20.10.

    python tests/conformance/record.py [-j N] [--out DIR] tests/conformance/scenarios/*/scenario.txt

For each scenario file, start a fresh private engine (realengine.py), run the
scenario's commands in a scratch copy of its folder, and write the raw
transcript next to it as <name>.expected (with --out: DIR/<folder>/<name>.expected).
-j N records N scenarios at a time, each on its own engine in its own temporary
folders.  Scenarios that mention 127.0.0.1:5000 or localhost:5000 also get a
fresh registry there (inside their engine's network namespace, so parallel
recordings do not meet).

Scenario format: one docker command per line; `#` comments and blank lines are
skipped; a trailing backslash continues a line; `sleep N` really sleeps.
Transcript: `$ <line>` (continuations joined with one space), then the
command's stdout and stderr merged in order, then `[exit N]` when N != 0.

`Recorder` is the same machinery for a test session: a few engines record a
list of scenarios in the background, each engine reset (Engine.reset) between
scenarios instead of restarted, and `close()` reports what was left behind.
"""

import argparse
import contextlib
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from simulator.scenario import parse, sleep_seconds, split, transcript_entry  # noqa: E402
from realengine import (EngineUnavailable, leftovers, private_engine,  # noqa: E402
                        private_registry)

COMMAND_TIMEOUT = 300
_SLEEP = re.compile(r"^\s*sleep\s+([\d.]+)\s*$", re.M)


def run_line(engine, line, cwd):
    """Run one scenario line; return (output, status)."""
    argv = split(line)
    if argv[0] == "sleep":
        time.sleep(sleep_seconds(argv[1], line))
        return "", 0
    proc = subprocess.run([engine.docker_path, *argv[1:]], cwd=cwd, env=engine.env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT)
    return proc.stdout.decode("utf-8", "replace"), proc.returncode


def transcript(engine, path, parent="/tmp"):
    """Run scenario file `path` on `engine` (with a fresh registry if it needs one) in a
    scratch copy of its folder made under `parent`; return the raw transcript."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    with open(path) as f:
        text = f.read()
    needs_registry = "127.0.0.1:5000" in text or "localhost:5000" in text
    out = []
    scratch = tempfile.mkdtemp(prefix="scenario-", dir=parent)
    try:
        work = os.path.join(scratch, os.path.basename(folder))
        shutil.copytree(folder, work, symlinks=True)
        registry = (private_registry(engine, parent=parent) if needs_registry
                    else contextlib.nullcontext())
        with registry:
            for line in parse(text):
                out.append(transcript_entry(line, *run_line(engine, line, work)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return "".join(out)


def cost(path):
    """A rough duration guess (seconds) for scheduling the longest scenarios first."""
    with open(path) as f:
        text = f.read()
    return sum(float(s) for s in _SLEEP.findall(text)) + 0.2 * len(list(parse(text)))


def _reset(engine):
    """engine.reset(), False when it fails (the caller then starts a fresh engine)."""
    try:
        return engine.reset()
    except (RuntimeError, subprocess.SubprocessError):
        return False


class Recorder:
    """Record scenarios on `engines` private engines in background threads.

    paths: scenario files, recorded longest first; `result(path)` waits for one
    transcript (raising EngineUnavailable or the recording's error); `again(path)`
    records one once more.  reuse=True
    keeps one engine per thread and resets it between scenarios (a fresh engine
    when the reset cannot restore the start state); reuse=False starts a fresh
    engine for every scenario.  Everything lives under one temporary folder;
    `close()` waits for the threads and returns realengine.leftovers() for it
    (then removes whatever is left, so the host stays clean either way).
    """

    def __init__(self, paths, engines=2, reuse=True, parent="/tmp"):
        self.root = tempfile.mkdtemp(prefix="conformance-", dir=parent)
        self.reuse = reuse
        self.cgroups = []
        self.engines_started = 0
        self.futures = {os.path.abspath(p): Future() for p in paths}
        self.todo = queue.Queue()
        for p in sorted(self.futures, key=cost, reverse=True):
            self.todo.put(p)
        self.threads = [threading.Thread(target=self._work, daemon=True)
                        for _ in range(max(1, min(engines, len(self.futures))))]
        for t in self.threads:
            t.start()

    def result(self, path):
        return self.futures[os.path.abspath(path)].result()

    def again(self, path):
        """Record `path` once more, now, on a fresh engine (in the caller's thread)."""
        with private_engine(parent=self.root) as engine:
            self.cgroups.append(engine.cgroup_parent.lstrip("/"))
            self.engines_started += 1
            return transcript(engine, path, parent=self.root)

    def _next(self):
        try:
            return self.todo.get_nowait()
        except queue.Empty:
            return None

    def _work(self):
        path = self._next()
        try:
            while path is not None:
                with private_engine(parent=self.root) as engine:
                    self.cgroups.append(engine.cgroup_parent.lstrip("/"))
                    self.engines_started += 1
                    while path is not None:
                        future = self.futures[path]
                        try:
                            future.set_result(transcript(engine, path, parent=self.root))
                        except Exception as e:  # noqa: BLE001 (handed to the test)
                            future.set_exception(e)
                        path = self._next()
                        if path is not None and not (self.reuse and _reset(engine)):
                            break
        except BaseException as e:  # noqa: BLE001 (no engine: every waiting test hears why)
            while path is not None:
                if not self.futures[path].done():
                    self.futures[path].set_exception(e)
                path = self._next()

    def close(self):
        """Stop recording (scenarios not started get EngineUnavailable), wait for the
        engines to stop; return the list of leftovers (empty when all is clean)."""
        while (path := self._next()) is not None:
            self.futures[path].set_exception(EngineUnavailable("recording cancelled"))
        for t in self.threads:
            t.join()
        left = leftovers(self.root, self.cgroups)
        with contextlib.suppress(OSError):
            os.rmdir(self.root)
        if left:
            shutil.rmtree(self.root, ignore_errors=True)
        return left


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("-j", "--jobs", type=int, default=1, help="scenarios at a time")
    parser.add_argument("--out", help="write DIR/<folder>/<name>.expected instead")
    parser.add_argument("scenarios", nargs="+")
    args = parser.parse_args(argv)
    recorder = Recorder(args.scenarios, engines=args.jobs, reuse=False)
    failed = 0
    try:
        for path in args.scenarios:
            target = os.path.splitext(os.path.abspath(path))[0] + ".expected"
            if args.out:
                target = os.path.join(args.out, os.path.basename(os.path.dirname(target)),
                                      os.path.basename(target))
                os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                text = recorder.result(path)
            except EngineUnavailable as e:
                print("record: no engine: %s" % e, file=sys.stderr)
                return 1
            except Exception as e:  # noqa: BLE001
                print("record: %s failed: %s" % (path, e), file=sys.stderr)
                failed = 1
                continue
            with open(target, "w") as f:
                f.write(text)
            commands = sum(line.startswith("$ ") for line in text.splitlines())
            print("recorded %s (%d commands)" % (os.path.relpath(target), commands))
    finally:
        left = recorder.close()
    for line in left:
        print("record: left behind: %s" % line, file=sys.stderr)
    return 1 if left else failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
