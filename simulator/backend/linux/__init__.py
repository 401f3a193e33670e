"""The real Linux executor: the model's layers and snapshots on a real kernel.

`LinuxSnapshots` keeps layers as directories and containers' filesystems as overlay mounts
under a state root (snapshots.py); `overlaydir.py` converts between model Layers and
overlayfs directories; `mount.py` wraps mount(2)/umount2(2) and reads the mount table.
All of it needs root and overlayfs; otherwise `ExecutorUnavailable` says why in one line.
"""

from .mount import ExecutorUnavailable
from .snapshots import LinuxSnapshots

__all__ = ["ExecutorUnavailable", "LinuxSnapshots"]
