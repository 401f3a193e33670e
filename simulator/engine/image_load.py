"""`docker load`: the images of a `docker save` archive or an OCI image layout, all or nothing.

    report = load(engine, archive_bytes)    # raises ArchiveError (a DockerError) with the daemon's text
    report.output                           # what `docker load` prints: "Loaded image: busybox:latest\\n"

The archive is unpacked in memory (`archive_fs.ArchiveFS`, as moby's chroot untar would place
it) and read in one of three ways, as moby 20.10's `image/tarexport/load.go` chooses:

- **docker save** (`manifest.json`): for each item, the config (`Config`) is decoded as Go
  decodes `image.Image` (`gojson`), must have a `rootfs`, be for Linux, and list one diffID per
  `Layers` entry; each layer file is read (`archive_layer.read_layer`) unless the engine has
  its chain already, as moby skips it then, and the sha256 of its uncompressed tar must be the
  diffID (`invalid diffID for layer 0: expected "...", got "..."`); the image ID is the sha256
  of the config's bytes as they are (the config's file name is not checked, as moby does not);
  `RepoTags` must be `name:tag` references. The `repositories` file and the v1 `<id>/json`
  files beside the layers are not read, as moby does not read them when `manifest.json` exists.
- **OCI image layout** (`oci-layout` and `index.json`, no `manifest.json`; Docker 20.10 cannot
  load these, Docker 25 and containerd can): each manifest of `index.json` (through nested
  indexes, the linux/amd64 entry or the only one), its config and layers are blobs under
  `blobs/sha256/`, each checked against its descriptor's digest and size; layers may be plain
  or gzip tars; names come from the annotations `io.containerd.image.name` (a full reference)
  or else `org.opencontainers.image.ref.name` when that is a reference with a tag (a bare tag
  such as `latest` names no repository, so the image is loaded untagged).
- **legacy** (neither): Docker before 1.10 wrote a `<v1 id>/json` per layer and a
  `repositories` file; moby's errors for what is missing are given, but such archives are not
  converted (a `simulator:` message says so).

Nothing is stored until every image of the archive has been read and checked: then the layers
and images are added, and tags set, in the archive's order. Docker 20.10 stores each image as
it goes, so an archive that fails half way leaves the first images (and an image whose tag is
invalid, untagged) behind; docs/fidelity.md says so.

Output (moby `Load`, printed by the CLI without a terminal): for each tag `Loaded image:
<familiar ref>`, preceded by `The image <ref> already exists, renaming the old one with ID
<id> to empty string` when the tag named another image; when the last image has no tags, a
`Loaded image ID: <id>` line for every image (moby keeps them all and counts only the last
image's tags); an empty line when nothing at all was printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..model.events import Event, plural
from ..model.gojson import (ANY, BOOL, INT, STR_SLICE, TIME, GoJSONError, List, Map, Str, Struct, Type,
                            decode, field_value)
from ..model.gostrings import go_quote
from ..model.image import Image, sha256_digest
from ..model.layer import Layer, chain_ids
from ..model.reference import InvalidReference, Reference, parse
from .archive_fs import ArchiveError, ArchiveFS
from .archive_layer import read_layer

TMP = "/var/lib/docker/tmp"
HOST_OS = "linux"

# -- the Go types the daemon decodes into (moby image/image.go, api/types/container/config.go,
#    image/tarexport/tarexport.go), named as encoding/json's errors name them --------------------
_EMPTY_STRUCT = Struct("struct {}", name="", fields={})
_STRINGS = List("[]string", elem=Str())
CONTAINER_CONFIG = Struct("container.Config", name="Config", fields={
    "Hostname": Str(), "Domainname": Str(), "User": Str(), "AttachStdin": BOOL, "AttachStdout": BOOL,
    "AttachStderr": BOOL, "ExposedPorts": Map("nat.PortSet", elem=_EMPTY_STRUCT), "Tty": BOOL,
    "OpenStdin": BOOL, "StdinOnce": BOOL, "Env": _STRINGS, "Cmd": STR_SLICE,
    "Healthcheck": Struct("container.HealthConfig", name="HealthConfig", fields={
        "Test": _STRINGS, "Interval": Type("time.Duration", "int"), "Timeout": Type("time.Duration", "int"),
        "StartPeriod": Type("time.Duration", "int"), "Retries": Type("int", "int")}),
    "ArgsEscaped": BOOL, "Image": Str(), "Volumes": Map("map[string]struct {}", elem=_EMPTY_STRUCT),
    "WorkingDir": Str(), "Entrypoint": STR_SLICE, "NetworkDisabled": BOOL, "MacAddress": Str(),
    "OnBuild": _STRINGS, "Labels": Map("map[string]string", elem=Str()), "StopSignal": Str(),
    "StopTimeout": Type("int", "int"), "Shell": STR_SLICE})
IMAGE_CONFIG = Struct("image.Image", name="Image", fields={
    "id": Str(), "parent": Str("image.ID"), "comment": Str(), "created": TIME, "container": Str(),
    "container_config": CONTAINER_CONFIG, "docker_version": Str(), "author": Str(), "config": CONTAINER_CONFIG,
    "architecture": Str(), "variant": Str(), "os": Str(), "Size": INT,
    "rootfs": Struct("image.RootFS", name="RootFS", fields={
        "type": Str(), "diff_ids": List("[]layer.DiffID", elem=Str("layer.DiffID"))}),
    "history": List("[]image.History", elem=Struct("image.History", name="History", fields={
        "created": TIME, "author": Str(), "created_by": Str(), "comment": Str(), "empty_layer": BOOL})),
    "os.version": Str(), "os.features": _STRINGS})
MANIFEST = List("[]tarexport.manifestItem", elem=Struct("tarexport.manifestItem", name="manifestItem", fields={
    "Config": Str(), "RepoTags": _STRINGS, "Layers": _STRINGS, "Parent": Str("image.ID"),
    "LayerSources": Map("map[layer.DiffID]distribution.Descriptor", elem=ANY)}))
REPOSITORIES = Map("map[string]map[string]string", elem=Map("map[string]string", elem=Str()))
_DESCRIPTOR = Struct("v1.Descriptor", name="Descriptor", fields={
    "mediaType": Str(), "digest": Str("digest.Digest"), "size": INT,
    "annotations": Map("map[string]string", elem=Str()),
    "platform": Struct("v1.Platform", name="Platform", fields={"architecture": Str(), "os": Str(), "variant": Str()})})
OCI_LAYOUT = Struct("v1.ImageLayout", name="ImageLayout", fields={"imageLayoutVersion": Str()})
OCI_INDEX = Struct("v1.Index", name="Index", fields={
    "schemaVersion": Type("int", "int"), "manifests": List("[]v1.Descriptor", elem=_DESCRIPTOR)})
OCI_MANIFEST = Struct("v1.Manifest", name="Manifest", fields={
    "schemaVersion": Type("int", "int"), "config": _DESCRIPTOR, "layers": List("[]v1.Descriptor", elem=_DESCRIPTOR)})

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json",
                  "application/vnd.docker.distribution.manifest.v2+json")
NAME_ANNOTATION = "io.containerd.image.name"
REF_ANNOTATION = "org.opencontainers.image.ref.name"


@dataclass
class _Pending:
    """One image read from the archive, not yet stored."""

    image: Image
    layers: list[tuple[Layer, str]]      # (layer, where in the archive) for layers the engine lacks
    tags: list[tuple[str, Reference | None]]   # (as printed, the tag to set: None for one with a digest)


@dataclass
class LoadReport:
    """What a load stored and what `docker load` prints (`output`, newline-terminated lines)."""

    images: list[Image]
    output: str


def load(engine, data: bytes) -> LoadReport:
    """Read the archive `data` and store its images and tags (see the module docstring).
    Raises ArchiveError, with the daemon's message, before anything is stored."""
    root = f"{TMP}/docker-import-{int(engine.ids.hex64('docker-import')[:8], 16)}"
    fs = ArchiveFS.unpack(data, root)
    reader = _Reader(engine, fs)
    if fs.node("manifest.json") is not None:
        return _commit(engine, reader.docker_archive(), "docker save archive")
    if fs.node("oci-layout") is not None:
        return _commit(engine, reader.oci_layout(), "OCI image layout")
    reader.legacy()
    return LoadReport([], "")   # moby's legacyLoad prints nothing of its own


class _Reader:
    """Reads and checks images from an unpacked archive; `known` holds the chainIDs the
    engine has, plus those read so far (moby finds them in its layer store)."""

    def __init__(self, engine, fs: ArchiveFS):
        self.fs = fs
        store = engine.images
        self.known = {c for img in [*store.images.values(), *store.held.values()] for c in img.chain_ids}

    # -- docker save ------------------------------------------------------------------------------
    def docker_archive(self) -> list[_Pending]:
        items = _decode(self.fs.read("manifest.json"), MANIFEST, stream=True) or []
        pending, links = [], []
        for item in items:
            item = item or {}   # a null item decodes to a zero manifestItem
            raw = self.fs.read(field_value(item, "Config", ""))
            config = self.config(raw)
            names = [n or "" for n in field_value(item, "Layers", []) or []]
            diff_ids = config["rootfs"]["diff_ids"]
            if len(names) != len(diff_ids):
                raise ArchiveError(f"invalid manifest, layers length mismatch: expected {len(names)}, "
                                   f"got {len(diff_ids)}")
            layers = self.layers(diff_ids, [lambda n=n: self.fs.read(n) for n in names], names)
            image = self.create(raw, config)
            tags = [_tag(text or "") for text in field_value(item, "RepoTags", []) or []]
            pending.append(_Pending(image, layers, tags))
            links.append((image, field_value(item, "Parent", "")))
        _check_parents(links)
        return pending

    def config(self, raw: bytes) -> dict:
        """The image config as `image.NewFromJSON` checks it, plus the host's OS check."""
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError("simulator: an image config that is not UTF-8 is not supported "
                               "(see docs/fidelity.md)") from None
        config = _decode(raw, IMAGE_CONFIG, stream=False)
        if field_value(config, "rootfs") is None:
            raise ArchiveError("invalid image JSON, no RootFS key")
        os_name = field_value(config, "os", "") or HOST_OS
        if os_name.lower() != HOST_OS:
            raise ArchiveError(f"cannot load {os_name} image on {HOST_OS}")
        for key in ("Cmd", "Entrypoint", "Shell"):
            for part in ("config", "container_config"):
                if isinstance(field_value(field_value(config, part, {}), key), str):
                    raise ArchiveError(f"simulator: {part}.{key} as one string (Docker reads it as a list of one) "
                                       "is not supported (see docs/fidelity.md)")
        diff_ids = field_value(field_value(config, "rootfs"), "diff_ids", []) or []
        history = field_value(config, "history", []) or []
        return {"rootfs": {"diff_ids": [d or "" for d in diff_ids]}, "history": [h or {} for h in history]}

    def layers(self, diff_ids: list[str], readers: list, names: list[str]) -> list[tuple[Layer, str]]:
        """The layers the engine lacks, each read and checked against its diffID."""
        out, done = [], []
        for n, diff_id in enumerate(diff_ids):
            self.fs.locate(names[n])   # moby's safePath, before it looks for the chain
            chain = chain_ids(done + [diff_id])[-1]
            done.append(diff_id)
            if chain in self.known:
                continue
            layer = read_layer(readers[n]())
            if layer.diff_id != diff_id:
                raise ArchiveError(f"invalid diffID for layer {n}: expected {go_quote(diff_id)}, "
                                   f"got {go_quote(layer.diff_id)}")
            self.known.add(chain)
            out.append((layer, names[n]))
        return out

    @staticmethod
    def create(raw: bytes, config: dict) -> Image:
        """moby `store.Create`: no more non-empty history entries than layers; ID = sha256(raw)."""
        non_empty = [h for h in config["history"] if not field_value(h, "empty_layer", False)]
        if len(non_empty) > len(config["rootfs"]["diff_ids"]):
            raise ArchiveError("too many non-empty layers in History section")
        return Image(raw)

    # -- OCI image layout ------------------------------------------------------------------------
    def oci_layout(self) -> list[_Pending]:
        layout = _decode(self.fs.read("oci-layout"), OCI_LAYOUT, stream=False)
        version = field_value(layout, "imageLayoutVersion", "")
        if version != "1.0.0":
            raise ArchiveError(f"unsupported OCI version {version}")
        index = _decode(self.fs.read("index.json"), OCI_INDEX, stream=False)
        pending = []
        for descriptor in field_value(index, "manifests", []) or []:
            descriptor = descriptor or {}
            manifest_desc = self.platform_manifest(descriptor)
            manifest = _decode(self.blob(manifest_desc), OCI_MANIFEST, stream=False)
            config_desc = field_value(manifest, "config", {})
            raw = self.blob(config_desc)
            config = self.config(raw)
            layer_descs = field_value(manifest, "layers", []) or []
            diff_ids = config["rootfs"]["diff_ids"]
            if len(layer_descs) != len(diff_ids):
                raise ArchiveError(f"invalid manifest, layers length mismatch: expected {len(layer_descs)}, "
                                   f"got {len(diff_ids)}")
            readers = [lambda d=d: self.blob(d) for d in layer_descs]
            names = [_blob_path(field_value(d, "digest", "")) for d in layer_descs]
            layers = self.layers(diff_ids, readers, names)
            tag = _oci_name(field_value(descriptor, "annotations", {}) or {})
            pending.append(_Pending(self.create(raw, config), layers, [(str(tag), tag)] if tag else []))
        return pending

    def platform_manifest(self, descriptor: dict) -> dict:
        """The image manifest a descriptor leads to: itself, or through (nested) indexes the
        linux/amd64 entry (the only entry when there is one)."""
        for _ in range(8):
            if field_value(descriptor, "mediaType", "") not in INDEX_TYPES:
                return descriptor
            index = _decode(self.blob(descriptor), OCI_INDEX, stream=False)
            entries = [d or {} for d in field_value(index, "manifests", []) or []]
            matching = [d for d in entries if len(entries) == 1 or (
                field_value(field_value(d, "platform", {}), "os", "") == HOST_OS
                and field_value(field_value(d, "platform", {}), "architecture", "") == "amd64")]
            if not matching:
                raise ArchiveError(f"simulator: index {field_value(descriptor, 'digest', '')} has no "
                                   "linux/amd64 image (see docs/fidelity.md)")
            descriptor = matching[0]
        raise ArchiveError("simulator: image indexes nested too deep")

    def blob(self, descriptor: dict) -> bytes:
        """A blob's bytes, checked against the descriptor's digest and size."""
        digest = field_value(descriptor, "digest", "")
        algorithm, _, hexpart = digest.partition(":")
        if algorithm != "sha256" or len(hexpart) != 64 or hexpart.strip("0123456789abcdef"):
            raise ArchiveError(f"invalid OCI layout: unsupported digest {go_quote(digest)}")
        data = self.fs.read(_blob_path(digest))
        actual = sha256_digest(data)
        if actual != digest:
            raise ArchiveError(f"invalid OCI layout: blob {digest} has digest {actual}")
        size = field_value(descriptor, "size", 0)
        if size != len(data):
            raise ArchiveError(f"invalid OCI layout: blob {digest} is {len(data)} bytes, its descriptor says {size}")
        return data

    # -- legacy (Docker before 1.10) -----------------------------------------------------------
    def legacy(self) -> list[_Pending]:
        """moby `legacyLoad`: every top-level folder is an image (`<id>/json`), then the
        `repositories` file names them."""
        for name in self.fs.top_dirs():
            self.fs.read(f"{name}/json")
            raise ArchiveError("simulator: archives without manifest.json (written by Docker before 1.10) "
                               "are not supported (see docs/fidelity.md)")
        repositories = _decode(self.fs.read("repositories"), REPOSITORIES, stream=True) or {}
        for tags in repositories.values():
            for old_id in (tags or {}).values():
                raise ArchiveError(f"invalid target ID: {old_id}")
        return []


def _decode(data: bytes, schema: Type, stream: bool):
    try:
        return decode(data, schema, stream=stream)
    except GoJSONError as e:
        raise ArchiveError(str(e)) from None


def _blob_path(digest: str) -> str:
    return "blobs/" + digest.replace(":", "/", 1)


def _tag(text: str) -> tuple[str, Reference | None]:
    """A RepoTags entry as moby takes it: `ParseNormalizedNamed`, which must give a tag (`invalid
    tag "x"`): (its familiar form, the tag to set). A tag with a digest is printed but not set
    (moby's `AddTag` refuses it and `Load` ignores that error)."""
    try:
        ref = parse(text, default_tag=False)
    except InvalidReference as e:
        raise ArchiveError(str(e)) from None
    if not ref.tag:
        raise ArchiveError(f"invalid tag {go_quote(text)}")
    return str(ref), (None if ref.digest else ref)


def _oci_name(annotations: dict) -> Reference | None:
    """The image's name from its index annotations (see the module docstring)."""
    full = annotations.get(NAME_ANNOTATION, "")
    ref_name = annotations.get(REF_ANNOTATION, "")
    text = full or (ref_name if (":" in ref_name.rpartition("/")[2] or "/" in ref_name) else "")
    if not text:
        return None
    try:
        ref = parse(text)
    except InvalidReference as e:
        raise ArchiveError(f"{e}: {go_quote(text)}") from None
    return None if ref.digest else ref


# -- manifest Parent links (moby validatedParentLinks, setParentID) -------------------------------
def _check_parents(links: list[tuple[Image, str]]) -> None:
    """An item's `Parent` that is another image of the archive must have the same history plus
    one entry (`checkValidParent`), else `image <parent> is not a valid parent for <image>`."""
    loaded = {image.id: image for image, _ in links}
    for image, parent_id in links:
        parent = loaded.get(parent_id)
        if parent is None or parent_id == image.id:
            continue
        mine, theirs = image.history, parent.history
        if not mine and not theirs:
            continue
        if len(mine) - len(theirs) != 1 or any(not _same_history(a, b) for a, b in zip(theirs, mine)):
            raise ArchiveError(f"image {parent.id} is not a valid parent for {image.id}")


def _same_history(a: dict, b: dict) -> bool:
    """`image.History.Equal`: the same author, comment, command, empty flag and instant."""
    keys = ("author", "comment", "created_by", "empty_layer")
    return (all(field_value(a, k) == field_value(b, k) for k in keys)
            and _instant(field_value(a, "created", "")) == _instant(field_value(b, "created", "")))


def _instant(text: str):
    if not text:
        return None
    head, _, rest = text.partition(".")
    if rest:   # fraction then zone: keep the zone, round to microseconds for comparison
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits):]
        text, nanos = head + zone, int(digits.ljust(9, "0")[:9])
    else:
        nanos = 0
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp(), nanos


# -- storing ------------------------------------------------------------------------------------
def _commit(engine, pending: list[_Pending], kind: str) -> LoadReport:
    """Store every image, in order, and write what moby prints."""
    store = engine.images
    lines, ids = [], []
    for item in pending:
        for layer, where in item.layers:
            store.add_layer(layer, f"loaded from {where} in the archive")
        ids.append(f"Loaded image ID: {item.image.id}\n")
        refs = [ref for _, ref in item.tags if ref is not None]
        pointing = {}   # moby sets each tag in turn: a repeated tag already names this image
        for shown, ref in item.tags:
            key = f"{ref.name}:{ref.tag}" if ref else ""
            old = pointing.get(key, store.tags.get(key)) if ref else None
            if old and old != item.image.id:
                lines.append(f"The image {shown} already exists, renaming the old one with ID {old} "
                             "to empty string\n")
            lines.append(f"Loaded image: {shown}\n")
            pointing[key] = item.image.id
        tag_time = store.last_updated.get(item.image.id)
        store.add_image(item.image, refs=refs)
        if tag_time is None:   # moby's load sets tags without touching LastTagTime
            store.last_updated.pop(item.image.id, None)
        else:
            store.last_updated[item.image.id] = tag_time
        engine.emit(Event("image.loaded", f"image {item.image.short_id} loaded from a {kind}: "
                          f"{plural(len(item.image.diff_ids), 'layer')} ({len(item.layers)} new), "
                          + (f"tagged {', '.join(str(r) for r in refs)}" if refs else "untagged"),
                          {"id": item.image.id, "refs": [str(r) for r in refs], "format": kind,
                           "new_layers": [layer.diff_id for layer, _ in item.layers]}))
    if not (pending and pending[-1].tags):   # moby counts only the last image's tags
        lines.extend(ids)
    return LoadReport([p.image for p in pending], "".join(lines) or "\n")
