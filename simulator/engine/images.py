"""The image store: layers by diffID, images by ID, and the tags that name them.

Mirrors Docker's classic store (moby `image/store.go`, `reference/store.go`): images are
keyed by the digest of their config, layers by diffID (and chainID), tags map a full
reference to an image ID and always move when re-used (`AddTag(..., force=true)`).
An image whose only tag moved away becomes dangling (`<none>:<none>`) unless it has
child images, in which case it is an intermediate image, hidden from `docker images`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from ..model.clock import ZERO_TIME
from ..model.events import Event, plural
from ..model.fs import Tree
from ..model.image import Image, short_id
from ..model.layer import Layer
from ..model.reference import InvalidReference, Reference, parse
from .errors import InvalidParameter, NotFound


@lru_cache(maxsize=256)
def _tree(layers: tuple[Layer, ...]) -> Tree:
    if not layers:
        return Tree({})
    return _tree(layers[:-1]).child(layers[-1])


@dataclass
class ImageStore:
    """In-memory store. `emit` reports layer/image/tag events to the engine's bus; `now`
    gives the RFC 3339 time recorded as an image's LastTagTime when it is tagged."""

    emit: callable = lambda event: None
    now: callable = lambda: ZERO_TIME
    layers: dict[str, Layer] = field(default_factory=dict)        # diffID -> Layer
    images: dict[str, Image] = field(default_factory=dict)        # image ID -> Image
    tags: dict[str, str] = field(default_factory=dict)            # "docker.io/library/x:tag" -> image ID
    digests: dict[str, str] = field(default_factory=dict)         # "repo@sha256:.." -> image ID (pulled/pushed)
    built_locally: set[str] = field(default_factory=set)          # image IDs the classic cache may use
    last_updated: dict[str, str] = field(default_factory=dict)    # image ID -> time it was stored/tagged
    held: dict[str, tuple[str, ...]] = field(default_factory=dict)  # container ID -> chainIDs its rootfs uses

    # -- content ---------------------------------------------------------------------
    def add_layer(self, layer: Layer, origin: str = "") -> str:
        """Store a layer (once per diffID); `origin` ends the event's sentence ("unpacked from blob ...")."""
        if layer.diff_id not in self.layers:
            self.layers[layer.diff_id] = layer
            self.emit(Event("layer.created", f"layer {short_id(layer.diff_id)} stored: "
                            f"{plural(len(layer), 'entry', 'entries')}, {plural(layer.size, 'byte')}"
                            + (f", {origin}" if origin else ""),
                            {"diff_id": layer.diff_id, "size": layer.size}))
        return layer.diff_id

    def add_image(self, image: Image, local: bool = False, refs: Iterable[Reference] = ()) -> Image:
        """Store an image (its layers must be stored) and point `refs` at it. A new image's tags
        are set before its `image.created` event, which names them: it is never seen without
        the name it arrives with (a pull's tag, a commit's repository)."""
        missing = [d for d in image.diff_ids if d not in self.layers]
        if missing:
            raise ValueError(f"image {image.id} refers to unknown layers {missing}")
        if image.id in self.images:
            for ref in refs:
                self.tag(ref, image.id)
        else:
            self.images[image.id] = image
            moved = [(ref, self._point(ref, image.id)) for ref in refs]
            names = " and tagged " + ", ".join(str(r) for r, _ in moved) if moved else ""
            previous = "".join(f" ({r} moved from {short_id(old)})" for r, old in moved if old)
            self.emit(Event("image.created", f"image {image.short_id} stored with "
                            f"{plural(len(image.diff_ids), 'layer')}{names}{previous}",
                            {"id": image.id, "refs": [str(r) for r, _ in moved],
                             "previous": {str(r): old for r, old in moved if old}}))
        if local:
            self.built_locally.add(image.id)
        return image

    def image_layers(self, image: Image) -> list[Layer]:
        return [self.layers[d] for d in image.diff_ids]

    def tree(self, image: Image | None) -> Tree:
        """The image's filesystem: its layers applied in order (shared, read-only)."""
        return _tree(tuple(self.image_layers(image))) if image else Tree({})

    def size(self, image: Image) -> int:
        """Virtual size: the sum of the image's layers' sizes (moby `ro_layer.Size`)."""
        return sum(layer.size for layer in self.image_layers(image))

    # -- names ---------------------------------------------------------------------
    def tag(self, ref: Reference, image_id: str) -> str | None:
        """Point `ref` at an image; returns the ID it pointed at before (or None)."""
        old = self._point(ref, image_id)
        if old != image_id:
            self.emit(Event("image.tagged", f"tag {ref} now points at image {short_id(image_id)}"
                            + (f" (moved from {short_id(old)})" if old else ""),
                            {"ref": str(ref), "id": image_id, "previous": old}))
        return old

    def _point(self, ref: Reference, image_id: str) -> str | None:
        key = f"{ref.name}:{ref.tag}"
        old = self.tags.get(key)
        self.tags[key] = image_id
        self.last_updated[image_id] = self.now()
        return old

    def untag(self, ref: Reference) -> str:
        key = f"{ref.name}:{ref.tag}"
        image_id = self.tags.pop(key)
        self.emit(Event("image.untagged", f"tag {ref} removed from image {short_id(image_id)}",
                        {"ref": str(ref), "id": image_id}))
        return image_id

    def refs_of(self, image_id: str) -> list[Reference]:
        """The image's tags, sorted as Docker lists RepoTags."""
        out = []
        for key, iid in sorted(self.tags.items()):
            if iid == image_id:
                name, _, tag = key.rpartition(":")
                out.append(parse(name, default_tag=False).with_tag(tag))
        return out

    def untag_digest(self, ref: Reference) -> str:
        """Forget a `repo@sha256:...` reference (recorded by a push or pull)."""
        image_id = self.digests.pop(f"{ref.name}@{ref.digest}")
        self.emit(Event("image.untagged", f"digest reference {ref} removed from image {short_id(image_id)}",
                        {"ref": str(ref), "id": image_id}))
        return image_id

    def references(self, image_id: str) -> list[Reference]:
        """Tags and digest references of an image, sorted by their full string as moby's
        reference store returns them (`reference/store.go References`, `lexicalRefs`)."""
        keys = [k for k, iid in self.tags.items() if iid == image_id]
        keys += [k for k, iid in self.digests.items() if iid == image_id]
        out = []
        for key in sorted(keys):
            if "@" in key:
                out.append(parse(key))
            else:
                name, _, tag = key.rpartition(":")
                out.append(parse(name, default_tag=False).with_tag(tag))
        return out

    def children(self, image_id: str) -> list[str]:
        return sorted(i for i, img in self.images.items() if img.parent == image_id)

    def is_dangling(self, image_id: str) -> bool:
        return not self.references(image_id) and not self.children(image_id)

    # -- lookup ---------------------------------------------------------------------
    def lookup(self, text: str) -> Image:
        """Find an image by reference, full or short ID, or `sha256:` ID.

        Raises NotFound(`No such image: <ref>`) with the tag defaulted, as the daemon does.
        """
        image = self.find(text)
        if image is None:
            try:
                shown = str(parse(text))
            except InvalidReference:
                shown = text
            raise NotFound(f"No such image: {shown}")
        return image

    def find(self, text: str) -> Image | None:
        hexpart = text[7:] if text.startswith("sha256:") else text
        if text.startswith("sha256:") or (len(hexpart) == 64 and all(c in "0123456789abcdef" for c in hexpart)):
            return self.images.get("sha256:" + hexpart) or self._prefix(hexpart)
        try:
            ref = parse(text)
        except InvalidReference as err:
            if all(c in "0123456789abcdef" for c in text):
                return self._prefix(text)
            raise InvalidParameter(str(err)) from None
        if ref.digest:
            image_id = self.digests.get(f"{ref.name}@{ref.digest}")
            return self.images.get(image_id) if image_id else None
        image_id = self.tags.get(f"{ref.name}:{ref.tag}")
        if image_id:
            return self.images[image_id]
        if ":" not in text and all(c in "0123456789abcdef" for c in text):
            return self._prefix(text)
        return None

    def _prefix(self, hexpart: str) -> Image | None:
        if not hexpart:
            return None
        found = [i for i in self.images if i[7:].startswith(hexpart)]
        return self.images[found[0]] if len(found) == 1 else None

    # -- layer references (moby `layer/layer_store.go`: images and container mounts hold layers)
    def retain(self, holder: str, image: Image) -> None:
        """A container's rootfs keeps its image's layers alive, even after `rmi -f`."""
        self.held[holder] = image

    def release(self, holder: str) -> list[str]:
        """Drop a container's hold; returns the chainIDs it freed (top first), which moby
        deletes without a word."""
        image = self.held.pop(holder, None)
        freed = self._free(image) if image else []
        if freed:
            self.emit(Event("layer.released", f"{plural(len(freed), 'layer')} no longer used by any image or "
                            f"container {'was' if len(freed) == 1 else 'were'} deleted", {"holder": holder, "freed": freed}))
        return freed

    def _free(self, gone: Image) -> list[str]:
        users = [*self.images.values(), *self.held.values()]
        in_use = {c for img in users for c in img.chain_ids}
        freed = []
        for c in reversed(gone.chain_ids):
            if c in in_use:
                break  # every layer below a used one is used too: chains are prefixes
            freed.append(c)
        still = {d for img in users for d in img.diff_ids}
        for d in gone.diff_ids:
            if d not in still:
                self.layers.pop(d, None)
        return freed

    def remove(self, image_id: str) -> list[str]:
        """Forget an image and every layer no other image or container uses; returns the freed
        chainIDs, top first (moby `releaseLayer` walks from the top down)."""
        image = self.images.pop(image_id)
        self.built_locally.discard(image_id)
        self.last_updated.pop(image_id, None)
        freed = self._free(image)
        self.emit(Event("image.deleted", f"image {image.short_id} deleted; {plural(len(freed), 'layer')} freed",
                        {"id": image_id, "freed": freed}))
        return freed

    def chain_sizes(self) -> dict[str, int]:
        """DiffSize of every layer held now, by chainID (moby `layerStore.Map`)."""
        out = {}
        for img in [*self.images.values(), *self.held.values()]:
            for c, d in zip(img.chain_ids, img.diff_ids):
                out[c] = self.layers[d].size
        return out


def cache_id(chain_id: str) -> str:
    """The overlay2 directory name of a layer. Docker draws it at random; here it is derived
    from the chainID so that runs repeat (`GraphDriver.Data` paths in `inspect`)."""
    return hashlib.sha256(f"overlay2/{chain_id}".encode()).hexdigest()
