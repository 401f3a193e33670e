"""Shared by the Linux executor's tests: a place for state roots, and what a root left behind.

`linux_root()` yields a temporary folder in which the executor can work (root, overlayfs,
cgroups), removed afterwards with everything in it; where the host cannot, the test skips
with the reason, or fails under CI (`CI` set). `leftovers(root)` lists what an engine on
`root` left: mounts under it, its containers' cgroups, processes holding something under it;
`cgroup_dirs(root)` the engine's parent cgroups (there while it lives, gone after a reset).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile

import pytest

from simulator.backend.linux import ExecutorUnavailable
from simulator.backend.linux import mount as linux_mount

CGROUP_ROOT = "/sys/fs/cgroup"


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"real executor unavailable in CI: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def linux_root():
    parent = tempfile.mkdtemp(prefix="simulator-linux-", dir="/var/tmp")
    try:
        try:
            from simulator.backend.linux.backend import LinuxBackend
            LinuxBackend(os.path.join(parent, "probe")).reset()
        except ExecutorUnavailable as err:
            unavailable(str(err))
        yield parent
    finally:
        linux_mount.unmount_all(parent)
        shutil.rmtree(parent, ignore_errors=True)


def cgroup_dirs(root: str) -> list[str]:
    """The engine's parent cgroup folders (one per hierarchy) for state root `root`."""
    name = "simulator-" + hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:12]
    found = []
    for top, dirs, _ in os.walk(CGROUP_ROOT):
        if os.path.basename(top) == name:
            found.append(top)
            dirs.clear()
    return sorted(found)


def processes_under(root: str) -> list[int]:
    """PIDs of processes whose root directory, cwd or an open file lies under `root` (a
    shim holds its log open; a container's processes are also found by their cgroups)."""
    real = os.path.realpath(root)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            links = ["root", "cwd"] + [f"fd/{fd}" for fd in os.listdir(f"/proc/{entry}/fd")]
        except OSError:
            continue
        for link in links:
            try:
                target = os.readlink(f"/proc/{entry}/{link}")
            except OSError:
                continue
            if target == real or target.startswith(real + "/"):
                pids.append(int(entry))
                break
    return sorted(pids)


def leftovers(root: str) -> list[str]:
    """What the engine on `root` left behind, one line each (empty: nothing)."""
    out = [f"mount {m}" for m in linux_mount.mounts_under(os.path.realpath(root))]
    out += [f"cgroup {os.path.join(d, child)}" for d in cgroup_dirs(root) for child in sorted(os.listdir(d))
            if os.path.isdir(os.path.join(d, child))]
    out += [f"process {pid}" for pid in processes_under(root)]
    return out
