"""Images: an OCI image config (whose sha256 is the image ID), its layers and manifest.

Sources: image-spec `config.md` (ImageID = digest of the config JSON; rootfs.diff_ids;
history with `empty_layer`), `manifest.md`, and moby's image JSON, which for images
built locally also records `parent`, `container` and `container_config` (the classic
builder's cache compares `container_config`).

The config is serialised canonically (sorted keys, no spaces), so the same config always
has the same ID. An `Image` is immutable: every change makes a new one.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .compressed import Blob
from .layer import chain_ids

MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def short_id(digest: str) -> str:
    """`stringid.TruncateID`: drop `sha256:`, keep 12 hex characters."""
    return digest.split(":", 1)[-1][:12]


# The runtime part of a config (`config` in config.md), with Docker's JSON field names.
EMPTY_RUN_CONFIG: dict[str, Any] = {
    "Hostname": "", "Domainname": "", "User": "", "AttachStdin": False, "AttachStdout": False,
    "AttachStderr": False, "Tty": False, "OpenStdin": False, "StdinOnce": False,
    "Env": None, "Cmd": None, "Image": "", "Volumes": None, "WorkingDir": "",
    "Entrypoint": None, "OnBuild": None, "Labels": None,
}


@dataclass(frozen=True, eq=False)
class Image:
    """An image config, frozen as canonical JSON bytes; `id` is their sha256."""

    raw: bytes

    @staticmethod
    def from_config(config: dict[str, Any]) -> "Image":
        body = copy.deepcopy(config)
        non_empty = [h for h in body.get("history", []) if not h.get("empty_layer")]
        if len(non_empty) > len(body["rootfs"]["diff_ids"]):
            raise ValueError("too many non-empty layers in History section")
        return Image(canonical_json(body))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Image) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __deepcopy__(self, memo) -> "Image":
        return self   # immutable: engine snapshots share it

    @cached_property
    def id(self) -> str:
        return sha256_digest(self.raw)

    @property
    def short_id(self) -> str:
        return short_id(self.id)

    @cached_property
    def _parsed(self) -> dict[str, Any]:
        return json.loads(self.raw)

    @property
    def config(self) -> dict[str, Any]:
        """A fresh copy of the whole config JSON (mutating it changes nothing)."""
        return copy.deepcopy(self._parsed)

    @property
    def run_config(self) -> dict[str, Any]:
        return copy.deepcopy(self._parsed.get("config") or EMPTY_RUN_CONFIG)

    def get(self, key: str, default: Any = None) -> Any:
        return copy.deepcopy(self._parsed.get(key, default))

    @property
    def diff_ids(self) -> list[str]:
        """Bottom first; Docker's JSON leaves `diff_ids` out when there are none (omitempty)."""
        return list(self._parsed["rootfs"].get("diff_ids") or [])

    @property
    def chain_ids(self) -> list[str]:
        return chain_ids(self.diff_ids)

    @property
    def chain_id(self) -> str | None:
        ids = self.chain_ids
        return ids[-1] if ids else None

    @property
    def parent(self) -> str:
        return self._parsed.get("parent", "")

    @property
    def created(self) -> str:
        return self._parsed.get("created", "")

    @property
    def history(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._parsed.get("history", []))


def manifest(image: Image, blobs: list[Blob]) -> bytes:
    """The image manifest (schema 2) as Docker 20.10 pushes it: one descriptor for the
    config, then one per layer blob (bottom first) with the gzip blob's size and digest,
    not the diffID (image-spec `manifest.md`). Indented with 3 spaces, as docker/distribution
    writes it (`schema2.FromStruct`: `json.MarshalIndent(m, "", "   ")`)."""
    body = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {"mediaType": CONFIG_MEDIA_TYPE, "size": len(image.raw), "digest": image.id},
        "layers": [{"mediaType": LAYER_MEDIA_TYPE, "size": b.size, "digest": b.digest} for b in blobs],
    }
    return json.dumps(body, indent=3).encode()
