"""Processes that cannot start: the wording and status of `docker run` and `docker exec`.

Expected values are what Docker 20.10.24 with runc 1.1.5 printed on a real engine, stdout
and stderr captured apart (the conformance transcripts merge them, and drop the "\\r"):
an attached exec's failure goes to stdout ending in "\\r\\n" with status 126, a detached
one is the daemon's error response on stderr with status 1.
"""

from __future__ import annotations

import pytest

from simulator.backend.base import ProcessSpec
from simulator.backend.memory.backend import MemoryBackend
from simulator.backend.memory.catalogue import busybox
from simulator.backend.start_errors import start_error
from simulator.engine.errors import StartError
from simulator.model.fs import Tree

CREATE = ("failed to create shim task: OCI runtime create failed: runc create failed: "
          "unable to start container process: ")
EXEC = "OCI runtime exec failed: exec failed: unable to start container process: "
WRONG_TYPE = (": Are you trying to mount a directory onto a file (or vice-versa)? "
              "Check if the specified host path exists and is the expected type")
NOT_FOUND = 'exec: "nosuch": executable file not found in $PATH'


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


@pytest.fixture
def box(docker):
    assert docker("run -d --name box --network none busybox sleep 1000").exit == 0
    return "box"


@pytest.mark.parametrize("detail, in_exec, message, code", [
    (NOT_FOUND, False, CREATE + NOT_FOUND + ": unknown", 127),
    ('exec: "/x": stat /x: no such file or directory', False,
     CREATE + 'exec: "/x": stat /x: no such file or directory: unknown', 127),
    ('exec: "/etc": permission denied', False, CREATE + 'exec: "/etc": permission denied: unknown', 126),
    ("error during container init: mkdir /etc/passwd: not a directory", False,
     CREATE + "error during container init: mkdir /etc/passwd: not a directory: unknown" + WRONG_TYPE, 127),
    (NOT_FOUND, True, EXEC[len("OCI runtime exec failed: "):] + NOT_FOUND + ": unknown", 126),
    ('exec: "/etc/passwd": permission denied', True,
     EXEC[len("OCI runtime exec failed: "):] + 'exec: "/etc/passwd": permission denied: unknown', 126),
    ('chdir to cwd ("/etc/passwd") set in config.json failed: not a directory', True,
     EXEC[len("OCI runtime exec failed: "):]
     + 'chdir to cwd ("/etc/passwd") set in config.json failed: not a directory: unknown' + WRONG_TYPE, 126),
])
def test_start_error_words_and_codes(detail, in_exec, message, code):
    err = start_error(detail, in_exec)
    assert (err.message, err.exit_code) == (message, code)


@pytest.mark.parametrize("options, command, detail", [
    ("", "nosuch", NOT_FOUND),
    ("", "/etc/passwd", 'exec: "/etc/passwd": permission denied'),
    ("", "/etc", 'exec: "/etc": permission denied'),
    ("", "/etc/passwd/x", 'exec: "/etc/passwd/x": stat /etc/passwd/x: not a directory'),
    ("-w /x", "pwd", 'chdir to cwd ("/x") set in config.json failed: no such file or directory'),
    ("-w /etc/passwd", "pwd", 'chdir to cwd ("/etc/passwd") set in config.json failed: not a directory'),
    ("-w /x", "nosuch", 'chdir to cwd ("/x") set in config.json failed: no such file or directory'),
])
def test_attached_exec_failure_is_on_stdout_with_crlf_and_status_126(docker, box, options, command, detail):
    hint = WRONG_TYPE if "not a directory" in detail else ""
    r = docker(f"exec {options} box {command}")
    assert (r.exit, r.out, r.err) == (126, EXEC + detail + ": unknown" + hint + "\r\n", "")


def test_detached_exec_failure_is_the_daemons_error_with_status_1(docker, box):
    r = docker("exec -d -w /x box pwd")
    assert (r.exit, r.out, r.err) == (
        1, "", "Error response from daemon: " + EXEC
        + 'chdir to cwd ("/x") set in config.json failed: no such file or directory: unknown\n')


def test_unknown_user_is_refused_before_the_working_directory_is_looked_at(docker, box):
    r = docker("exec -u nosuchuser -w /x box nosuch")
    assert (r.exit, r.out, r.err) == (126, "unable to find user nosuchuser: no matching entries in passwd file\r\n", "")
    r = docker("exec -d -u nosuchuser box id")
    assert (r.exit, r.out, r.err) == (
        1, "", "Error response from daemon: unable to find user nosuchuser: no matching entries in passwd file\n")


def test_an_exec_that_ran_keeps_its_streams_and_status(docker, box):
    r = docker("exec box sh -c 'echo out; echo err >&2; exit 3'")
    assert (r.exit, r.out, r.err) == (3, "out\n", "err\n")


def test_run_creates_a_missing_working_directory_exec_does_not(docker, box):
    r = docker("run --name workdir --network none -w /nonexistent/deep busybox pwd")
    assert (r.exit, r.out) == (0, "/nonexistent/deep\n")
    assert docker("diff workdir").out == "A /nonexistent\nA /nonexistent/deep\n"
    assert docker("exec -w /nonexistent/deep box pwd").exit == 126


def _busybox_view() -> MemoryBackend:
    backend = MemoryBackend()
    backend.prepare("c", Tree.from_layers([busybox.layer()]))
    return backend


def test_first_process_working_directory_through_a_file_is_runcs_mkdir_error():
    # runc 1.1 prepareRootfs MkdirAll: Go's MkdirAll names the first component that is no
    # directory (the daemon refuses the same -w at create, before runc is reached)
    with pytest.raises(StartError) as caught:
        _busybox_view().run_process("c", ProcessSpec(("pwd",), cwd="/etc/passwd/x"))
    assert (caught.value.message, caught.value.exit_code) == (
        CREATE + "error during container init: mkdir /etc/passwd: not a directory: unknown" + WRONG_TYPE, 127)
