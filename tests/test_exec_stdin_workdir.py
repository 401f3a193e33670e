"""`docker exec -i` with a piped standard input, and the working directory checks of
`docker run/create -w` and `docker exec -w` (as a Docker 20.10.24 engine answered them; the
conformance scenario workdir-errors has the full transcript).

The in-memory backend through the CLI's own entry point with a text stdin; the Linux
executor through `python -m simulator --backend linux ... docker` with real pipes.
"""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from linux_support import leftovers, linux_root
from simulator.cli import app, commands  # noqa: F401  (registers the commands)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def piped(engine, tmp_path):
    """Run a docker command line with `stdin` piped in: (status, stdout, stderr)."""
    def run(line: str, stdin: str | None = "") -> tuple[int, str, str]:
        out, err = [], []
        status = app.run(engine, shlex.split(line), str(tmp_path), out.append, err.append,
                         stdin=None if stdin is None else io.StringIO(stdin))
        return status, "".join(out), "".join(err)
    return run


def test_exec_i_passes_its_stdin_to_the_process(piped):
    assert piped("run -d --name e1 busybox sleep 1000")[0] == 0
    assert piped("exec -i e1 cat", "hi\n") == (0, "hi\n", "")
    assert piped("exec -i e1 sh -c 'read x; echo got $x; cat'", "a\nb") == (0, "got a\nb", "")
    assert piped("exec e1 cat", "hi\n") == (0, "", "")          # without -i: nothing is sent
    assert piped("exec -d -i e1 cat", "hi\n") == (0, "", "")    # detached: not attached to stdin
    assert piped("exec -i e1 cat", None) == (0, "", "")          # no stdin at all (a scenario)


def test_exec_it_needs_a_terminal(piped):
    assert piped("run -d --name e1 busybox sleep 1000")[0] == 0
    assert piped("exec -it e1 cat", "hi\n") == (1, "", "the input device is not a TTY\n")
    assert piped("exec -it nope cat", "hi\n") == (1, "", "Error: No such container: nope\n")


def test_exec_w_must_be_absolute(piped):
    assert piped("run -d --name e1 -w /srv busybox sleep 1000")[0] == 0
    refused = "OCI runtime exec failed: exec failed: Cwd must be an absolute path: unknown"
    assert piped("exec -w relative e1 pwd") == (126, refused + "\r\n", "")
    assert piped("exec -w ./x e1 nosuch") == (126, refused + "\r\n", "")
    assert piped("exec -d -w relative e1 pwd") == (1, "", f"Error response from daemon: {refused}\n")
    assert piped("exec -w /tmp/../etc/ e1 pwd") == (0, "/etc\n", "")
    assert piped("exec -w '' e1 pwd") == (0, "/srv\n", "")


def test_run_w_must_be_absolute_and_is_made_at_create(piped):
    assert piped("run -w relative busybox pwd") == (
        125, "", "docker: Error response from daemon: the working directory 'relative' is invalid, it needs "
                 "to be an absolute path.\nSee 'docker run --help'.\n")
    assert piped("create -w relative nosuchimage")[2] == (
        "Error response from daemon: the working directory 'relative' is invalid, it needs to be an absolute path\n")
    assert piped("pull -q busybox")[0] == 0   # the relative path was refused before any pull
    assert piped("run -w /etc/passwd busybox") == (
        125, "", "docker: Error response from daemon: Cannot mkdir: /etc/passwd is not a directory.\n"
                 "See 'docker run --help'.\n")
    assert piped("ps -aq")[1] == ""                              # no container left
    status, cid, _ = piped("create --name wd -w /new/dir/ busybox pwd")
    assert status == 0
    assert piped("diff wd")[1] == "A /new\nA /new/dir\n"
    assert piped("inspect -f {{.Config.WorkingDir}} wd")[1] == "/new/dir\n"
    # the rootfs named by the daemon's host path (overlay2's merged folder)
    status, _, err = piped("run -w /etc/passwd/sub busybox")
    assert status == 125 and err.startswith("docker: Error response from daemon: lstat /var/lib/docker/overlay2/")
    assert err.endswith("/merged/etc/passwd/sub: not a directory.\nSee 'docker run --help'.\n")


# -- the Linux executor ------------------------------------------------------------------------------
def _simulator(root: str, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", "--backend", "linux", "--root", root, "docker", *args],
                          input=stdin, capture_output=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_on_the_linux_executor():
    with linux_root() as parent:
        root = os.path.join(parent, "root")
        try:
            assert _simulator(root, "run", "-d", "--name", "e1", "busybox", "sleep", "1000").returncode == 0
            done = _simulator(root, "exec", "-i", "e1", "cat", stdin=b"hi\n")
            assert (done.returncode, done.stdout) == (0, b"hi\n")
            done = _simulator(root, "exec", "-w", "relative", "e1", "pwd")
            assert (done.returncode, done.stdout) == (
                126, b"OCI runtime exec failed: exec failed: Cwd must be an absolute path: unknown\r\n")
            assert _simulator(root, "create", "--name", "wd", "-w", "/new/dir", "busybox", "pwd").returncode == 0
            assert _simulator(root, "diff", "wd").stdout == b"A /new\nA /new/dir\n"
            assert _simulator(root, "start", "-a", "wd").stdout == b"/new/dir\n"
        finally:
            subprocess.run([sys.executable, "-m", "simulator", "--backend", "linux", "--root", root, "system",
                            "reset"], capture_output=True, cwd=ROOT, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert leftovers(root) == []
