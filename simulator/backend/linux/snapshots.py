"""Real snapshots on overlayfs, after containerd's overlay snapshotter.

State root layout (containerd `snapshots/overlay`, with layers shared by diffID):

    <root>/layers/<diffID hex>/diff        a layer, extracted once, read-only by convention
    <root>/snapshots/<key>/fs              the snapshot's upper directory (its changes)
    <root>/snapshots/<key>/work            overlayfs' work directory
    <root>/snapshots/<key>/merged          the mount point: what a container sees
    <root>/snapshots/<key>/lower           the diffIDs below it, top first, one a line

A snapshot over layers is an overlay mount (`lowerdir` top first); over no layer, its `fs`
is bind-mounted on `merged`, as containerd does. Every method leaves no mount behind when
it fails, and `cleanup()` unmounts whatever is under the root (found in
/proc/self/mountinfo, so also after a crash) and removes the root.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

from ...model.fs import Tree, UnionFS
from ...model.layer import Entry, Layer
from . import mount as _mount
from .mount import ExecutorUnavailable
from .overlaydir import extract, read_changeset

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


class LinuxSnapshots:
    """Layers and writable snapshots under the state root `root` (made if missing).

    Raises ExecutorUnavailable (one line: why, and what to do) when this host cannot mount
    overlayfs there: not Linux, not root, no overlayfs, or an unsuitable filesystem.
    """

    def __init__(self, root: str | os.PathLike):
        _mount.require_root()
        try:
            os.makedirs(root, exist_ok=True)
        except OSError as err:
            raise ExecutorUnavailable(f"cannot create the state root {root} ({err.strerror}): "
                                      "choose another with --root DIR") from None
        self.root = os.path.realpath(root)
        _mount.probe(self.root)
        os.makedirs(os.path.join(self.root, "layers"), exist_ok=True)
        os.makedirs(os.path.join(self.root, "snapshots"), exist_ok=True)

    # -- layers -----------------------------------------------------------------------
    def layer_path(self, layer: Layer) -> str:
        return os.path.join(self.root, "layers", _hex(layer.diff_id), "diff")

    def add_layer(self, layer: Layer) -> str:
        """Extract `layer` (once per diffID) and return its directory. The extraction goes
        to a temporary folder renamed into place, so a layer directory is always whole."""
        final = self.layer_path(layer)
        if os.path.isdir(final):
            return final
        staging = tempfile.mkdtemp(prefix=".extract-", dir=os.path.join(self.root, "layers"))
        try:
            extract(layer, os.path.join(staging, "diff"))
            os.rename(staging, os.path.dirname(final))
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not os.path.isdir(final):
                raise   # not another extraction of the same layer that finished first
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return final

    def add_tar(self, fileobj) -> Layer:
        """Read an OCI layer tar (Layer.from_tar refuses tar-slip, device nodes and hostile
        whiteout names) and extract it; returns the Layer."""
        layer = Layer.from_tar(fileobj)
        self.add_layer(layer)
        return layer

    # -- snapshots --------------------------------------------------------------------
    def _dir(self, key: str) -> str:
        if not _KEY.fullmatch(key):
            raise ValueError(f"invalid snapshot key {key!r}: letters, digits, '_', '.', '-' (not first)")
        return os.path.join(self.root, "snapshots", key)

    def prepare(self, key: str, layers: list[Layer]) -> str:
        """A writable snapshot over `layers` (base first), mounted; returns its mount point.
        Raises KeyError if `key` exists; on any failure nothing of it stays (no mount, no folder)."""
        place = self._dir(key)
        if os.path.exists(place):
            raise KeyError(key)
        lowers = [self.add_layer(layer) for layer in reversed(layers)]
        upper, work, merged = (os.path.join(place, d) for d in ("fs", "work", "merged"))
        os.mkdir(place, 0o700)
        try:
            for d in (upper, work, merged):
                os.mkdir(d, 0o755)
            with open(os.path.join(place, "lower"), "w", encoding="ascii") as f:
                f.writelines(f"{_hex(layer.diff_id)}\n" for layer in reversed(layers))
            if lowers:
                _mount.mount("overlay", merged, "overlay", 0, _mount.overlay_options(lowers, upper, work))
            else:
                _mount.mount(upper, merged, "", _mount.MS_BIND)
        except BaseException:
            self._discard(place)
            raise
        return merged

    def get(self, key: str) -> str:
        """The mount point of snapshot `key`; KeyError if there is none."""
        merged = os.path.join(self._dir(key), "merged")
        if not os.path.isdir(merged):
            raise KeyError(key)
        return merged

    def keys(self) -> list[str]:
        return sorted(os.listdir(os.path.join(self.root, "snapshots")))

    def changes(self, key: str) -> dict[str, Entry]:
        """The snapshot's upper directory as a changeset (see overlaydir.read_changeset)."""
        self.get(key)
        return read_changeset(os.path.join(self._dir(key), "fs"))

    def commit(self, key: str) -> Layer:
        """The snapshot's changes as an immutable Layer (the snapshot stays mounted)."""
        return Layer.of(self.changes(key))

    def lower_layers(self, key: str) -> list[Layer]:
        """The layers below snapshot `key`, base first, read back from their directories."""
        with open(os.path.join(self._dir(key), "lower"), encoding="ascii") as f:
            ids = f.read().split()
        return [Layer.of(read_changeset(os.path.join(self.root, "layers", h, "diff"))) for h in reversed(ids)]

    def diff(self, key: str) -> list[tuple[str, str]]:
        """`docker diff` of snapshot `key`: its upper over its layers, by the model's rules."""
        return UnionFS(Tree.from_layers(self.lower_layers(key)), self.changes(key)).changes()

    def remove(self, key: str) -> None:
        """Unmount snapshot `key` and delete it with its changes; KeyError if there is none."""
        self.get(key)
        self._discard(self._dir(key))

    def _discard(self, place: str) -> None:
        _mount.unmount_all(place)
        shutil.rmtree(place)

    def cleanup(self) -> None:
        """Unmount everything under the root (also what a crashed run left) and remove the
        root. Raises OSError, deleting nothing, if a mount cannot be undone."""
        _mount.unmount_all(self.root)
        shutil.rmtree(self.root)


def _hex(digest: str) -> str:
    return digest.partition(":")[2]
