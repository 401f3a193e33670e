"""An offline registry: the catalogue as Docker Hub, plus any registry a scenario pushes to.

Blobs are kept by digest, manifests by digest and by tag per repository, as in the
distribution spec. `docker.io/library/<name>` serves the catalogue
(simulator/backend/memory/catalogue) and accepts no pushes; any other registry host
(`localhost:5000`, `127.0.0.1:5000`, ...) exists as soon as something is pushed to it.
Layers travel as gzip blobs (model/compressed.py): a manifest names each layer by the digest
of its compressed bytes, the image config by its diffID (the digest of the uncompressed
tar). `docker push` names layers by diffID, `docker pull` by the blob digest, so the two
show different short IDs for the same layer, as in the recording.

The daemon remembers which blob digest each diffID was pushed as or pulled from, and in
which repository (`LayerDigests`, moby `distribution/metadata/v2_metadata_service.go`).
That memory, not the image config, decides a push's `Layer already exists` and `Mounted
from <repo>`, and a pull's `Already exists` (moby `push_v2.go`, `pull_v2.go` `DiffID`,
`xfer/download.go`): a layer the daemon has never moved is compressed and uploaded.

Progress lines follow Docker 20.10's non-TTY output (moby `distribution/push_v2.go`,
`pull_v2.go`, `distribution/xfer`; CLI `jsonmessage`), as recorded in
tests/conformance/scenarios/push-pull: one `<id>: <status>` line per message, with the
`Downloading`/`Pushing` progress bars left out as the CLI does without a terminal.
The concurrent transfers are reported in one fixed order: layers that need no transfer
first, then the others, each list in the order Docker starts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from ..backend.memory import catalogue
from ..model.compressed import gzip_blob
from ..model.events import Event, plural
from ..model.image import Image, manifest, sha256_digest, short_id
from ..model.layer import Layer, chain_ids
from ..model.reference import DEFAULT_DOMAIN, Reference, parse
from .errors import DockerError, NotFound

MAX_DOWNLOADS = 3  # dockerd --max-concurrent-downloads default: later layers say "Waiting"
MAX_UPLOADS = 5    # dockerd --max-concurrent-uploads default
DENIED = "denied: requested access to the resource is denied"

Write = Callable[[str], None]


class NotInCatalogue(NotFound):
    """Docker Hub has no such repository or tag here: the daemon's error, plus `note`, a line
    the CLI adds on stderr (clearly the simulator's) naming what the offline catalogue has."""

    def __init__(self, message: str, note: str):
        super().__init__(message)
        self.note = note


def _catalogue_note(ref: Reference) -> str:
    tags = catalogue.tags(ref.name)
    if tags:
        what = f"{ref} is not in the offline catalogue; {ref.familiar_name} has the tags: {', '.join(tags)}"
    else:
        names = ", ".join(name.rpartition("/")[2] for name in catalogue.repositories())
        what = f"{ref.familiar_name} is not in the offline catalogue; available: {names}"
    return f"simulator: {what} (see docs/fidelity.md)"


class StreamError(DockerError):
    """An error the daemon sends inside a push's progress stream, after some output: the CLI
    prints it as it is, without `Error response from daemon: ` (CLI `jsonmessage.go`)."""


@dataclass
class Repository:
    tags: dict[str, str] = field(default_factory=dict)   # tag -> manifest digest
    manifests: set[str] = field(default_factory=set)      # manifest digests
    blobs: set[str] = field(default_factory=set)          # layer and config digests


class LayerDigests:
    """The daemon's map between layers and registry blobs (moby `V2MetadataService`): for each
    diffID, the (blob digest, repository) pairs it was pushed as or pulled from, oldest first,
    and for each blob digest its diffID. It outlives the images: `docker rmi` keeps it."""

    def __init__(self):
        self.sources: dict[str, list[tuple[str, str]]] = {}  # diffID -> [(digest, "host/path")]
        self.diff_ids: dict[str, str] = {}                   # blob digest -> diffID

    def add(self, diff_id: str, digest: str, repository: str) -> None:
        """Record a move, as the most recent one (moby `Add` drops an equal older entry)."""
        entries = [e for e in self.sources.get(diff_id, []) if e != (digest, repository)]
        self.sources[diff_id] = entries + [(digest, repository)]
        self.diff_ids[digest] = diff_id

    def get(self, diff_id: str) -> list[tuple[str, str]]:
        return list(self.sources.get(diff_id, []))


class Registry:
    """All registries the engine can reach. `engine.registry.pull/push/ensure` are what the
    `pull`, `push`, `run`/`create` and `build` commands call."""

    def __init__(self, engine):
        self.engine = engine
        self.blobs: dict[str, Layer | bytes] = {}        # digest -> layer, or config JSON bytes
        self.manifests: dict[str, bytes] = {}            # digest -> manifest JSON bytes
        self.repos: dict[str, Repository] = {}           # "127.0.0.1:5000/app" -> repository
        self.layer_digests = LayerDigests()              # the daemon's side: diffID <-> blob digest
        self.logins: dict[str, str] = {}                 # server -> user name

    # -- pull -----------------------------------------------------------------------
    def pull(self, ref: str | Reference, write: Write | None = None) -> tuple[Image, list[str]]:
        """Fetch `ref` (tag defaulted to latest) into the image store, tag it and record its
        repo digest. Returns the image and the progress lines (also given to `write` one by
        one as they happen). Raises NotFound with the daemon's message for an unknown
        repository or tag."""
        ref = _parsed(ref)
        lines, out = _collector(write)
        digest = self._resolve(ref)
        body = json.loads(self.manifests[digest])
        image = Image(self.blobs[body["config"]["digest"]])
        layers = [(d["digest"], self.blobs[d["digest"]]) for d in body["layers"]]
        store = self.engine.images
        self.engine.clock.tick()
        out(f"{ref.tag or ref.digest}: Pulling from {ref.path}")
        updated = not ref.tag or store.tags.get(f"{ref.name}:{ref.tag}") != image.id
        if image.id not in store.images:
            self._download(ref, layers, out)
        out(f"Digest: {digest}")
        store.digests[f"{ref.name}@{digest}"] = image.id
        # the tag is set with the new image, so it is never seen nameless
        store.add_image(image, refs=[ref] if ref.tag and updated else [])
        self.engine.emit(Event("registry.image_pulled", f"{ref} pulled: image {image.short_id} with "
                               f"{plural(len(layers), 'layer')}, manifest {short_id(digest)}",
                               {"ref": str(ref), "id": image.id, "digest": digest}))
        out(f"Status: {'Downloaded newer image' if updated else 'Image is up to date'} for {ref}")
        return image, lines

    def ensure(self, ref: str, write: Write | None = None) -> tuple[Image, list[str]]:
        """The local image `ref`, or else pull it first as `docker run`/`create` do, after the
        line `Unable to find image '<ref>' locally` (which the CLI prints on stderr, with the
        pull's progress; CLI `container/create.go`)."""
        image = self.engine.images.find(ref)
        if image is not None:
            return image, []
        parsed = parse(ref)
        lines, out = _collector(write)
        out(f"Unable to find image '{parsed}' locally")
        image, more = self.pull(parsed, write)
        return image, lines + more

    def _download(self, ref: Reference, layers: list[tuple[str, Layer]], out: Write) -> None:
        """Store the layers (blob digest, layer) the engine lacks, naming each by its short
        blob digest. A layer already exists when the daemon knows the blob's diffID and has
        the whole chain up to it (moby `xfer/download.go`), so only a prefix can be skipped."""
        store = self.engine.images
        have = {c for img in store.images.values() for c in img.chain_ids}
        known: list[str] = []
        for digest, _ in layers:
            diff_id = self.layer_digests.diff_ids.get(digest)
            if diff_id is None or chain_ids(known + [diff_id])[-1] not in have:
                break
            known.append(diff_id)
        for digest, layer in layers[:len(known)]:
            self.layer_digests.add(layer.diff_id, digest, ref.name)
            out(f"{short_id(digest)}: Already exists")
            self.engine.emit(Event("registry.layer_exists", f"blob {short_id(digest)} is layer "
                                   f"{short_id(layer.diff_id)}, already in the image store: not downloaded",
                                   {"digest": digest, "diff_id": layer.diff_id}))
        todo = layers[len(known):]
        for n, (digest, _) in enumerate(todo):
            out(f"{short_id(digest)}: Pulling fs layer")
            if n >= MAX_DOWNLOADS:
                out(f"{short_id(digest)}: Waiting")
        for digest, _ in todo:
            out(f"{short_id(digest)}: Verifying Checksum")
            out(f"{short_id(digest)}: Download complete")
        for digest, layer in todo:   # the blob arrives, then it is unpacked and stored as a layer
            self.engine.emit(Event(
                "registry.blob_pulled",
                f"blob {short_id(digest)} ({plural(gzip_blob(layer).size, 'byte')} of gzip) downloaded from "
                f"{ref.path}: the manifest names a layer by the digest of its compressed bytes, the image "
                "config by that of its tar",
                {"digest": digest, "diff_id": layer.diff_id}))
            store.add_layer(layer, f"unpacked from blob {short_id(digest)}")
            self.layer_digests.add(layer.diff_id, digest, ref.name)
            out(f"{short_id(digest)}: Pull complete")

    def _resolve(self, ref: Reference) -> str:
        """The manifest digest `ref` names in its repository."""
        if ref.domain == DEFAULT_DOMAIN:
            self._load_catalogue(ref)
            if ref.name not in self.repos and not catalogue.tags(ref.name):
                raise NotInCatalogue(f"pull access denied for {ref.familiar_name}, repository does not exist or "
                                     f"may require 'docker login': {DENIED}", _catalogue_note(ref))
        repo = self.repos.get(ref.name, Repository())
        digest = ref.digest if ref.digest in repo.manifests else repo.tags.get(ref.tag or "")
        if digest is None:
            message = f"manifest for {ref} not found: manifest unknown: manifest unknown"
            if ref.domain == DEFAULT_DOMAIN:
                raise NotInCatalogue(message, _catalogue_note(ref))
            raise NotFound(message)
        return digest

    def _load_catalogue(self, ref: Reference) -> None:
        """Publish the catalogue images `ref` may name (all tags of its repository for a
        digest) on first use: building one hashes its layers, so it is done lazily."""
        known = self.repos[ref.name].tags if ref.name in self.repos else {}
        for tag in catalogue.tags(ref.name):
            if tag not in known and (ref.digest or tag == ref.tag):
                image, layers = catalogue.get(f"{ref.name}:{tag}", self.engine.backend.busybox_layer())
                self._store(ref.name, tag, image, layers)

    # -- push -----------------------------------------------------------------------
    def push(self, ref: str | Reference, write: Write | None = None) -> list[str]:
        """Upload the image tagged `ref` (tag defaulted to latest), moving only the blobs the
        repository lacks; returns the progress lines. Raises StreamError (printed as is) for
        a repository with no local tag, a missing tag, or a registry that refuses."""
        ref = _parsed(ref)
        lines, out = _collector(write)
        self.engine.clock.tick()
        out(f"The push refers to repository [{ref.name}]")
        store = self.engine.images
        if not any(key.rpartition(":")[0] == ref.name for key in store.tags):
            raise StreamError(f"An image does not exist locally with the tag: {ref.familiar_name}")
        image_id = store.tags.get(f"{ref.name}:{ref.tag}")
        if image_id is None:
            raise StreamError(f"tag does not exist: {ref}")
        image = store.images[image_id]
        top_first = list(dict.fromkeys(reversed(image.diff_ids)))
        for n, diff_id in enumerate(top_first):
            out(f"{short_id(diff_id)}: Preparing")
            if n >= MAX_UPLOADS:
                out(f"{short_id(diff_id)}: Waiting")
        if ref.domain == DEFAULT_DOMAIN and (ref.path.startswith("library/") or DEFAULT_DOMAIN not in self.logins):
            self.engine.emit(Event("registry.push_denied", f"{ref.domain} refused the push to {ref.name}: "
                                   "not logged in, or not your repository", {"ref": str(ref)}))
            raise StreamError(DENIED)
        repo = self.repos.setdefault(ref.name, Repository())
        moved = []
        for diff_id in top_first:
            layer = store.layers[diff_id]
            known = self.layer_digests.get(diff_id)
            # moby stats the best known digest in the target repository whichever repository
            # it came from; a diffID has one gzip blob here, so any known digest will do
            here = [digest for digest, _ in known if digest in repo.blobs]
            source = self._mount_source(ref, known)
            if here:
                digest = here[-1]
                out(f"{short_id(diff_id)}: Layer already exists")
                self.engine.emit(Event("registry.blob_exists", f"the daemon knows layer {short_id(diff_id)} as blob "
                                       f"{short_id(digest)}, and {ref.name} has that blob already: not uploaded",
                                       {"digest": digest, "diff_id": diff_id, "repository": ref.name}))
            elif source:
                digest, name = source
                out(f"{short_id(diff_id)}: Mounted from {name.partition('/')[2]}")
                self.engine.emit(Event("registry.blob_mounted", f"layer {short_id(diff_id)} is blob "
                                       f"{short_id(digest)} in {name}: the registry mounts it into {ref.name}, "
                                       "nothing is uploaded",
                                       {"digest": digest, "diff_id": diff_id, "repository": ref.name, "from": name}))
            else:
                digest = gzip_blob(layer).digest
                moved.append((diff_id, digest))
            self.layer_digests.add(diff_id, digest, ref.name)
        for diff_id, digest in moved:
            out(f"{short_id(diff_id)}: Pushed")
            self.engine.emit(Event(
                "registry.blob_pushed",
                f"layer {short_id(diff_id)} ({plural(store.layers[diff_id].size, 'byte')} of files) compressed with gzip and "
                f"uploaded to {ref.name} as blob {short_id(digest)} ({plural(gzip_blob(store.layers[diff_id]).size, 'byte')}): "
                "the blob's digest is that of the compressed bytes, the diffID that of the tar",
                {"digest": digest, "diff_id": diff_id, "repository": ref.name}))
        digest, raw = self._store(ref.name, ref.tag, image, store.image_layers(image))
        store.digests[f"{ref.name}@{digest}"] = image.id
        self.engine.emit(Event("registry.manifest_pushed", f"manifest {short_id(digest)} of image {image.short_id} "
                               f"stored as {ref}", {"ref": str(ref), "digest": digest, "id": image.id}))
        out(f"{ref.tag}: digest: {digest} size: {len(raw)}")
        return lines

    def _mount_source(self, ref: Reference, known: list[tuple[str, str]]) -> tuple[str, str] | None:
        """The most recent (blob digest, repository) the daemon knows for a layer in another
        repository of the same registry that still holds the blob (moby `push_v2.go`
        `getRepositoryMountCandidates`, simplified to the newest candidate)."""
        for digest, name in reversed(known):
            if name != ref.name and name.startswith(ref.domain + "/") and digest in self.repos.get(name, Repository()).blobs:
                return digest, name
        return None

    def _store(self, name: str, tag: str, image: Image, layers: list[Layer]) -> tuple[str, bytes]:
        """Put an image's blobs (config, gzip layers) and manifest into repository `name` under `tag`."""
        repo = self.repos.setdefault(name, Repository())
        blobs = [gzip_blob(layer) for layer in layers]
        raw = manifest(image, blobs)
        digest = sha256_digest(raw)
        self.blobs[image.id] = image.raw
        self.blobs.update((blob.digest, layer) for blob, layer in zip(blobs, layers))
        repo.blobs.update([image.id] + [blob.digest for blob in blobs])
        self.manifests[digest] = raw
        repo.manifests.add(digest)
        repo.tags[tag] = digest
        return digest, raw

    # -- the starting image ------------------------------------------------------------
    def import_busybox(self) -> Image:
        """Give the engine `busybox:latest` as every conformance engine starts with it:
        `docker import --change 'CMD ["sh"]'` of the busybox rootfs, dated now (no repo
        digest, comment `Imported from -`)."""
        store = self.engine.images
        image, layers = catalogue.imported_busybox(self.engine.now(), self.engine.backend.busybox_layer())
        for layer in layers:
            store.add_layer(layer)
        store.add_image(image, refs=[parse("busybox:latest")])
        self.engine.emit(Event("image.imported", f"busybox:latest imported from a rootfs tar as image "
                               f"{image.short_id} (one layer, {plural(layers[0].size, 'byte')})", {"id": image.id}))
        return image

    # -- credentials ------------------------------------------------------------------
    def login(self, server: str, user: str) -> None:
        """Remember a login (any credentials are accepted: the registries are simulated)."""
        self.logins[server] = user
        self.engine.emit(Event("registry.login", f"logged in to {server} as {user}", {"server": server}))

    def logout(self, server: str) -> None:
        self.logins.pop(server, None)
        self.engine.emit(Event("registry.logout", f"credentials for {server} removed", {"server": server}))


def _parsed(ref: str | Reference) -> Reference:
    ref = parse(ref) if isinstance(ref, str) else ref
    return ref if (ref.tag or ref.digest) else ref.with_tag("latest")


def _collector(write: Write | None) -> tuple[list[str], Write]:
    lines: list[str] = []

    def out(line: str) -> None:
        lines.append(line)
        if write is not None:
            write(line)
    return lines, out
