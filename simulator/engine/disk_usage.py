"""`docker system df`: what images, containers, volumes and the build cache take on disk.

The daemon side follows moby v20.10 `daemon/disk_usage.go SystemDiskUsage`:
- images are the top-level ones (tagged, or dangling without children), each with the
  number of containers made from it, its size (all its layers) and its shared size (the
  layers that another listed image also has: `daemon/images/images.go`, counted over the
  listed images only, so intermediate build images do not make a layer shared);
- LayersSize counts each layer (by chainID) of a top-level image once;
- containers with SizeRw (the writable layer's DiffSize) for every container;
- local volumes with their size and RefCount (the containers that mount them);
- the build cache is BuildKit's; the classic builder keeps none (0 records, 0B).

The summary's arithmetic is the 20.10 CLI's (`cli/command/formatter/disk_usage.go`):
see `summary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..model.image import Image
from ..model.units import human_size


@dataclass(frozen=True)
class ImageUsage:
    image: Image
    containers: int
    size: int          # the image's virtual size
    shared_size: int   # bytes of its layers another listed image also uses


@dataclass(frozen=True)
class VolumeUsage:
    name: str
    links: int         # RefCount
    size: int


@dataclass(frozen=True)
class ContainerUsage:
    container: object  # the engine's Container record
    size_rw: int


@dataclass(frozen=True)
class DiskUsage:
    layers_size: int
    images: list[ImageUsage]
    containers: list[ContainerUsage]
    volumes: list[VolumeUsage]
    build_cache_size: int = 0


def created_seconds(image: Image) -> int:
    text = image.config.get("created") or ""
    try:
        return int(datetime.fromisoformat(_trim_fraction(text)).timestamp())
    except ValueError:
        return 0


def _trim_fraction(text: str) -> str:
    """RFC 3339 with nanoseconds -> something `fromisoformat` reads (microseconds, +00:00)."""
    text = text.replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
    return f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"


def top_level_images(engine) -> list[Image]:
    """The images `docker images` lists, newest first (by creation second; ties oldest first)."""
    store = engine.images
    listed = [img for iid, img in store.images.items() if store.refs_of(iid) or not store.children(iid)]
    return sorted(listed, key=created_seconds, reverse=True)


def compute(engine) -> DiskUsage:
    """The daemon's `/system/df` answer."""
    store = engine.images
    images = top_level_images(engine)
    containers = engine.containers.all()
    refs: dict[str, int] = {}
    layer_size: dict[str, int] = {}
    for image in images:
        for chain, diff in zip(image.chain_ids, image.diff_ids):
            refs[chain] = refs.get(chain, 0) + 1
            layer_size[chain] = store.layers[diff].size
    image_rows = [
        ImageUsage(image, sum(1 for c in containers if c.image_id == image.id), store.size(image),
                   sum(layer_size[ch] for ch in image.chain_ids if refs[ch] > 1))
        for image in images]
    container_rows = [ContainerUsage(c, engine.backend.get(c.id).layer().size) for c in containers]
    volume_rows = [VolumeUsage(v.name, len(v.refs), v.size) for v in engine.volumes.list()]
    return DiskUsage(sum(layer_size.values()), image_rows, container_rows, volume_rows)


def _with_percent(reclaimable: int, total: int) -> str:
    if total > 0:
        return f"{human_size(reclaimable)} ({reclaimable * 100 // total}%)"
    return human_size(reclaimable)


@dataclass(frozen=True)
class SummaryRow:
    """One row of the `system df` table; the fields are its `--format` fields."""

    Type: str
    TotalCount: str
    Active: str
    Size: str
    Reclaimable: str


def summary(usage: DiskUsage) -> list[SummaryRow]:
    """The four rows, with the 20.10 CLI's arithmetic:

    Images: SIZE is LayersSize; RECLAIMABLE = SIZE - sum over images with containers of
    (size - shared size). Containers: ACTIVE are running, paused or restarting ones;
    RECLAIMABLE is the SizeRw of the others. Volumes: ACTIVE have RefCount > 0;
    RECLAIMABLE is the size of the others. A percentage (truncated) only when the total
    is above 0; none for the build cache.
    """
    used = sum(i.size - i.shared_size for i in usage.images if i.containers)
    images = SummaryRow("Images", str(len(usage.images)), str(sum(1 for i in usage.images if i.containers)),
                        human_size(usage.layers_size), _with_percent(usage.layers_size - used, usage.layers_size))
    live = [c for c in usage.containers if c.container.running]
    total_rw = sum(c.size_rw for c in usage.containers)
    containers = SummaryRow("Containers", str(len(usage.containers)), str(len(live)), human_size(total_rw),
                            _with_percent(total_rw - sum(c.size_rw for c in live), total_rw))
    volume_total = sum(v.size for v in usage.volumes)
    volumes = SummaryRow("Local Volumes", str(len(usage.volumes)), str(sum(1 for v in usage.volumes if v.links)),
                         human_size(volume_total),
                         _with_percent(sum(v.size for v in usage.volumes if not v.links), volume_total))
    cache = SummaryRow("Build Cache", "0", "0", human_size(usage.build_cache_size),
                       human_size(usage.build_cache_size))
    return [images, containers, volumes, cache]
