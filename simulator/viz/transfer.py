"""A registry push or pull, from its events: which blobs moved and which were already there.

Push (moby `distribution/push_v2.go`): a layer the repository has is skipped ("Layer already
exists", `registry.blob_exists`), one in another repository of the registry is mounted
(`registry.blob_mounted`), the rest are uploaded (`registry.blob_pushed`), then the manifest
(`registry.manifest_pushed`). Pull (`pull_v2.go`): layers already in the store are not
downloaded (`registry.layer_exists`), the others are (`registry.blob_pulled`), then
`registry.image_pulled`.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .diagram import Diagram, add_edge, add_node, digraph, short, size

MOVED = {"registry.blob_pushed": "uploaded", "registry.blob_pulled": "downloaded"}
KEPT = {"registry.blob_exists": "already in the registry", "registry.blob_mounted": "mounted from another repository",
        "registry.layer_exists": "already in the image store"}
DONE = ("registry.manifest_pushed", "registry.image_pulled")
_ALONG = ("layer.created", "image.created", "image.tagged")   # what a pull stores on its way


@dataclass(frozen=True)
class BlobMove:
    """status: "uploaded", "downloaded" (moved) or one of KEPT's values (not moved)."""

    digest: str
    diff_id: str
    status: str

    @property
    def moved(self) -> bool:
        return self.status in MOVED.values()


@dataclass(frozen=True)
class Transfer:
    """direction: "push" or "pull"; ref: the reference ("" until the operation ends);
    blobs: in the order the events reported them; done: the manifest was pushed / image pulled."""

    direction: str
    ref: str
    blobs: tuple[BlobMove, ...]
    done: bool


def transfer_of(events) -> Transfer | None:
    """The last push or pull in `events` (possibly still running), or None."""
    blobs: list[BlobMove] = []
    end = None
    for e in reversed(events):
        if e.kind in DONE:
            if end is not None or blobs:
                break
            end = e
        elif e.kind in MOVED or e.kind in KEPT:
            blobs.append(BlobMove(e.data["digest"], e.data["diff_id"], MOVED.get(e.kind) or KEPT[e.kind]))
        elif e.kind in _ALONG or e.kind.startswith("registry."):
            continue
        elif end is not None or blobs:
            break
    if end is None and not blobs:
        return None
    pull = (end is not None and end.kind == "registry.image_pulled") or \
        any(b.status in ("downloaded", KEPT["registry.layer_exists"]) for b in blobs)
    return Transfer("pull" if pull else "push", end.data["ref"] if end else "", tuple(reversed(blobs)),
                    end is not None)


def transfer(events, state=None) -> Diagram:
    """Nodes `local` (the image store), `registry`, and `b<i>` per blob; a moved blob has
    highlighted edges from where it was to where it went; a blob not moved has one dashed edge
    to the side that already had it. `state` adds each layer's size, and for a pull of an image
    already present (no blob checked) its layers, as already in the image store."""
    t = transfer_of(events)
    dot, graph = digraph("transfer", "LR"), nx.DiGraph()
    if t is None:
        return Diagram("transfer", dot.source, graph)
    dot.attr(label=f"docker {t.direction} {t.ref}".rstrip())
    add_node(dot, graph, "local", "image store (this engine)", style={"shape": "cylinder"}, kind="store")
    add_node(dot, graph, "registry", f"registry\\n{t.ref}" if t.ref else "registry", style={"shape": "cylinder"},
             kind="registry")
    source, target = ("local", "registry") if t.direction == "push" else ("registry", "local")
    blobs = t.blobs
    if t.direction == "pull" and t.done and not blobs and state is not None:
        # the image itself was already here: the daemon checked no blob, every layer is local
        pulled = state.images.images.get(_last_pulled(events))
        blobs = tuple(BlobMove("", d, KEPT["registry.layer_exists"]) for d in (pulled.diff_ids if pulled else []))
    for i, b in enumerate(blobs):
        layer = state.images.layers.get(b.diff_id) if state is not None else None
        label = (f"blob {short(b.digest)}\\n" if b.digest else "") + f"layer {short(b.diff_id)}"
        label += f"  {size(layer.size)}" if layer else ""
        node = f"b{i}"
        add_node(dot, graph, node, f"{label}\\n{b.status}", b.moved, None if b.moved else {"style": "dashed"},
                 kind="blob", digest=b.digest, diff_id=b.diff_id, status=b.status, moved=b.moved)
        if b.moved:
            add_edge(dot, graph, source, node, "", True)
            add_edge(dot, graph, node, target, b.status, True)
        else:
            has = "local" if b.status == KEPT["registry.layer_exists"] else "registry"
            add_edge(dot, graph, node, has, "already there", style={"style": "dashed"})
    return Diagram("transfer", dot.source, graph)


def _last_pulled(events) -> str:
    return next((e.data["id"] for e in reversed(events) if e.kind == "registry.image_pulled"), "")
