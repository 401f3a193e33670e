"""Parity: every conformance scenario that uses only busybox, played on the Linux executor
(real overlay mounts, namespaces, cgroups and processes), prints the same normalised
transcript as on the in-memory backend; and it leaves nothing behind (no mount under its
state root, no cgroup, no process).

Needs root, overlayfs and cgroups; elsewhere the tests skip with the reason, except under
CI (`CI` set), where that is a failure. The scenarios run on the host's clock, so their
`sleep` lines and stop timeouts take real time.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIOS = HERE / "conformance" / "scenarios"
sys.path.insert(0, str(HERE / "conformance"))

from normalise import normalise  # noqa: E402

from linux_support import leftovers, linux_root  # noqa: E402

TIMEOUT = 300
# Scenarios that need images other than busybox (the Linux executor runs real programs only).
NOT_BUSYBOX_ONLY = {"push-pull"}

_PLAY = """
import sys
from simulator.cli.play import play
from simulator.engine.engine import Engine
if sys.argv[2] == "memory":
    engine = Engine()
else:
    from simulator.backend.linux.backend import LinuxBackend
    engine = Engine(backend=LinuxBackend(sys.argv[2]))
engine.registry.import_busybox()
try:
    play(sys.argv[1], engine, write=lambda entry: (sys.stdout.write(entry), sys.stdout.flush()))
finally:
    if sys.argv[2] != "memory":
        engine.backend.reset()
"""


def _play(scenario: Path, backend: str) -> str:
    proc = subprocess.run([sys.executable, "-c", _PLAY, str(scenario), backend], cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    got = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        got += "<simulator crashed (exit %d)>\n%s" % (proc.returncode, proc.stderr.decode("utf-8", "replace")[-3000:])
    return got


@functools.cache
def _memory(name: str) -> str:
    return normalise(_play(FILES[name], "memory"))


# name -> scenario file: the busybox-only conformance scenarios, and the example made for
# comparing the two backends.
FILES = {p.name: p / "scenario.txt" for p in sorted(SCENARIOS.iterdir())
         if (p / "scenario.txt").exists() and p.name not in NOT_BUSYBOX_ONLY}
FILES["example-real-kernel"] = ROOT / "examples" / "real-kernel" / "scenario.txt"


@pytest.mark.parametrize("name", sorted(FILES))
def test_scenario_same_on_linux(name):
    with linux_root() as parent:
        root = tempfile.mkdtemp(prefix="parity-", dir=parent)
        got = normalise(_play(FILES[name], root))
        assert leftovers(root) == []
    want = _memory(name)
    if got != want:
        import difflib
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            "memory backend (normalised)", "linux backend (normalised)", n=2))
        pytest.fail(f"{name} differs on the Linux executor:\n{diff}", pytrace=False)
