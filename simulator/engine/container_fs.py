"""A container's writable layer: `docker diff`, `docker commit` and `docker cp`.

Sources: moby `daemon/changes.go` (diff of the RW layer against the image, model in
`model/fs.py`), `daemon/commit.go` + `daemon/images/image_commit.go` (the RW layer becomes
one new layer, or an `empty_layer` history entry when nothing changed; history
`created_by` = the container's Cmd joined by spaces; `--change` limited to
`validCommitCommands`, parsed as Dockerfile lines), `daemon/archive.go` (cp: a path that
does not exist is `No such container:path: <c>:<path>`; the tar streams of `docker cp`
with `-` are `container_archive.py`'s).
"""

from __future__ import annotations

import posixpath
from typing import Callable, Iterable

import dockerfile

from ..model.events import Event, plural
from ..model.fs import FSError
from ..model.image import Image
from ..model.layer import Entry, Kind, normpath
from ..model.reference import parse
from . import container_archive, states
from .errors import DockerError, InvalidParameter, NotFound
from .scope import follow_in_scope

COMMIT_CHANGES = ("cmd", "entrypoint", "env", "expose", "healthcheck", "label", "onbuild",
                  "stopsignal", "user", "volume", "workdir")


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _pairs(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(_unquote(values[i]), _unquote(values[i + 1])) for i in range(0, len(values) - 1, 2)]


def apply_changes(config: dict, changes: Iterable[str]) -> dict:
    """Apply `--change` Dockerfile lines to a container config (a new dict).
    InvalidParameter(`<instr> is not a valid change command`) for other instructions."""
    config = dict(config)
    for text in changes:
        for cmd in dockerfile.parse_string(text):
            instr = cmd.cmd.lower()
            if instr not in COMMIT_CHANGES:
                raise InvalidParameter(f"{instr} is not a valid change command")
            value = list(cmd.value)
            if instr in ("cmd", "entrypoint"):
                key = "Cmd" if instr == "cmd" else "Entrypoint"
                config[key] = value if cmd.json else ["/bin/sh", "-c", " ".join(value)]
            elif instr == "env":
                env = {e.partition("=")[0]: e for e in config.get("Env") or []}
                for k, v in _pairs(tuple(value)):
                    env[k] = f"{k}={v}"
                config["Env"] = list(env.values())
            elif instr == "label":
                config["Labels"] = {**(config.get("Labels") or {}), **dict(_pairs(tuple(value)))}
            elif instr == "expose":
                ports = dict(config.get("ExposedPorts") or {})
                for p in value:
                    ports[p if "/" in p else f"{p}/tcp"] = {}
                config["ExposedPorts"] = ports
            elif instr == "volume":
                config["Volumes"] = {**(config.get("Volumes") or {}), **{v: {} for v in value}}
            elif instr == "onbuild":
                config["OnBuild"] = list(config.get("OnBuild") or []) + [" ".join(value)]
            else:
                key = {"user": "User", "workdir": "WorkingDir", "stopsignal": "StopSignal",
                       "healthcheck": "Healthcheck"}[instr]
                config[key] = " ".join(value)
    return config


class CopyRefused(Exception):
    """A copy the docker CLI refuses before any request (cli 20.10 `pkg/archive/copy.go`
    ErrCannotCopyDir, ErrDirNotExists): printed as it is, exit 1."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def copies_contents(src: str) -> bool:
    """`docker cp` SRC_PATH ending in `/.`: the directory's contents are copied, not the
    directory itself (docker cp reference, "SRC_PATH specifies a directory")."""
    return src.endswith(("/.", "/./"))


def placement(dest: str, root: str, into: bool) -> Callable[[str], str]:
    """Where each copied item lands, for items named as `read_tree` names them (`root` the
    first, the copied file or directory): under `dest` when `into` (an existing directory
    and not a `/.` copy), otherwise `root` becomes `dest` (tar extraction, moby
    `pkg/archive/copy.go` PrepareArchiveCopy)."""
    if into:
        return lambda rel: posixpath.join(dest, rel)
    return lambda rel: dest + rel[len(root):]


class ContainerFiles:
    """diff, commit and cp over the engine's containers and backend."""

    def __init__(self, engine):
        self.engine = engine

    def diff(self, ref: str) -> list[tuple[str, str]]:
        """`docker diff`: (A|C|D, path), parents before children."""
        c = self.engine.containers.get(ref)
        return self.engine.backend.get(c.id).changes()

    def commit(self, ref: str, repo_tag: str | None = None, message: str = "", author: str = "",
               changes: Iterable[str] = (), pause: bool = True) -> Image:
        """`docker commit`: a new image = the container's image + its writable layer."""
        containers = self.engine.containers
        c = containers.get(ref)
        states.outcome("commit", c.state, ref, c.id)
        target = parse(repo_tag) if repo_tag else None
        container_config = dict(c.config)
        config = apply_changes(container_config, changes)
        paused_here = pause and c.state == states.RUNNING
        if paused_here:
            self.engine.emit(Event("container.commit_pause", f"container {c.name} is frozen while its "
                                   "writable layer is copied, so the copy is consistent", {"id": c.id}))
        layer = self.engine.backend.commit(c.id)
        parent = self.engine.images.images[c.image_id]
        now = self.engine.now()
        diff_ids = parent.diff_ids
        history = parent.history
        entry = {"created": now, "created_by": " ".join(container_config.get("Cmd") or [])}
        if author:
            entry["author"] = author
        if message:
            entry["comment"] = message
        if layer.empty:
            entry["empty_layer"] = True
        else:
            self.engine.images.add_layer(layer)
            diff_ids = diff_ids + [layer.diff_id]
        body = {
            "architecture": parent.get("architecture", "amd64"), "os": parent.get("os", "linux"),
            "author": author, "comment": message, "config": config, "container": c.id,
            "container_config": container_config, "created": now, "docker_version": "20.10.24",
            "history": history + [entry], "parent": parent.id,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }
        image = self.engine.images.add_image(Image.from_config(body), refs=[target] if target else [])
        self.engine.emit(Event("image.committed", f"the writable layer of {c.name} became image "
                               f"{image.short_id} on top of {parent.short_id}"
                               + (f", tagged {target}" if target else "")
                               + (" (nothing changed: no new layer)" if layer.empty else ""),
                               {"id": image.id, "container": c.id, "parent": parent.id}))
        return image

    # -- cp --------------------------------------------------------------------------------
    def _view(self, ref: str, path: str):
        containers = self.engine.containers
        c = containers.find(ref)
        if c is None:
            raise NotFound(f"No such container:path: {ref}:{path}")
        return c, self.engine.backend.get(c.id)

    def read_tree(self, ref: str, path: str, follow_link: bool = False) -> list[tuple[str, Entry, bytes]]:
        """`docker cp c:path -`: (path relative to the copied item's parent, entry, data), parents first.
        The first item is the copied file or directory itself. A last component that is a
        symlink is copied as the link, unless the path ends in `/` or `/.` (moby
        `container/archive.go` ResolvePath resolves only the parent of the base name) or
        `follow_link` (`docker cp -L`)."""
        _, fs = self._view(ref, path)
        try:
            real = fs.resolve(normpath(path), follow=follow_link or path.endswith(("/", "/.")))
            if fs.get(real) is None:
                raise FSError(2, path)
        except FSError:
            raise NotFound(f"No such container:path: {ref}:{path}") from None
        base = posixpath.dirname(real)
        out = []
        for p, e in fs.walk(real):
            data = fs.read(p) if e.kind is Kind.FILE else b""
            out.append((posixpath.relpath(p, base), e, data))
        return out

    def write_tree(self, ref: str, dest: str, items: list[tuple[str, Entry, bytes]],
                   contents_only: bool = False) -> None:
        """`docker cp LOCAL c:dest`: items as `read_tree` gives them. Into `dest` if it is a
        directory, else as `dest` itself (tar extraction semantics, moby `daemon/archive.go`).
        `contents_only` (a source path ending in `/.`, docker cp's reference): a directory's
        contents go into an existing `dest` directory rather than the directory itself.
        A file lands as a new inode: an existing non-directory at its name is removed first
        (moby `pkg/archive` Unpack), so the name's other hard links keep the old data.

        Refusals, in the order Docker 20.10 meets them, each before the item it concerns is
        written: CopyRefused `cannot copy directory` (a directory onto an existing
        non-directory) and `no such directory` (a non-directory onto a `dest` ending in `/`
        that is no directory), cli archive.PrepareArchiveCopy; NotFound `No such
        container:path: <c>:<dir>` and DockerError `extraction point is not a directory` for
        the folder it extracts into (daemon containerExtractToDir); ArchiveError `cannot
        overwrite non-directory "/etc/passwd" with directory "/etc"` and the reverse (Unpack
        with NoOverwriteDirNonDir)."""
        c, fs = self._view(ref, dest)
        target = normpath(dest)
        try:
            existing = fs.stat(target)
        except FSError:
            existing = None
        if dest.endswith("/") and existing is not None and existing.kind is not Kind.DIR:
            existing = None   # the CLI's stat of `file/` fails (ENOTDIR): no destination
        source_dir = items[0][1].kind is Kind.DIR
        if existing is not None and existing.kind is not Kind.DIR and source_dir:
            raise CopyRefused("cannot copy directory")
        if existing is None and not source_dir and dest.endswith(("/", "/.")):
            raise CopyRefused("no such directory")
        into = existing is not None and existing.kind is Kind.DIR and not contents_only
        # A file that exists is reached through a link at `dest`, as the CLI follows the
        # stat's LinkTarget; otherwise the item takes `dest`'s name in its parent.
        at = fs.resolve(target) if existing is not None and existing.kind is not Kind.DIR else target
        folder = target if existing is not None and existing.kind is Kind.DIR else posixpath.dirname(at)
        try:
            if fs.stat(folder).kind is not Kind.DIR:
                raise DockerError("extraction point is not a directory")
        except FSError:
            raise NotFound(f"No such container:path: {ref}:{folder}") from None
        place = placement(target, items[0][0], into)
        with self.engine.containers.file_events.held("docker cp"):
            for rel, entry, data in items:
                path = place(rel)
                real = fs.resolve(path, follow=path == target and not into)
                old = fs.get(real) if fs.exists(real, follow=False) else None
                if old is not None:
                    container_archive.refuse_overwrite(old, entry.kind is Kind.DIR, real, folder)
                if entry.kind is Kind.DIR:
                    if old is None:
                        fs.mkdir(real, entry.mode, uid=entry.uid, gid=entry.gid)
                elif entry.kind is Kind.SYMLINK:
                    if old is not None:
                        fs.remove(real)
                    fs.symlink(entry.target, real)
                else:
                    # a new file, not a write through the old inode (moby Unpack removes an
                    # existing non-directory first): its other hard-linked names keep their data.
                    if old is not None:
                        fs.remove(real)
                    fs.write(real, data, mode=entry.mode, uid=entry.uid, gid=entry.gid)
            self.engine.emit(Event("container.cp", f"{plural(len(items), 'entry', 'entries')} copied into "
                                   f"{c.name}:{dest}; they land in the container's writable layer",
                                   {"id": c.id, "dest": dest}))
        self.engine.containers.files_changed()

    # -- cp with `-`: tar streams -------------------------------------------------------------
    def archive(self, ref: str, path: str, follow_link: bool = False) -> bytes:
        """`docker cp [-L] CONTAINER:PATH -`: the tar the daemon sends (`container_archive`).
        With `follow_link` a symbolic link is replaced by where it leads, every link followed
        in the container's root, as the CLI does with the daemon's stat (its LinkTarget).
        NotFound `No such container:path: <c>:<path>` for a missing container or path;
        DockerError for a file named as a directory."""
        c, fs = self._view(ref, path)
        merged = c.layer_paths()["MergedDir"]
        if follow_link:
            try:
                real, _ = container_archive.locate(fs, path, merged)
                if fs.get(real).kind is Kind.SYMLINK:
                    path = follow_in_scope(fs, real, merged)
            except (FSError, DockerError):
                pass   # the CLI ignores a failed stat: the archive request reports it
        try:
            return container_archive.archive(fs, path, merged)
        except FSError:
            raise NotFound(f"No such container:path: {ref}:{path}") from None

    def extract_point(self, ref: str, path: str) -> str | None:
        """Where `docker cp - CONTAINER:PATH` extracts, as the CLI finds it with the daemon's
        stat (cli 20.10 `cp.go` copyToContainer): a symbolic link at PATH is replaced by the
        stat's LinkTarget, where it leads with every link followed in the container's root.
        None when that is no existing directory, or the container does not exist (the CLI
        then says `destination "c:path" must be a directory`)."""
        c = self.engine.containers.find(ref)
        if c is None:
            return None
        fs = self.engine.backend.get(c.id)
        merged = c.layer_paths()["MergedDir"]
        try:
            real, _ = container_archive.locate(fs, path, merged)
            if fs.get(real).kind is Kind.SYMLINK:
                real, _ = container_archive.locate(fs, follow_in_scope(fs, real, merged), merged)
        except (FSError, DockerError):
            return None
        return real if fs.get(real).kind is Kind.DIR else None

    def extract(self, ref: str, dest: str, data: bytes) -> None:
        """`docker cp - CONTAINER:DEST`: unpack the tar stream `data` into the directory
        `dest` (`extract_point`'s answer), every link followed in the container's root
        (moby containerExtractToDir). DockerError `mounted volume is marked read-only`
        when it lies in a read-only mount; the untar's errors (`container_archive.extract`),
        after which what was extracted before stays."""
        c, fs = self._view(ref, dest)
        real = follow_in_scope(fs, dest, c.layer_paths()["MergedDir"])
        for mount in getattr(fs, "mounts", ()):   # daemon checkIfPathIsInAVolume
            inside = real == mount.destination or real.startswith(mount.destination.rstrip("/") + "/")
            if inside and not mount.rw:
                raise DockerError("mounted volume is marked read-only")
        try:
            with self.engine.containers.file_events.held("docker cp"):
                count = container_archive.extract(fs, real, data)
                self.engine.emit(Event("container.cp", f"{plural(count, 'entry', 'entries')} unpacked from a "
                                       f"tar stream into {c.name}:{dest}; they land in the container's "
                                       "writable layer", {"id": c.id, "dest": dest}))
        finally:
            self.engine.containers.files_changed()
