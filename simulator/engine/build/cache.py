"""The classic builder's cache: find a locally built child of the parent image whose
stored `container_config` matches the step's probe config.

Docker 20.10 `image/cache/cache.go` (`getLocalCachedImage`: children of the parent, or
for `FROM scratch` every image without a parent; the most recently created match wins)
and `image/cache/compare.go` (`compare`: Cmd, Env, Entrypoint in order; Labels,
ExposedPorts and Volumes as sets; User, Tty, OpenStdin and the Attach flags; not Image,
Hostname or WorkingDir). `builder/dockerfile/imageprobe.go`: after the first miss in a
stage every probe misses (the cascade); `--no-cache` never hits.
"""

from __future__ import annotations

from typing import Any

from ...model.image import Image


def miss_action(instruction: str) -> str:
    """What a step does after a cache miss, for learners: RUN "runs" a command in a temporary
    container, COPY/ADD "copies files", every other instruction only makes a "new config"
    (moby `builder/dockerfile/dispatchers.go`: they commit a config change, nothing runs)."""
    keyword = instruction.split(None, 1)[0].upper() if instruction.strip() else ""
    return {"RUN": "runs", "COPY": "copies files", "ADD": "copies files"}.get(keyword, "new config")


def compare(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if not a or not b or a.get("OpenStdin") or b.get("OpenStdin"):
        return False
    for key in ("AttachStdout", "AttachStderr", "User", "OpenStdin", "Tty"):
        if a.get(key) != b.get(key):
            return False
    for key in ("Cmd", "Env", "Entrypoint"):
        if list(a.get(key) or []) != list(b.get(key) or []):
            return False
    if dict(a.get("Labels") or {}) != dict(b.get("Labels") or {}):
        return False
    for key in ("ExposedPorts", "Volumes"):
        if set(a.get(key) or {}) != set(b.get(key) or {}):
            return False
    return True


class ImageProbe:
    """One stage's cache prober: `probe(parent_id, config)` returns a cached image or None."""

    def __init__(self, store, no_cache: bool = False):
        self.store = store
        self.no_cache = no_cache
        self.busted = False

    def reset(self) -> None:
        """A new stage (FROM) starts with the cache usable again."""
        self.busted = False

    def probe(self, parent_id: str, config: dict[str, Any]) -> Image | None:
        if self.no_cache or self.busted:
            return None
        found = self.lookup(parent_id, config)
        if found is None:
            self.busted = True
        return found

    def lookup(self, parent_id: str, config: dict[str, Any]) -> Image | None:
        match = None
        for image_id in sorted(self.store.built_locally):
            image = self.store.images.get(image_id)
            if image is None or image.parent != parent_id:
                continue
            if compare(image.get("container_config"), config):
                if match is None or match.created < image.created:
                    match = image
        return match
