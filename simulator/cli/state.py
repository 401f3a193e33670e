"""The engine kept between `python -m simulator docker ...` invocations.

The state folder (default `.simulator/` in the working directory) holds `engine.pickle`: a
pickled {"format": FORMAT, "engine": Engine}, written with cloudpickle (the engine holds
closures, e.g. the observers that turn copy-ups into events, which plain pickle refuses). A state written by another format version, or
one that cannot be read, is refused with a message; deleting the folder starts afresh. `check`
tells, before a command runs, whether the folder can hold a state at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import sys
import tempfile

import cloudpickle

FORMAT = 1
FILENAME = "engine.pickle"
LOCKNAME = "lock"
DEFAULT_DIR = ".simulator"


class StateError(Exception):
    """The saved state cannot be used; the message says why and how to start afresh."""


def check(folder: str) -> None:
    """Make sure `folder` is a folder (creating it if missing) in which a file can be written;
    raises StateError with one line saying why not. Writes and removes a probe file, since
    permission bits do not tell (root, read-only mounts, /proc)."""
    where = "cannot use %s as the simulator state folder" % folder
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise StateError("%s: it is a file, not a folder; remove it or choose another folder with "
                         "--state DIR" % where)
    step = "cannot create it"
    try:
        os.makedirs(folder, exist_ok=True)
        step = "cannot write in it"
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise StateError("%s: %s (%s); choose another folder with --state DIR"
                         % (where, step, e.strerror or type(e).__name__)) from None


class _Lock:
    """An exclusive flock(2) on `folder/lock`, released by the kernel if the process dies; the
    file holds the PID of the process holding it."""

    def __init__(self, folder: str):
        self.path = os.path.join(folder, LOCKNAME)
        self.fd: int | None = None

    def acquire(self, notify=None) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if notify is not None:
                    notify(os.pread(fd, 300, 0).decode("utf-8", "replace").strip() or "?")
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)    # who holds it, for the next command's "waiting for" line
            os.pwrite(fd, ("%d (%s)" % (os.getpid(), " ".join(sys.argv[1:]) or "python")).encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class Session:
    """One command's hold on the state folder: the lock, and the engine loaded under it.

    Commands on one folder take turns: another waits until this one has saved (`notify(pid)`
    is called once if this one has to wait). `release()` saves the engine and lets other
    commands run, so that a command attached to a running container can wait for it without
    holding the state (`docker stop` from another terminal); `reacquire()` takes the lock
    again and returns the engine as the other commands left it, caught up with the time gone by.
    Raises StateError (and whatever `fresh()` raises) when the engine cannot be loaded."""

    def __init__(self, folder: str, fresh=None, notify=None):
        self.folder, self.fresh, self.notify = folder, fresh, notify
        self.lock = _Lock(folder)
        self.engine = None
        self.held = False        # True while this command holds the folder

    def __enter__(self) -> "Session":
        self._take(self.notify)
        return self

    def __exit__(self, *exc) -> None:
        self.lock.release()

    def release(self) -> None:
        save(self.folder, self.engine)
        self.lock.release()
        self.held = False

    def reacquire(self):
        """After `release`: the lock again (quietly: the command already said what it waits
        for), and the engine as the other commands left it."""
        return self._take(None)

    def _take(self, notify):
        self.lock.acquire(notify)
        try:
            self.engine = load(self.folder, self.fresh)
        except BaseException:
            self.lock.release()
            raise
        self.held = True
        self.engine.catch_up()
        return self.engine


def load(folder: str, fresh=None):
    """The Engine saved in `folder`, or a new Engine (`fresh()`, default `Engine()`) when the
    folder has no state yet."""
    from ..engine.engine import Engine

    path = os.path.join(folder, FILENAME)
    if not os.path.exists(path):
        return (fresh or Engine)()
    try:
        with open(path, "rb") as f:
            saved = pickle.load(f)
    except Exception as e:   # a truncated or foreign file: any unpickling error means unusable
        raise StateError("cannot load the simulator state from %s (%s: %s); delete %s to start afresh"
                         % (path, type(e).__name__, e, folder)) from None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise StateError("the simulator state in %s was written by another version (format %r, this one "
                         "reads %d); delete %s to start afresh"
                         % (path, saved.get("format") if isinstance(saved, dict) else None, FORMAT, folder))
    return saved["engine"]


def save(folder: str, engine) -> None:
    """Write `engine` to `folder` atomically (a crash never leaves half a state). Raises
    StateError with one line when it cannot be written (the previous state, if any, stays)."""
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".engine-")
        with os.fdopen(fd, "wb") as f:
            cloudpickle.dump({"format": FORMAT, "engine": engine}, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, os.path.join(folder, FILENAME))
    except BaseException as e:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if not isinstance(e, Exception):     # KeyboardInterrupt, SystemExit: not a save error
            raise
        reason = e.strerror if isinstance(e, OSError) and e.strerror else "%s: %s" % (type(e).__name__, e)
        raise StateError("cannot save the simulator state in %s: %s" % (folder, reason)) from None
