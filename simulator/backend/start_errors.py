"""How a container process that cannot start is reported, by every backend.

runc 1.1.5 describes the failure (`detail`, e.g. `exec: "x": executable file not found in
$PATH`, `chdir to cwd ("/x") set in config.json failed: no such file or directory`);
containerd and the daemon (Docker 20.10.24) wrap it, differently for a container's first
process (`docker run`/`start`) and for `docker exec`, and choose the exit code. Wording and
codes as recorded from a real engine.

    start_error('exec: "x": executable file not found in $PATH', in_exec=False)
    # -> StartError("failed to create shim task: ... unable to start container process:
    #                exec: \"x\": executable file not found in $PATH: unknown", 127)
"""

from __future__ import annotations

import os

from ..engine.errors import StartError

# What containerd + runc add around a failure of a container's first process.
RUNTIME_ERROR = ("failed to create shim task: OCI runtime create failed: runc create failed: "
                 "unable to start container process: {detail}: unknown")
# The same for `docker exec`. containerd puts "OCI runtime exec failed: " before it
# (pkg/process runtimeError); the CLI adds that prefix where it prints the error.
EXEC_ERROR = "exec failed: unable to start container process: {detail}: unknown"
# runc 1.1 `exec` checks the process spec before it starts anything (utils_linux.go
# validateProcessSpec): no "unable to start container process" then.
EXEC_SPEC_ERROR = "exec failed: {detail}: unknown"
# validateProcessSpec: a working directory that is not absolute (`docker exec -w rel`).
CWD_NOT_ABSOLUTE = "Cwd must be an absolute path"
# moby 20.10 daemon/start.go translateContainerdStartErr: what it adds to a "not a directory".
WRONG_TYPE = (": Are you trying to mount a directory onto a file (or vice-versa)? "
              "Check if the specified host path exists and is the expected type")
# runc finalizeNamespace: the working directory of the process does not exist or is no directory.
CHDIR_FAILED = 'chdir to cwd ("{cwd}") set in config.json failed: {reason}'
# runc's prefix for the steps of a first process before it reports ready (mounts, mkdir of the cwd).
INIT = "error during container init: "


def go_errno(code: int) -> str:
    """An errno as Go's syscall.Errno prints it: glibc's strerror with a lowercase first
    letter (ENOENT -> "no such file or directory")."""
    text = os.strerror(code)
    return text[:1].lower() + text[1:]


def exec_spec_error(detail: str) -> StartError:
    """`docker exec` refused by runc's check of the process spec (`CWD_NOT_ABSOLUTE`): the
    exec's exit code is 126, as for any exec that fails to start."""
    return StartError(EXEC_SPEC_ERROR.format(detail=detail), 126)


def start_error(detail: str, in_exec: bool) -> StartError:
    """The StartError Docker 20.10 reports for a runtime failure `detail` (moby
    translateContainerdStartErr): exit code 127 for "executable file not found" and "no
    such file or directory", 126 for "permission denied", 127 and a hint for "not a
    directory", otherwise 128. `docker exec` says the same in other words, and its
    failed process always has exit code 126."""
    message = (EXEC_ERROR if in_exec else RUNTIME_ERROR).format(detail=detail)
    code = 128
    if "executable file not found" in message or "no such file or directory" in message:
        code = 127
    if "permission denied" in message:
        code = 126
    if "not a directory" in message:
        message += WRONG_TYPE
        code = 127
    return StartError(message, 126 if in_exec else code)
