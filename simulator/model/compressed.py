"""Compressed layer blobs: the gzip stream of a layer's tar, as Docker pushes it.

A registry stores a layer as a blob named by the sha256 of its *compressed* bytes (image-spec
`manifest.md`: the layer descriptor's `digest` and `size`), while the image config lists the
sha256 of the *uncompressed* tar (`config.md`: `rootfs.diff_ids`). Docker 20.10 compresses
with gzip when it pushes (moby `distribution/push_v2.go`, `compressStream`), so the two
digests of one layer always differ.

The stream is deterministic: a fixed gzip header (no mtime, no file name, XFL 4 for the
fastest level, OS 255 "unknown" as Go's `compress/gzip` writes it), then raw deflate at
level 1, then the CRC-32 and length of the tar (RFC 1952). Layers of base images hold
large synthetic files that are mostly zero bytes; a whole MiB of zeros is deflated once,
after a full flush (which resets the compressor so that no later data refers back before
it), and those bytes are reused for every such MiB, so a 1 GiB layer compresses in a
fraction of a second. The result is an ordinary gzip stream that `gzip -d` unpacks to the
layer's tar.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache
from typing import BinaryIO

from .layer import HashSink, Layer

LEVEL = 1
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\xff"  # magic, deflate, no flags, mtime 0, XFL 4, OS 255
ZERO_RUN = 1 << 20
_ZEROS = bytes(ZERO_RUN)


@dataclass(frozen=True)
class Blob:
    """A layer's compressed blob: `digest` ("sha256:<64 hex>") and `size` in bytes, the two
    values of its manifest descriptor."""

    digest: str
    size: int


_blobs: dict[str, Blob] = {}  # diffID -> blob; content-addressed, so shared by all engines


def gzip_blob(layer: Layer) -> Blob:
    """The digest and size of `layer`'s gzip blob, computed once per diffID."""
    found = _blobs.get(layer.diff_id)
    if found is None:
        sink = HashSink()
        write_gzip(layer, sink)
        found = _blobs[layer.diff_id] = Blob("sha256:" + sink.hash.hexdigest(), sink.size)
    return found


def write_gzip(layer: Layer, out: BinaryIO) -> None:
    """Write `layer`'s gzip stream (header, deflate data, trailer) to `out`."""
    stream = _GzipStream(out)
    layer.write_tar(stream)
    stream.close()


class _GzipStream:
    """A file-like writer that gzips what it is given into `out`."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self.crc = 0
        self.length = 0
        self.at_reset = True  # nothing written since the last full flush
        out.write(HEADER)

    def write(self, data: bytes) -> int:
        runs, rest = (divmod(len(data), ZERO_RUN) if data.count(0) == len(data) else (0, len(data)))
        if runs:
            if not self.at_reset:
                self.out.write(self.deflate.flush(zlib.Z_FULL_FLUSH))
                self.at_reset = True
            piece, advance = _zero_run()
            for _ in range(runs):
                self.out.write(piece)
                self.crc = advance(self.crc)
            self.length += runs * ZERO_RUN
        if rest:
            tail = data[len(data) - rest:]
            self.out.write(self.deflate.compress(tail))
            self.crc = zlib.crc32(tail, self.crc)
            self.length += rest
            self.at_reset = False
        return len(data)

    def close(self) -> None:
        self.out.write(self.deflate.flush(zlib.Z_FINISH))
        self.out.write(self.crc.to_bytes(4, "little") + (self.length & 0xFFFFFFFF).to_bytes(4, "little"))


@cache
def _zero_run():
    """The deflate bytes of one run of zeros (ending in a full flush), and the function that
    advances a CRC-32 over such a run. CRC-32 over fixed data is affine in the starting
    value: crc32(run, v) = crc32(run, 0) ^ XOR of crc32(run, 1<<i) ^ crc32(run, 0) for the set bits i."""
    deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    piece = deflate.compress(_ZEROS) + deflate.flush(zlib.Z_FULL_FLUSH)
    base = zlib.crc32(_ZEROS)
    columns = [zlib.crc32(_ZEROS, 1 << i) ^ base for i in range(32)]

    def advance(crc: int) -> int:
        out = base
        for i, column in enumerate(columns):
            if crc >> i & 1:
                out ^= column
        return out
    return piece, advance
