"""Volumes: named and anonymous `local` volumes, and the mounts of each container.

Behaviour of Docker Engine 20.10 (moby `volume/local/local.go`, `volume/service/
{service,store,errors}.go`, `daemon/volumes.go registerMountPoints`, `daemon/create_unix.go
createContainerOSSpecificSettings`, `daemon/mounts.go removeMountPoints`,
`container/container_unix.go CopyImagePathContent`):

- a volume is a folder `/var/lib/docker/volumes/<name>/_data`; here each volume's files
  live in a store of their own (a `UnionFS` over nothing), which `MountedFS` lays over
  the container's view at the mount's destination;
- `-v name:/path` creates the volume on first use; `-v /path` and each image `VOLUME`
  (that no `-v` covers) get an anonymous volume with a 64-hex name (20.10 gives them no
  label: `com.docker.volume.anonymous` came with API 1.42);
- at container create, every volume mount without `nocopy` whose volume is empty gets
  the image's content at the destination copied in (bind mounts never copy);
- a volume is in use while any container (in any state) mounts it; `rm -v`/`--rm`
  delete the container's anonymous mounts' volumes unless another container uses them;
- `volume prune` (20.10) removes every unused volume, named ones too.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..model.events import Event, plural
from ..model.fs import Tree, UnionFS
from ..model.image import Image, short_id
from ..model.layer import Kind
from .errors import Conflict, InvalidParameter, NotFound
from .mounts import MountedFS, Mount, parse_volume_spec, read_folder

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")   # moby `names.RestrictedNamePattern`
VOLUMES_ROOT = "/var/lib/docker/volumes"
# What the daemon bind-mounts into every container (moby container/container_unix.go NetworkMounts).
RUNTIME_FILES = ("/etc/resolv.conf", "/etc/hostname", "/etc/hosts")


@dataclass
class Volume:
    """One volume. labels/options are None when it was created by a mount (`null` in JSON)."""

    name: str
    created: datetime
    fs: UnionFS
    labels: dict[str, str] | None = None
    options: dict[str, str] | None = None
    refs: set[str] = field(default_factory=set)     # IDs of the containers that mount it

    @property
    def mountpoint(self) -> str:
        return f"{VOLUMES_ROOT}/{self.name}/_data"

    @property
    def size(self) -> int:
        """Bytes of its files and symlinks, directories not counted (moby `directory.Size`)."""
        return sum(entry.size for entry in self.fs.upper.values())

    @property
    def empty(self) -> bool:
        return not any(path != "/" for path in self.fs.upper)

    def inspect(self) -> dict[str, Any]:
        """`docker volume inspect` JSON (`api/types Volume`; CreatedAt in RFC 3339 seconds)."""
        return {
            "CreatedAt": self.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Driver": "local",
            "Labels": None if self.labels is None else dict(sorted(self.labels.items())),
            "Mountpoint": self.mountpoint,
            "Name": self.name,
            "Options": None if self.options is None else dict(sorted(self.options.items())),
            "Scope": "local",
        }


class Volumes:
    """The volume service of an engine, and the mount points of its containers."""

    def __init__(self, engine):
        self.engine = engine
        self.volumes: dict[str, Volume] = {}
        self.mounts: dict[str, list[Mount]] = {}     # container ID -> its mounts
        self.host = UnionFS(Tree({}))                 # the simulated host, which bind mounts show
        self.copied: list[str] = []                   # real folders copied into `host` so far

    # -- the volume store ---------------------------------------------------------------
    def create(self, name: str | None = None, driver: str = "local", labels: dict[str, str] | None = None,
               options: dict[str, str] | None = None) -> Volume:
        """Create a volume, or return the existing one of that name (moby `VolumesService.Create`).

        Raises InvalidParameter for a bad name, NotFound for a driver other than `local`.
        """
        if name is None:
            name = self.engine.ids.hex64("volume")
        if driver != "local":
            raise NotFound(f"create {name}: error looking up volume plugin {driver}: plugin \"{driver}\" not found")
        check_name(name)
        if name in self.volumes:
            return self.volumes[name]
        volume = Volume(name, self.engine.clock.now(), UnionFS(Tree({})), labels, options)
        self.volumes[name] = volume
        self.engine.emit(Event("volume.created", f"volume {_shown(name)} created: an empty folder at "
                               f"{volume.mountpoint}, outside every container's layers", {"name": name}))
        return volume

    def get(self, name: str) -> Volume:
        """The volume called `name`; NotFound(`get <name>: no such volume`)."""
        volume = self.volumes.get(name)
        if volume is None:
            raise NotFound(f"get {name}: no such volume")
        return volume

    def list(self) -> list[Volume]:
        return [self.volumes[n] for n in sorted(self.volumes)]

    def remove(self, name: str, force: bool = False) -> None:
        """`docker volume rm`: Conflict while in use; NotFound unless `force`."""
        volume = self.volumes.get(name)
        if volume is None:
            if force:
                return
            raise NotFound(f"get {name}: no such volume")
        if volume.refs:
            raise Conflict(f"remove {name}: volume is in use - [{' '.join(sorted(volume.refs))}]")
        del self.volumes[name]
        self.engine.emit(Event("volume.removed", f"volume {_shown(name)} removed with its "
                               f"{plural(volume.size, 'byte')} of data", {"name": name, "size": volume.size}))

    def prune(self, keep: set[str] = frozenset()) -> tuple[list[str], int]:
        """Remove every volume no container uses, but those in `keep`: (names removed, bytes reclaimed)."""
        names = [v.name for v in self.list() if not v.refs and v.name not in keep]
        reclaimed = sum(self.volumes[n].size for n in names)
        for name in names:
            self.remove(name)
        return names, reclaimed

    # -- containers' mounts -----------------------------------------------------------
    def attach(self, container_id: str, image: Image | None, binds: list[str], cwd: str | None = None) -> list[Mount]:
        """Set up a new container's mounts: `-v` values (`binds`), then the image's VOLUMEs.

        Creates missing volumes, copies the image's content into empty ones, and records
        the container as a user of each. Bind mounts show the simulated host (`host`);
        `cwd` is the folder whose real content it starts from (see `_bind`).
        Raises InvalidParameter with the daemon's message, creating nothing.
        """
        specs = [parse_volume_spec(b) for b in binds]
        seen: set[str] = set()
        for spec in specs:
            if spec.destination in seen:
                raise InvalidParameter(f"Duplicate mount point: {spec.destination}")
            seen.add(spec.destination)
            if spec.source and not spec.is_bind:
                check_name(spec.source)
        tree = self.engine.images.tree(image)
        image_volumes = sorted(posixpath.normpath(p) for p in ((image.run_config.get("Volumes") if image else None)
                                                               or {}))
        for dest in image_volumes:
            entry = tree.get(dest)
            if dest not in seen and entry is not None and entry.kind is not Kind.DIR:
                raise InvalidParameter("cannot mount volume over existing file, file exists "
                                       f"/var/lib/docker/overlay2/{container_id}/merged{dest}")
        mounts: list[Mount] = []
        for spec in specs:
            if spec.is_bind:
                mounts.append(self._bind(spec.source, spec.destination, spec.mode, cwd))
                continue
            volume = self.create(spec.source or None)
            mounts.append(self._use(volume, container_id, spec.destination, spec.mode or "z",
                                    not spec.read_only, bool(spec.source), spec.copy, tree))
        for dest in image_volumes:
            if dest not in seen:
                volume = self.create()
                mounts.append(self._use(volume, container_id, dest, "", True, False, True, tree))
        self.mounts[container_id] = mounts
        self._lay_over_snapshot(container_id)
        return mounts

    def make_runtime_targets(self, container_id: str) -> None:
        """At each start the runtime bind-mounts the network files (`RUNTIME_FILES`) into the
        container, creating their targets first: under a volume mounted over their folder
        (`-v vol:/etc`) the targets are empty files made in the volume, and they stay there
        (Docker 20.10 recording, volume-seeding scenario)."""
        for mount in self.mounts.get(container_id, []):
            if mount.kind != "volume":
                continue
            for path in RUNTIME_FILES:
                target = "/" + posixpath.basename(path)
                if posixpath.dirname(path) == mount.destination and not mount.fs.exists(target):
                    mount.fs.write(target, b"")
                    self.engine.emit(Event("volume.mount_target", f"{path} is mounted over by the runtime: an "
                                           f"empty file was made for it in volume {_shown(mount.name)}",
                                           {"name": mount.name, "path": path}))

    def _lay_over_snapshot(self, container_id: str) -> None:
        """Make the container's snapshot the mounted view, so that its processes, `exec` and
        `cp` all see the mounts."""
        if self.mounts.get(container_id):
            self.engine.backend.lay_over(container_id, lambda fs: self.wrap(container_id, fs))

    def _use(self, volume: Volume, container_id: str, dest: str, mode: str, rw: bool, named: bool,
             copy: bool, tree: Tree) -> Mount:
        volume.refs.add(container_id)
        if copy:
            self._seed(volume, tree, dest)
        self.engine.emit(Event("volume.mounted", f"volume {_shown(volume.name)} will appear at {dest} in "
                               f"container {short_id(container_id)}; writes there bypass the container's layer",
                               {"name": volume.name, "container": container_id, "destination": dest}))
        return Mount("volume", volume.name, volume.mountpoint, dest, mode, rw, named, volume.fs)

    def _seed(self, volume: Volume, tree: Tree, dest: str) -> None:
        """Copy-on-first-use: an empty volume gets the image's folder at `dest` (with its owner and mode)."""
        top = tree.get(dest)
        if not volume.empty or top is None or top.kind is not Kind.DIR:
            return
        prefix = dest + "/"
        copied = {path[len(dest):]: entry for path, entry in tree.entries.items() if path.startswith(prefix)}
        volume.fs.upper["/"] = top
        volume.fs.upper.update(copied)
        self.engine.emit(Event("volume.seeded", f"the image's {dest} ({plural(len(copied), 'entry', 'entries')}) was copied into the "
                               f"empty volume {_shown(volume.name)}", {"name": volume.name, "destination": dest}))

    def _bind(self, source: str, dest: str, mode: str, cwd: str | None) -> Mount:
        """A bind mount of the simulated host folder `source`. A folder inside the working
        directory `cwd` is first copied from the real host, the first time a container binds
        it (or a folder above it): later changes on either side are not seen by the other,
        and nothing a container does reaches the real files. A missing source is created,
        as Docker does for `-v`, in the simulated host only."""
        rw = "ro" not in mode.split(",")
        if _on_real_host(source, cwd):
            self._copy_real_folder(source)
        self.host.mkdir(source, parents_too=True)
        return Mount("bind", "", source, dest, mode, rw, True, _Subtree(self.host, source))

    def _copy_real_folder(self, folder: str) -> None:
        folder = posixpath.normpath(folder)
        if any(folder == done or folder.startswith(done.rstrip("/") + "/") for done in self.copied):
            return
        self.host.mkdir(folder, parents_too=True)
        copied = 0
        for path, entry in read_folder(folder).items():
            full = folder.rstrip("/") + path
            if not any(full == done or full.startswith(done.rstrip("/") + "/") for done in self.copied):
                self.host.upper[full] = entry
                copied += 1
        self.copied.append(folder)
        self.engine.emit(Event("volume.bind_copied", f"host folder {folder} ({plural(copied, 'entry', 'entries')}) copied into the "
                               "simulation for bind mounts; containers change the copy, never the real files",
                               {"source": folder, "entries": copied}))

    def mounts_of(self, container_id: str) -> list[Mount]:
        return list(self.mounts.get(container_id, []))

    def wrap(self, container_id: str, fs: UnionFS) -> UnionFS:
        """The container's view with its mounts over it (the view itself when it has none)."""
        mounts = self.mounts.get(container_id)
        if not mounts:
            return fs
        return MountedFS(fs, mounts)

    def release(self, container_id: str, remove_anonymous: bool) -> list[str]:
        """A container is removed: it stops using its volumes; with `remove_anonymous`
        (`rm -v`, `--rm`) the volumes of its anonymous mounts go too, unless still in use.
        Returns the names of the volumes removed."""
        removed = []
        for mount in self.mounts.pop(container_id, []):
            volume = self.volumes.get(mount.name) if mount.kind == "volume" else None
            if volume is None:
                continue
            volume.refs.discard(container_id)
            if remove_anonymous and not mount.named and not volume.refs:
                self.remove(volume.name)
                removed.append(volume.name)
        return removed


class _Subtree(UnionFS):
    """A folder of another view, seen as a root (a bind mount of the simulated host)."""

    def __init__(self, host: UnionFS, folder: str):
        super().__init__(host.lower, None, host.now, host.observe)
        self.host = host
        self.folder = folder
        self.upper = host.upper

    def _at(self, path: str) -> str:
        return posixpath.normpath(self.folder + path) if path != "/" else self.folder

    def get(self, path: str):
        return self.host.get(self._at(path))

    def listdir(self, path: str) -> list[str]:
        return self.host.listdir(self._at(path))

    def _put(self, path, entry) -> None:
        self.host._put(self._at(path), entry)

    def write(self, path, data, append=False, mode=0o644, uid=0, gid=0) -> None:
        self.host.write(self._at(path), data, append=append, mode=mode, uid=uid, gid=gid)

    def set_meta(self, path, mode=None, uid=None, gid=None, touch=False) -> None:
        self.host.set_meta(self._at(path), mode=mode, uid=uid, gid=gid, touch=touch)

    def copy_up(self, path) -> None:
        self.host.copy_up(self._at(path))

    def link(self, existing, path) -> None:
        self.host.link(self._at(existing), self._at(path))

    def remove(self, path, recursive=False) -> None:
        self.host.remove(self._at(path), recursive=recursive)


def check_name(name: str) -> None:
    """The local driver's name rule (moby `volume/local/local.go validateName`)."""
    if not NAME_PATTERN.match(name):
        raise InvalidParameter(
            f'create {name}: "{name}" includes invalid characters for a local volume name, only '
            '"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path')


def _on_real_host(source: str, cwd: str | None) -> bool:
    if not cwd:
        return False
    root = posixpath.normpath(cwd)
    return source == root or source.startswith(root.rstrip("/") + "/")


def _shown(name: str) -> str:
    return name[:12] if len(name) == 64 else name

