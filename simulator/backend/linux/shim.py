"""Container processes on the real kernel: a small containerd-shim + runc.

    task = start(Launch(rootfs=merged, argv=["sh", "-c", "echo hi"], env=["PATH=/bin"],
                        state_dir=folder, log_path=folder + "/log.json"))
    task.wait(10)   # -> Exit(code=0, signal=None, finished=1732900000.5)

`start` forks a shim (a child of the caller, in a session of its own, deaf to SIGINT,
SIGTERM and SIGHUP, so it outlives the caller as containerd-shim outlives containerd). The
shim makes the pipes for the standard streams, enters a new PID namespace for its children
and forks the container's init, PID 1 there (container_init.run_init: mounts, pivot_root,
user, execve). The init, not the shim, enters the new mount/UTS/IPC/network namespaces:
pivot_root moves the root of every process of a mount namespace, and the shim must keep
seeing the host's files to write the log and the exit status.

The shim then copies the container's output into `log_path` as Docker's json-file driver
does, one JSON object per line of output: {"log": "text\\n", "stream": "stdout"|"stderr",
"time": RFC 3339 with nanoseconds, UTC} (moby `daemon/logger/jsonfilelog`, lines over 16 KiB
split as moby's copier does), writes `stdin` to the container and closes it, and when the
init exits writes `state_dir/exit` ({"code", "signal", "finished"}: code 128+N for death
by signal N) and ends. When PID 1 of a PID namespace exits, the kernel kills the rest of it.

Failures before execve reach the caller before `start` returns, as
`StartError(message, exit_code)` in Docker 20.10's words (`start_errors.start_error`).
`state_dir/pid` names the shim and the init with their start times (field 22 of
/proc/PID/stat), so `Task.attach` can find them again after the caller restarted, and a
reused PID is never mistaken for them.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import select
import signal
import time
from dataclasses import dataclass, field, replace

from ..start_errors import start_error
from . import container_init, syscalls

MAX_LINE = 16 * 1024       # moby's copier: a longer line is logged in pieces of this size
_QUIET = 0.1               # seconds without output after which an exec's output is complete
_NAMESPACES = ("ipc", "uts", "net", "pid", "mnt")


@dataclass(kw_only=True)
class Launch:
    """What to run and where.

    rootfs: the container's root, an already-mounted directory (an overlay's merged dir).
    argv, env ("K=V", later wins), cwd (absolute, created if missing as runc 1.1 does),
    uid, gid, additional_gids: the process; hostname: of its new UTS namespace.
    binds: (host path, path in the container, read-only) mounted before pivot_root.
    cgroup_procs: cgroup.procs files the process joins before anything else (for
    `exec_in`, empty means the container's).
    stdin: bytes written to the process's standard input, then closed; None: /dev/null.
    state_dir: a folder for `pid` and `exit`; log_path: the json-file log (appended to).
    new_namespaces: False runs the process in the caller's PID, UTS, IPC and network
    namespaces (still a mount namespace of its own, to pivot_root without touching the host).
    For `exec_in`, rootfs, hostname, binds and new_namespaces are the container's and ignored.
    """

    rootfs: str = ""
    argv: list[str]
    env: list[str] = field(default_factory=list)
    cwd: str = "/"
    uid: int = 0
    gid: int = 0
    additional_gids: tuple[int, ...] = ()
    hostname: str = ""
    binds: list[tuple[str, str, bool]] = field(default_factory=list)
    cgroup_procs: list[str] = field(default_factory=list)
    stdin: bytes | None = None
    state_dir: str
    log_path: str
    new_namespaces: bool = True


@dataclass(frozen=True)
class Exit:
    """How a process ended: exit status or 128+N, the signal's name ("SIGKILL") or None,
    and when (epoch seconds)."""

    code: int
    signal: str | None
    finished: float


def start(launch: Launch) -> Task:
    """Start `launch` as a new container's PID 1 under a new shim; StartError if it cannot exec."""
    return _launch(launch, None)


def exec_in(task: Task, launch: Launch) -> Task:
    """Start `launch` in the namespaces, cgroups and root of `task`'s running init, under a
    shim of its own (nsenter's order: ipc, uts, net, pid, then mnt and the root). It joins
    the cgroups `task` was started in unless `launch.cgroup_procs` names others.
    StartError (exit code 126) if it cannot exec; ProcessLookupError if `task` has ended."""
    fds: dict[str, int] = {}
    try:
        if task.poll() is None:
            with contextlib.suppress(OSError):
                for name in _NAMESPACES:
                    fds[name] = os.open(f"/proc/{task.pid}/ns/{name}", os.O_RDONLY | os.O_CLOEXEC)
                fds["root"] = os.open(f"/proc/{task.pid}/root", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        # opened first, checked after: the files belong to the init only if it is still the same process
        if len(fds) != len(_NAMESPACES) + 1 or _proc_stat(task.pid)[1:] != (task.pid_start,):
            raise ProcessLookupError(f"container process {task.pid} is not running")
        if not launch.cgroup_procs:
            launch = replace(launch, cgroup_procs=list(task.cgroup_procs))
        return _launch(launch, fds)
    finally:
        for fd in fds.values():
            os.close(fd)


def wait_any(tasks: list[Task], timeout: float | None = None) -> list[Task]:
    """The tasks that have ended, waiting up to `timeout` seconds (None: forever) for one."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        done = [t for t in tasks if t.poll() is not None]
        if done or not tasks:
            return done
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return []
        poller = select.poll()
        for task in tasks:
            poller.register(task.fileno(), select.POLLIN)
        poller.poll(None if remaining is None else max(1, int(remaining * 1000)))


@dataclass(eq=False)
class Task:
    """A container process and its shim. `pid` is the process's PID on the host (for
    signals); `started` when it was launched (epoch seconds); `cgroup_procs` the cgroups
    it joined. Close-on-exec descriptors only; `poll`/`wait` reap the shim when it is the
    caller's child."""

    shim_pid: int
    pid: int
    state_dir: str
    log_path: str
    started: float
    cgroup_procs: tuple[str, ...] = field(repr=False)
    shim_start: int = field(repr=False)
    pid_start: int = field(repr=False)
    child: bool = field(default=False, repr=False)
    _pidfd: int | None = field(default=None, repr=False)
    _exit: Exit | None = field(default=None, repr=False)
    _reaped: bool = field(default=False, repr=False)

    @classmethod
    def attach(cls, state_dir: str) -> Task | None:
        """The task whose files are in `state_dir` (after the caller restarted); None if it
        has none (it never started). A shim that is gone or whose PID now names another
        process counts as ended."""
        try:
            with open(os.path.join(state_dir, "pid"), encoding="utf-8") as f:
                info = json.load(f)
        except FileNotFoundError:
            return None
        return cls._of(state_dir, info, child=False)

    @classmethod
    def _of(cls, state_dir: str, info: dict, child: bool) -> Task:
        return cls(info["shim"], info["pid"], state_dir, info["log"], info["started"],
                   tuple(info["cgroups"]), info["shim_start"], info["pid_start"], child)

    def fileno(self) -> int:
        """A descriptor that becomes readable when the shim ends (a pidfd), for select/poll."""
        if self._exit is not None or self._reaped:
            return _ended_fd()
        if self._pidfd is None:
            try:
                fd = os.pidfd_open(self.shim_pid)
            except ProcessLookupError:
                return _ended_fd()
            if not self.child and _proc_stat(self.shim_pid)[1:] != (self.shim_start,):
                os.close(fd)
                return _ended_fd()
            self._pidfd = fd
        return self._pidfd

    def poll(self) -> Exit | None:
        """The exit, once the process has ended and its output is in the log; else None."""
        if self._exit is None:
            ended = _read_exit(self.state_dir)
            if ended is None:
                if self._shim_running():
                    return None
                ended = _read_exit(self.state_dir)
            if ended is None:   # the shim was killed; PR_SET_PDEATHSIG killed the process with it
                ended = Exit(128 + signal.SIGKILL, "SIGKILL", time.time())
                _write_json(self.state_dir, "exit", ended.__dict__)
            self._exit = ended
            self._reap()
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None
        return self._exit

    def wait(self, timeout: float | None = None) -> Exit | None:
        """poll(), waiting up to `timeout` seconds (None: forever) for the exit."""
        return self.poll() if wait_any([self], timeout) else None

    def alive(self) -> bool:
        return self.poll() is None

    def signal(self, signum: int) -> None:
        """Send `signum` to the container process; nothing if it has ended. (A PID 1 without
        a handler for it ignores anything but SIGKILL and SIGSTOP: the kernel protects a
        namespace's init.)"""
        if self.poll() is not None:
            return
        try:
            fd = os.pidfd_open(self.pid)
        except ProcessLookupError:
            return
        try:
            if _proc_stat(self.pid)[1:] == (self.pid_start,):
                signal.pidfd_send_signal(fd, signum)
        except ProcessLookupError:
            pass
        finally:
            os.close(fd)

    def _shim_running(self) -> bool:
        if self._reaped:
            return False
        if self.child:
            try:
                if os.waitpid(self.shim_pid, os.WNOHANG)[0] == 0:
                    return True
            except ChildProcessError:
                pass
            self._reaped = True
            return False
        state, started = _proc_stat(self.shim_pid)
        return started == self.shim_start and state != "Z"

    def _reap(self) -> None:
        if self.child and not self._reaped:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.shim_pid, 0)   # it ends right after writing its exit file
            self._reaped = True


_ended: list[int] = []


def _ended_fd() -> int:
    """One eventfd that stays readable: what fileno() gives for a task known to have ended."""
    if not _ended:
        _ended.append(os.eventfd(1))
    return _ended[0]


def _proc_stat(pid: int) -> tuple[str | None, int | None]:
    """(state letter, start time in clock ticks since boot) from /proc/PID/stat; Nones if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None, None
    fields = data[data.rindex(b")") + 2:].split()   # the name in parentheses may hold spaces
    return fields[0].decode(), int(fields[19])


def _read_exit(state_dir: str) -> Exit | None:
    try:
        with open(os.path.join(state_dir, "exit"), encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    return Exit(data["code"], data["signal"], data["finished"])


def _write_json(state_dir: str, name: str, data: dict) -> None:
    """Write `state_dir/name` whole or not at all (a temporary file renamed over it)."""
    path = os.path.join(state_dir, name)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(path + ".tmp", path)


def _launch(launch: Launch, target: dict[str, int] | None) -> Task:
    os.makedirs(launch.state_dir, exist_ok=True)
    for name in ("pid", "exit"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(launch.state_dir, name))
    report_r, report_w = os.pipe()
    started = time.time()
    shim_pid = os.fork()
    if shim_pid == 0:
        _shim(launch, report_w, target, started)
    os.close(report_w)
    chunks = []
    while chunk := os.read(report_r, 65536):
        chunks.append(chunk)
    os.close(report_r)
    try:
        with open(os.path.join(launch.state_dir, "pid"), encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError):
        info = None
    if chunks or info is None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(shim_pid, 0)
        for name in ("pid", "exit"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(launch.state_dir, name))
        detail = json.loads(b"".join(chunks))["detail"] if chunks else \
            container_init.INIT + "the shim ended before the process started"
        raise start_error(detail, target is not None)
    return Task._of(launch.state_dir, info, child=True)


# -- the shim process ------------------------------------------------------------------
def _shim(launch: Launch, report: int, target: dict[str, int] | None, started: float) -> None:
    """The shim's whole life (forked from the caller; never returns)."""
    gc.disable()   # a collection would touch, and so copy, every page shared with the caller
    init = None
    try:
        os.setsid()
        os.chdir("/")
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)   # a caller's SIG_IGN would reap the init for us
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        container_init.close_fds_except({0, 1, 2, report, *(target or {}).values()})
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        in_r, in_w = os.pipe() if launch.stdin is not None else (0, None)
        if target is not None:
            syscalls.setns(target["pid"], syscalls.CLONE_NEWPID)
        elif launch.new_namespaces:
            syscalls.unshare(syscalls.CLONE_NEWPID)
        init = os.fork()
        if init == 0:
            if target is None:
                container_init.run_init(launch, (in_r, out_w, err_w), report)
            ns = {name: target[name] for name in _NAMESPACES if name != "pid"}
            container_init.run_exec(launch, (in_r, out_w, err_w), report, ns, target["root"])
        pidfd = os.pidfd_open(init)
        for fd in (out_w, err_w, *((in_r,) if in_w is not None else ()), *(target or {}).values()):
            os.close(fd)
        _write_json(launch.state_dir, "pid", {
            "shim": os.getpid(), "shim_start": _proc_stat(os.getpid())[1], "pid": init,
            "pid_start": _proc_stat(init)[1], "started": started, "log": launch.log_path,
            "cgroups": list(launch.cgroup_procs)})
        os.close(report)
        report = None
        log = os.open(launch.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        pid_one = target is None and launch.new_namespaces
        status, finished = _pump(init, pidfd, {out_r: "stdout", err_r: "stderr"}, in_w, launch.stdin or b"",
                                 log, pid_one)
        _write_json(launch.state_dir, "exit", _exit_record(status, finished))
    except BaseException as err:
        if report is not None:
            text = container_init.go_error(err) if isinstance(err, OSError) else str(err)
            with contextlib.suppress(OSError):
                os.write(report, json.dumps({"detail": f"{container_init.INIT}shim: {text}"}).encode())
        if init:   # the process must not outlive a shim that can no longer watch it
            with contextlib.suppress(OSError):
                os.kill(init, signal.SIGKILL)
                _write_json(launch.state_dir, "exit", _exit_record(os.waitpid(init, 0)[1], time.time()))
        os._exit(1)
    os._exit(0)


def _exit_record(status: int, finished: float) -> dict:
    """The exit file's content for wait status `status`: death by signal N is code 128+N."""
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"SIG{signum}"
        return {"code": 128 + signum, "signal": name, "finished": finished}
    return {"code": os.WEXITSTATUS(status), "signal": None, "finished": finished}


def _pump(pid: int, pidfd: int, outputs: dict[int, str], stdin: int | None, data: bytes,
          log: int, pid_one: bool) -> tuple[int, float]:
    """Copy output to the log and `data` to stdin until the process has exited and its
    output has ended; return its wait status and when it was reaped (epoch seconds). A
    PID 1's exit ends the output (the kernel kills its namespace); otherwise the output
    counts as ended after _QUIET seconds of silence, as descendants may keep the pipes open."""
    poller = select.poll()
    pending = {fd: b"" for fd in outputs}
    for fd in outputs:
        poller.register(fd, select.POLLIN)
    poller.register(pidfd, select.POLLIN)
    if stdin is not None:
        if data:
            os.set_blocking(stdin, False)
            poller.register(stdin, select.POLLOUT)
        else:
            os.close(stdin)
    status, last = None, 0
    while outputs or status is None:
        events = poller.poll(None if status is None or pid_one else _QUIET * 1000)
        if not events:
            break
        for fd, _ in events:
            if fd == pidfd:
                status, finished = os.waitpid(pid, 0)[1], time.time()
                poller.unregister(pidfd)
                os.close(pidfd)
            elif fd == stdin:
                try:
                    data = data[os.write(stdin, data[:65536]):]
                except (BrokenPipeError, BlockingIOError) as err:
                    data = data if isinstance(err, BlockingIOError) else b""
                if not data:
                    poller.unregister(stdin)
                    os.close(stdin)
                    stdin = None
            else:
                chunk = os.read(fd, 65536)
                lines, pending[fd] = split_lines(pending[fd] + chunk, final=not chunk)
                if lines:
                    last = time.time_ns()
                    os.write(log, b"".join(log_entry(line, outputs[fd], last) for line in lines))
                if not chunk:
                    poller.unregister(fd)
                    os.close(fd)
                    del outputs[fd]
    for fd, rest in pending.items():   # a silent exec's descendants may still hold the pipes
        if rest and fd in outputs:
            last = time.time_ns()
            os.write(log, log_entry(rest, outputs[fd], last))
    # a line read after the exit was seen is stamped later: the exit is reported no earlier
    return status, max(finished, last / 1e9)


def split_lines(buffer: bytes, final: bool) -> tuple[list[bytes], bytes]:
    """Complete lines (with their newline) and pieces of MAX_LINE bytes, and the rest;
    at the end of the stream (`final`) the rest too."""
    lines = []
    while True:
        newline = buffer.find(b"\n", 0, MAX_LINE)
        if newline >= 0:
            lines.append(buffer[:newline + 1])
            buffer = buffer[newline + 1:]
        elif len(buffer) >= MAX_LINE:
            lines.append(buffer[:MAX_LINE])
            buffer = buffer[MAX_LINE:]
        else:
            break
    if final and buffer:
        lines.append(buffer)
        buffer = b""
    return lines, buffer


# Go's encoding/json as moby's jsonlog uses it: \n \r \" \\ short, other control
# characters and < > & as \u00XX, U+2028/9 escaped, each invalid UTF-8 byte as \ufffd.
_GO_ESCAPE = re.compile(r'\\\\|\\[tbf]|[<>&\u2028\u2029]|[\udc80-\udcff]')
_SHORT = {"\\t": "\\u0009", "\\b": "\\u0008", "\\f": "\\u000c"}


def _go_json_string(raw: bytes) -> str:
    def fix(match: re.Match) -> str:
        text = match.group()
        if text == "\\\\":
            return text
        if text in _SHORT:
            return _SHORT[text]
        if "\udc80" <= text <= "\udcff":
            return "\\ufffd"
        return f"\\u{ord(text):04x}"
    return _GO_ESCAPE.sub(fix, json.dumps(raw.decode("utf-8", "surrogateescape"), ensure_ascii=False))


def rfc3339nano(ns: int) -> str:
    """Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return text + (f".{fraction:09d}".rstrip("0") if fraction else "") + "Z"


def log_entry(line: bytes, stream: str, ns: int) -> bytes:
    """One json-file log line (moby `jsonlog.JSONLogs`)."""
    return f'{{"log":{_go_json_string(line)},"stream":"{stream}","time":"{rfc3339nano(ns)}"}}\n'.encode(
        "utf-8", "surrogatepass")
