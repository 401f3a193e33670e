"""What runs between fork and execve in a container's process: runc's `init`, small.

`run_init` is the container's first process (PID 1 of its PID namespace): it joins its
cgroups, enters new mount, UTS, IPC and network namespaces, builds the root filesystem
(proc, a minimal /dev, sysfs, the bind mounts), pivots into it, drops to the user and
execs the command. `run_exec` is `docker exec`'s process: it joins a running container's
namespaces, cgroups and root instead. Neither returns: the process execs or `_exit`s.

A step that fails before execve is reported through `report` (a close-on-exec pipe the
caller reads until EOF: a successful execve closes it with nothing written) as one JSON
object {"detail": str}, in runc 1.1's wording (runc 1.1.5 as Docker 20.10 runs it, as
recorded from a real engine):
- steps runc does before it tells its parent it is ready (mounts, pivot_root, hostname,
  creating the working directory) read "error during container init: <step>: <error>";
- the later ones have no prefix: `chdir to cwd ("/x") set in config.json failed: ...`
  and the executable lookup, Go's `exec.LookPath` (Go 1.19, which runc 1.1.5 is built
  with): `exec: "x": executable file not found in $PATH`, `exec: "/x": stat /x: no such
  file or directory`, `exec: "/etc": permission denied`, `exec: "x": cannot run
  executable found relative to current directory`.
Error texts are Go's (`syscall.Errno.Error()`: glibc's strerror, first letter lowercase).
An execve that fails after the lookup succeeded happens after runc reported the start:
like runc, the process writes `exec /x: exec format error` to its stderr and exits 1.

Only modules the caller already imported are used, so a forked child loads nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import signal
import stat

from ..start_errors import CHDIR_FAILED, INIT, go_errno
from . import mount as mounts
from . import syscalls as sc

# The mounts Docker 20.10 gives every container (moby `oci/defaults.go`), in runc's order.
_MOUNTS = (
    ("proc", "/proc", "proc", sc.MS_NOSUID | sc.MS_NOEXEC | sc.MS_NODEV, ""),
    ("tmpfs", "/dev", "tmpfs", sc.MS_NOSUID | sc.MS_STRICTATIME, "mode=755,size=65536k"),
    ("devpts", "/dev/pts", "devpts", sc.MS_NOSUID | sc.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"),
    ("sysfs", "/sys", "sysfs", sc.MS_NOSUID | sc.MS_NOEXEC | sc.MS_NODEV | sc.MS_RDONLY, ""),
    ("mqueue", "/dev/mqueue", "mqueue", sc.MS_NOSUID | sc.MS_NOEXEC | sc.MS_NODEV, ""),
    ("shm", "/dev/shm", "tmpfs", sc.MS_NOSUID | sc.MS_NOEXEC | sc.MS_NODEV, "mode=1777,size=65536k"),
)
# runc's default devices (libcontainer/specconv AllowedDevices): character nodes, mode 0666, root.
_DEVICES = (("null", 1, 3), ("random", 1, 8), ("full", 1, 7), ("tty", 5, 0), ("zero", 1, 5), ("urandom", 1, 9))
# runc setupDevSymlinks (plus /dev/core -> /proc/kcore where the host has /proc/kcore).
_DEV_LINKS = (("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
              ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx"))
_NAMESPACES = (("ipc", sc.CLONE_NEWIPC), ("uts", sc.CLONE_NEWUTS), ("net", sc.CLONE_NEWNET),
               ("mnt", sc.CLONE_NEWNS))


class Failure(Exception):
    """A step before execve failed; `detail` is the runtime's message for it."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def go_error(err: OSError) -> str:
    """An OSError's errno as Go prints it ("no such file or directory"); its text without one."""
    return go_errno(err.errno) if err.errno else str(err)


def go_quote(text: str) -> str:
    """Go's strconv.Quote for the names in exec errors."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return '"' + "".join(escapes.get(c, c if c.isprintable() else f"\\x{ord(c):02x}") for c in text) + '"'


@contextlib.contextmanager
def _step(what: str):
    """Turn an OSError in the block into Failure("<what>: <Go's text of the errno>")."""
    try:
        yield
    except OSError as err:
        raise Failure(f"{what}: {go_error(err)}") from None


def run_init(launch, stdio: tuple[int, int, int], report: int) -> None:
    """The container's first process; `launch` is a shim.Launch. Never returns."""
    _run(report, lambda: _init(launch, stdio, report))


def run_exec(launch, stdio: tuple[int, int, int], report: int, ns_fds: dict[str, int], root_fd: int) -> None:
    """A process in a running container: `ns_fds` are its open /proc/PID/ns/{ipc,uts,net,mnt}
    (the PID namespace was entered by the parent), `root_fd` its /proc/PID/root. Never returns."""
    _run(report, lambda: _exec_process(launch, stdio, report, ns_fds, root_fd))


def _run(report: int, body) -> None:
    try:
        try:
            body()
        except Failure as failure:
            os.write(report, json.dumps({"detail": failure.detail}).encode())
        except BaseException as err:   # a bug must still reach the caller, as a failed step
            os.write(report, json.dumps({"detail": f"{INIT}{type(err).__name__}: {err}"}).encode())
    finally:
        os._exit(1)


def _init(launch, stdio, report: int) -> None:
    _process_setup(launch, stdio, (report,), INIT)
    with _step(INIT + "unshare"):
        if launch.new_namespaces:
            sc.unshare(sc.CLONE_NEWNS | sc.CLONE_NEWUTS | sc.CLONE_NEWIPC | sc.CLONE_NEWNET)
        else:
            sc.unshare(sc.CLONE_NEWNS)   # pivot_root must not change the host's root
    if launch.new_namespaces:
        with _step(INIT + "bring up the loopback interface"):
            sc.loopback_up()
        if launch.hostname:
            with _step(INIT + "sethostname"):
                sc.sethostname(launch.hostname)
    _build_rootfs(launch)
    _pivot_root(launch.rootfs)
    cwd = launch.cwd or "/"
    try:   # runc 1.1 creates the working directory, as root, once in the new root
        mkdir_all(cwd)
    except OSError as err:
        raise Failure(f"{INIT}mkdir {err.filename}: {go_error(err)}") from None
    _finish(launch, report)


def _exec_process(launch, stdio, report: int, ns_fds: dict[str, int], root_fd: int) -> None:
    _process_setup(launch, stdio, (report, root_fd, *ns_fds.values()), "")
    for name, nstype in _NAMESPACES:
        with _step(f"setns {name}"):
            sc.setns(ns_fds[name], nstype)
        os.close(ns_fds[name])
    with _step("chroot to the container's root"):
        os.fchdir(root_fd)   # as nsenter --root: the container's root, also if it chrooted
        os.chroot(".")
    os.close(root_fd)
    _finish(launch, report)


def _process_setup(launch, stdio, keep, prefix: str) -> None:
    """Standard streams, a new session (runc's nsexec calls setsid), the cgroups first (by
    their host paths, and so that their limits cover all that follows), death with the shim."""
    for target, fd in enumerate(stdio):
        os.dup2(fd, target)
    close_fds_except({0, 1, 2, *keep})
    os.setsid()
    for procs in launch.cgroup_procs:
        with _step(prefix + f"unable to apply cgroup configuration: write {procs}"):
            with open(procs, "w") as f:
                f.write("0")   # 0: the writing process itself, whatever its PID namespace
    with _step(prefix + "prctl"):
        sc.set_parent_death_signal(signal.SIGKILL)


def close_fds_except(keep: set[int]) -> None:
    """Close every descriptor not in `keep` (close_range(2) where Python has it)."""
    low = 0
    for fd in sorted(keep):
        if low < fd:   # closerange(n, n) would be close_range(n, n - 1): everything from n
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def secure_join(root: str, path: str) -> str:
    """`root` + `path` with every symlink resolved as if `root` were `/`, so no link leads
    out of it (runc uses filepath-securejoin's SecureJoin the same way). Missing parts
    are kept as written."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    current, links = "", 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            current = posixpath.dirname(current)
            continue
        candidate = posixpath.join(current, part)
        try:
            st = os.lstat(os.path.join(root, candidate))
        except OSError:
            current = candidate
            continue
        if stat.S_ISLNK(st.st_mode):
            links += 1
            if links > 255:
                raise OSError(40, os.strerror(40), path)   # ELOOP
            target = os.readlink(os.path.join(root, candidate))
            if target.startswith("/"):
                current = ""
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
            continue
        current = candidate
    return os.path.join(root, current) if current else root


def mkdir_all(path: str, mode: int = 0o755) -> None:
    """Go's os.MkdirAll: OSError naming the path that failed (ENOTDIR for a non-directory)."""
    try:
        st = os.stat(path)
    except OSError:
        pass
    else:
        if stat.S_ISDIR(st.st_mode):
            return
        raise OSError(20, os.strerror(20), path)   # ENOTDIR
    trimmed = path.rstrip("/")
    parent = trimmed[:trimmed.rfind("/")] if "/" in trimmed else ""
    if len(parent) > 0:
        mkdir_all(parent, mode)
    try:
        os.mkdir(path, mode)
    except OSError as err:
        if not (os.path.isdir(path) and not os.path.islink(path)):
            raise OSError(err.errno, err.strerror, path) from None


def _build_rootfs(launch) -> None:
    """runc's prepareRootfs before pivot_root: private propagation, the rootfs bound onto
    itself (pivot_root needs a mount point), the standard mounts, the binds, /dev's nodes."""
    root = launch.rootfs
    with _step(INIT + "make / private"):
        mounts.mount("", "/", "", sc.MS_REC | sc.MS_PRIVATE)
    with _step(INIT + f'error mounting "{root}" onto itself'):
        mounts.mount(root, root, "", sc.MS_BIND | sc.MS_REC)
    for source, dest, fstype, flags, data in _MOUNTS:
        with _step(INIT + f'error mounting "{source}" to rootfs at "{dest}"'):
            target = secure_join(root, dest)
            mkdir_all(target)
            mounts.mount(source, target, fstype, flags, data)
    for host, dest, readonly in launch.binds:
        with _step(INIT + f'error mounting "{host}" to rootfs at "{dest}"'):
            target = secure_join(root, dest)
            _mount_point(target, os.path.isdir(host))
            mounts.mount(host, target, "", sc.MS_BIND | sc.MS_REC)
            if readonly:
                mounts.mount("", target, "", sc.MS_BIND | sc.MS_REMOUNT | sc.MS_RDONLY)
    dev = secure_join(root, "/dev")
    with _step(INIT + "create device nodes"):
        old = os.umask(0)
        try:
            for name, major, minor in _DEVICES:
                os.mknod(os.path.join(dev, name), 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        finally:
            os.umask(old)
        links = _DEV_LINKS + ((("/proc/kcore", "core"),) if os.path.exists("/proc/kcore") else ())
        for target, name in links:
            os.symlink(target, os.path.join(dev, name))


def _mount_point(target: str, directory: bool) -> None:
    """Create a bind mount's target like runc's createIfNotExists: a directory, or an empty file."""
    if directory:
        mkdir_all(target)
    elif not os.path.exists(target):
        mkdir_all(os.path.dirname(target))
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o755))


def _pivot_root(root: str) -> None:
    """runc's pivotRoot: pivot_root(".", ".") stacks the old root on the new one; detaching
    it then leaves no way back to the host's files."""
    with _step(INIT + "pivot_root"):
        old = os.open("/", os.O_DIRECTORY | os.O_RDONLY)
        new = os.open(root, os.O_DIRECTORY | os.O_RDONLY)
        os.fchdir(new)
        sc.pivot_root(".", ".")
        os.fchdir(old)
        mounts.mount("", ".", "", sc.MS_SLAVE | sc.MS_REC)   # nothing reaches the host
        mounts.detach(".")
        os.chdir("/")
        os.close(old)
        os.close(new)


def _finish(launch, report: int) -> None:
    """runc's finalizeNamespace, LookPath and exec: working directory, user, executable."""
    cwd = launch.cwd or "/"
    retry = False
    try:   # as root first; a permission error is retried as the user (runc 1.1)
        os.chdir(cwd)
    except PermissionError:
        retry = True
    except OSError as err:
        raise Failure(CHDIR_FAILED.format(cwd=cwd, reason=go_error(err))) from None
    with _step("setgroups"):
        os.setgroups(list(launch.additional_gids))
    with _step("setgid"):
        os.setgid(launch.gid)
    with _step("setuid"):
        os.setuid(launch.uid)
    if retry:
        try:
            os.chdir(cwd)
        except OSError as err:
            raise Failure(CHDIR_FAILED.format(cwd=cwd, reason=go_error(err))) from None
    env = {}
    for entry in launch.env:   # later entries win, in the place of the first (Go's Setenv)
        name, _, value = entry.partition("=")
        env[name] = value
    argv = list(launch.argv)
    path = look_path(argv[0] if argv else "", env.get("PATH"))
    for signum in range(1, signal.NSIG):   # ignored signals stay ignored across execve
        if signum not in (signal.SIGKILL, signal.SIGSTOP):
            with contextlib.suppress(OSError, ValueError):
                signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, ())
    os.umask(0o022)
    try:
        os.execve(path, argv, env)
    except (OSError, ValueError) as err:
        os.close(report)   # runc has reported the start: the error goes to the container's stderr
        text = go_error(err) if isinstance(err, OSError) else str(err)
        os.write(2, f"exec {path}: {text}\n".encode())
        os._exit(1)


def look_path(file: str, path_var: str | None) -> str:
    """Go 1.19's exec.LookPath inside the container (after chdir and setuid); Failure otherwise."""
    if "/" in file:
        problem = _not_executable(file)
        if problem is None:
            return file
        raise Failure(f"exec: {go_quote(file)}: {problem}")
    for directory in (path_var.split(":") if path_var else []):
        path = posixpath.normpath(posixpath.join(directory or ".", file))
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        if _not_executable(path) is None:
            if not path.startswith("/"):
                raise Failure(f"exec: {go_quote(file)}: cannot run executable found relative to current directory")
            return path
    raise Failure(f"exec: {go_quote(file)}: executable file not found in $PATH")


def _not_executable(path: str) -> str | None:
    """Go's findExecutable: None, or why not (a stat error, or permission denied for a
    directory or a file without any execute bit)."""
    try:
        st = os.stat(path)
    except OSError as err:
        return f"stat {path}: {go_error(err)}"
    if stat.S_ISDIR(st.st_mode) or not st.st_mode & 0o111:
        return "permission denied"
    return None
