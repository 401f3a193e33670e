"""Image operations of the classic image service: tag, remove, prune, history, list, inspect.

Each function takes the `Engine` and follows moby v20.10 `daemon/images/`:
`image_tag.go` (tags always move), `image_delete.go` (`ImageDelete`, `imageDeleteHelper`,
`checkImageDeleteConflict`: Untagged/Deleted records, hard and soft conflicts, quiet
pruning of parents left dangling), `image_prune.go`, `image_history.go`, `image_list.go`
and the `ImageInspect` JSON of `api/types/types.go`. Errors are the daemon's own text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from ..model.clock import ZERO_TIME
from ..model.events import Event, plural
from ..model.image import EMPTY_RUN_CONFIG, Image, short_id
from ..model.reference import Reference, parse
from .errors import Conflict, InvalidParameter, NotFound
from .images import cache_id

GRAPH_ROOT = "/var/lib/docker/overlay2"
_GO_ZERO_UNIX = -62135596800  # time.Time{}.Unix()

# moby's `container.Config` (api/types/container/config.go): field order, the value Go
# prints for a missing field, and whether the field is `json:",omitempty"`.
CONFIG_FIELDS = (
    ("Hostname", "", False), ("Domainname", "", False), ("User", "", False), ("AttachStdin", False, False),
    ("AttachStdout", False, False), ("AttachStderr", False, False), ("ExposedPorts", None, True),
    ("Tty", False, False), ("OpenStdin", False, False), ("StdinOnce", False, False), ("Env", None, False),
    ("Cmd", None, False), ("Healthcheck", None, True), ("ArgsEscaped", False, True), ("Image", "", False),
    ("Volumes", None, False), ("WorkingDir", "", False), ("Entrypoint", None, False),
    ("NetworkDisabled", False, True), ("MacAddress", "", True), ("OnBuild", None, False),
    ("Labels", None, False), ("StopSignal", "", True), ("StopTimeout", None, True), ("Shell", None, True),
)


# -- containers that use images ---------------------------------------------------------
def _containers(engine) -> list:
    """The containers (records with `.id`, `.image_id`, `.running`), newest first. Holds on
    layers by containers that are gone are dropped on the way."""
    live = engine.containers.all()
    for holder in sorted(set(engine.images.held) - {c.id for c in live}):
        engine.images.release(holder)
    return live


def _first_user(engine, image_id: str, running: bool | None = None):
    for c in _containers(engine):
        if c.image_id == image_id and (running is None or bool(c.running) == running):
            return c
    return None


# -- tag --------------------------------------------------------------------------------
def tag(engine, source: str, target: Reference) -> Image:
    """`docker tag`: point `target` (a tagged reference) at the image `source` names.

    Raises NotFound(`No such image: <source, tag defaulted>`). The tag moves if it named
    another image, which becomes dangling when that was its last name.
    """
    image = engine.images.lookup(source)
    engine.images.tag(target, image.id)
    return image


# -- rmi --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeleteRecord:
    """One line of `docker rmi`: kind is "Untagged" or "Deleted"."""

    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class DeleteConflict(Conflict):
    """`imageDeleteConflict`: hard conflicts cannot be forced; `used` means by a container."""

    def __init__(self, image_id: str, message: str, hard: bool = False, used: bool = False):
        forced = "cannot be forced" if hard else "must be forced"
        super().__init__(f"conflict: unable to delete {short_id(image_id)} ({forced}) - {message}")
        self.hard = hard
        self.used = used


_DEPENDENT_CHILD, _RUNNING, _ACTIVE_REF, _STOPPED = 1, 2, 4, 8
_HARD = _DEPENDENT_CHILD | _RUNNING
_SOFT = _ACTIVE_REF | _STOPPED


def _is_id_prefix(image_id: str, text: str) -> bool:
    return image_id.startswith(text) or image_id.split(":", 1)[-1].startswith(text)


def _single_reference(refs: list[Reference]) -> bool:
    """moby `isSingleReference`: one tag, plus at most digests of that same repository."""
    if len(refs) <= 1:
        return len(refs) == 1
    single = None
    canonical = set()
    for ref in refs:
        if ref.digest:
            canonical.add(ref.name)
        elif single is None:
            single = ref
        else:
            return False
    single = single or refs[0]
    return len(canonical) == 1 and single.name in canonical


def _drop_ref(engine, ref: Reference) -> None:
    if ref.digest:
        engine.images.untag_digest(ref)
    else:
        engine.images.untag(ref)


def remove(engine, text: str, force: bool = False, prune: bool = True) -> list[DeleteRecord]:
    """`docker rmi` of one image reference or ID (moby `ImageDelete`).

    Returns the records in order. Raises NotFound, InvalidParameter (bad reference) or
    Conflict with the daemon's message.
    """
    store = engine.images
    image = store.lookup(text)
    image_id = image.id
    records: list[DeleteRecord] = []
    refs = store.references(image_id)
    quiet = False
    if not _is_id_prefix(image_id, text):
        if not force and _single_reference(refs):
            user = _first_user(engine, image_id)
            if user is not None:
                raise Conflict(f'conflict: unable to remove repository reference "{text}" (must force) - '
                               f"container {short_id(user.id)} is using its referenced image {short_id(image_id)}")
        typed = parse(text)
        typed = typed if typed.digest or typed.tag else typed.with_tag("latest")
        _drop_ref(engine, typed)
        records.append(DeleteRecord("Untagged", str(typed)))
        refs = store.references(image_id)
        if not typed.digest and not any(not r.digest and r.name == typed.name for r in refs):
            # the repository's last tag is gone: its digest references go with it
            for r in [r for r in refs if r.digest and r.name == typed.name]:
                _drop_ref(engine, r)
                records.append(DeleteRecord("Untagged", str(r)))
            refs = store.references(image_id)
        if refs:
            return records
        quiet = True
    elif _single_reference(refs):
        mask = _HARD if force else _HARD | (_SOFT & ~_ACTIVE_REF)
        conflict = _conflict(engine, image_id, mask)
        if conflict:
            raise conflict
        for ref in refs:
            _drop_ref(engine, ref)
            records.append(DeleteRecord("Untagged", str(ref)))
    _delete_helper(engine, image_id, records, force, prune, quiet)
    return records


def _conflict(engine, image_id: str, mask: int) -> DeleteConflict | None:
    store = engine.images
    if mask & _DEPENDENT_CHILD and store.children(image_id):
        return DeleteConflict(image_id, "image has dependent child images", hard=True)
    if mask & _RUNNING:
        user = _first_user(engine, image_id, running=True)
        if user is not None:
            return DeleteConflict(image_id, f"image is being used by running container {short_id(user.id)}",
                                  hard=True, used=True)
    if mask & _ACTIVE_REF and store.references(image_id):
        return DeleteConflict(image_id, "image is referenced in multiple repositories")
    if mask & _STOPPED:
        user = _first_user(engine, image_id, running=False)
        if user is not None:
            return DeleteConflict(image_id, f"image is being used by stopped container {short_id(user.id)}",
                                  used=True)
    return None


def _delete_helper(engine, image_id: str, records: list[DeleteRecord], force: bool, prune: bool,
                   quiet: bool) -> None:
    """moby `imageDeleteHelper`: delete the image and its freed layers, then its parent if
    that is now dangling and unused (quietly: conflicts there end the walk)."""
    store = engine.images
    while True:
        conflict = _conflict(engine, image_id, _HARD if force else _HARD | _SOFT)
        if conflict:
            if quiet and (not store.is_dangling(image_id) or conflict.used):
                return
            raise conflict
        image = store.images[image_id]
        for ref in store.references(image_id):
            _drop_ref(engine, ref)
            records.append(DeleteRecord("Untagged", str(ref)))
        for user in _containers(engine):
            if user.image_id == image_id:
                store.retain(user.id, image)
        freed = store.remove(image_id)
        records.append(DeleteRecord("Deleted", image_id))
        records.extend(DeleteRecord("Deleted", c) for c in freed)
        if not prune or not image.parent or image.parent not in store.images:
            return
        image_id, force, quiet = image.parent, False, True


# -- prune ------------------------------------------------------------------------------
_PRUNE_FILTERS = ("dangling", "label", "label!", "until")


@dataclass
class PruneReport:
    deleted: list[DeleteRecord]
    space_reclaimed: int


def _validate(filters: dict[str, list[str]], accepted: Iterable[str]) -> None:
    for key in sorted(filters):
        if key not in accepted:
            raise InvalidParameter(f"Invalid filter '{key}'")


def _invalid_value(key: str, values: list[str]) -> InvalidParameter:
    """moby `invalidFilter{key, values}`: the values print as a Go slice."""
    return InvalidParameter(f"Invalid filter '{key}=[{' '.join(values)}]'")


def _labels_match(filters: dict[str, list[str]], labels: dict[str, str] | None) -> bool:
    """`label=k`, `label=k=v` must all match; `label!=...` must all not match."""
    labels = labels or {}

    def has(spec: str) -> bool:
        key, eq, value = spec.partition("=")
        return key in labels and (not eq or labels[key] == value)

    return all(has(s) for s in filters.get("label", [])) and not any(has(s) for s in filters.get("label!", []))


_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)(h|m|s|ms))+")


def _until(engine, value: str) -> tuple[int, int]:
    """`until=`: a Go duration before now (`24h`, `1h30m`), Unix seconds, or an RFC 3339 time
    (moby `getUntilFromPruneFilters`, `timetypes.GetTimestamp`)."""
    if _DURATION.fullmatch(value):
        scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
        seconds = sum(float(n) * scale[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", value))
        now = engine.clock.now().timestamp() - seconds
        return (math.floor(now), round((now - math.floor(now)) * 1e9))
    if re.fullmatch(r"\d+(\.\d+)?", value):
        whole, _, frac = value.partition(".")
        return (int(whole), int(frac.ljust(9, "0")[:9]) if frac else 0)
    try:
        return _instant(value)
    except (AttributeError, ValueError):
        raise InvalidParameter(f"failed to parse value as time or duration: \"{value}\"") from None


def prune(engine, all_images: bool = False, filters: dict[str, list[str]] | None = None) -> PruneReport:
    """`docker image prune` (moby `ImagesPrune`): delete dangling images, or with `all_images`
    every image no container uses. Conflicts are skipped. Space reclaimed is the DiffSize
    of every layer deleted."""
    filters = {k: list(v) for k, v in (filters or {}).items()}
    filters.setdefault("dangling", []).append("false" if all_images else "true")
    _validate(filters, _PRUNE_FILTERS)
    values = filters["dangling"]
    if {"false", "0"} & set(values):
        dangling_only = False
    elif {"true", "1"} & set(values):
        dangling_only = True
    else:
        raise _invalid_value("dangling", values)
    store = engine.images
    _containers(engine)   # let go of layers held by containers that are gone
    sizes = store.chain_sizes()
    candidates = [i for i in store.images.values() if not (dangling_only and store.children(i.id))]
    until = [_until(engine, v) for v in filters.get("until", [])][-1:]
    top = [i for i in candidates
           if not (not store.references(i.id) and store.children(i.id))
           and not (until and _instant(i.created) > until[0])
           and _labels_match(filters, i.run_config.get("Labels"))]
    deleted: list[DeleteRecord] = []
    for image in sorted(top, key=lambda i: (i.created, i.id), reverse=True):
        if image.id not in store.images:
            continue  # already pruned as a parent
        refs = store.references(image.id)
        targets = [str(r) for r in refs] if refs else [image.id[7:]]
        if refs and dangling_only and any(not r.digest for r in refs):
            continue  # only images with no tag (`repo@digest` only) count as dangling
        for target in targets:
            try:
                deleted.extend(remove(engine, target, force=False, prune=True))
            except (Conflict, NotFound):
                continue
    reclaimed = sum(sizes.get(r.value, 0) for r in deleted if r.kind == "Deleted")
    gone = sum(r.kind == "Deleted" for r in deleted)
    engine.emit(Event("image.pruned", f"image prune deleted {plural(gone, 'image or layer', 'images and layers')}, "
                      f"freeing {plural(reclaimed, 'byte')}",
                      {"deleted": [str(r) for r in deleted], "space_reclaimed": reclaimed}))
    return PruneReport(deleted, reclaimed)


# -- history ----------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryEntry:
    """One row of `docker history` (moby `image.HistoryResponseItem`); created in Unix seconds."""

    id: str
    created: int
    created_by: str
    size: int
    comment: str
    tags: tuple[str, ...] = ()


def _instant(rfc3339: str) -> tuple[int, int]:
    """(Unix seconds, nanoseconds) of an RFC 3339 time; Go's zero time when empty."""
    if not rfc3339 or rfc3339 == ZERO_TIME:
        return (_GO_ZERO_UNIX, 0)
    m = re.fullmatch(r"(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", rfc3339)
    whole = datetime.fromisoformat(m.group(1) + m.group(3).replace("Z", "+00:00"))
    return (math.floor(whole.timestamp()), int((m.group(2) or "0").ljust(9, "0")[:9]))


def _unix(rfc3339: str) -> int:
    return _instant(rfc3339)[0]


def history(engine, text: str) -> list[HistoryEntry]:
    """`docker history`: the config's history, newest first. The first entries take the IDs
    of the image and its parents, walking up the chain while those images exist; the others
    are `<missing>`. Size is the DiffSize of the layer an entry added (0 for empty layers)."""
    store = engine.images
    image = store.lookup(text)
    diff_ids = image.diff_ids
    rows: list[dict[str, Any]] = []
    n = 0
    for h in image.history:
        size = 0
        if not h.get("empty_layer"):
            size = store.layers[diff_ids[n]].size
            n += 1
        rows.insert(0, {"created": _unix(h.get("created", "")), "created_by": h.get("created_by", ""),
                        "comment": h.get("comment", ""), "size": size, "id": "<missing>", "tags": ()})
    current: Image | None = image
    for row in rows:
        row["id"] = current.id
        row["tags"] = tuple(str(r) for r in store.references(current.id) if not r.digest)
        current = store.images.get(current.parent) if current.parent else None
        if current is None:
            break
    return [HistoryEntry(**row) for row in rows]


# -- images -----------------------------------------------------------------------------
_LIST_FILTERS = ("dangling", "label", "before", "since", "reference")


@dataclass(frozen=True)
class ImageSummary:
    """One image of `docker images` (moby `types.ImageSummary`): `created` in Unix seconds;
    repo_tags/repo_digests in familiar form, `<none>:<none>`/`<none>@<none>` when dangling."""

    id: str
    parent: str
    repo_tags: tuple[str, ...]
    repo_digests: tuple[str, ...]
    created: int
    created_at: str
    size: int
    labels: dict[str, str]


def _path_match(pattern: str, name: str) -> bool:
    """Go's `path.Match`: `*` and `?` never match `/`."""
    out = ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise InvalidParameter("syntax error in pattern")
            body = pattern[i + 1:end]
            out += "[" + ("^" + body[1:] if body.startswith("^") else body) + "]"
            i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(c)
        i += 1
    return re.fullmatch(out, name) is not None


def _familiar_match(pattern: str, ref: Reference) -> bool:
    """`reference.FamiliarMatch`: the familiar string, or else the familiar name."""
    return _path_match(pattern, str(ref)) or _path_match(pattern, ref.familiar_name)


def list_images(engine, all_images: bool = False, filters: dict[str, list[str]] | None = None
                ) -> list[ImageSummary]:
    """`docker images` (moby `Images`): newest first. Without `all_images`, untagged images
    with children (intermediate images) are hidden; dangling ones show as `<none>`."""
    filters = dict(filters or {})
    _validate(filters, _LIST_FILTERS)
    store = engine.images
    dangling_only = "true" in filters.get("dangling", [])
    if "dangling" in filters and not dangling_only and "false" not in filters["dangling"]:
        raise _invalid_value("dangling", filters["dangling"])
    before = [_instant(store.lookup(v).created) for v in filters.get("before", [])][-1:]
    since = [_instant(store.lookup(v).created) for v in filters.get("since", [])][-1:]
    out = []
    for image in store.images.values():
        if dangling_only and store.children(image.id):
            continue
        created = _instant(image.created)
        if before and created >= before[0]:
            continue
        if since and created <= since[0]:
            continue
        labels = image.run_config.get("Labels") or {}
        if "label" in filters and not _labels_match({"label": filters["label"]}, labels):
            continue
        tags, digests = [], []
        for ref in store.references(image.id):
            if "reference" in filters and not any(_familiar_match(p, ref) for p in filters["reference"]):
                continue
            (digests if ref.digest else tags).append(str(ref))
        if not tags and not digests:
            if not (all_images or not store.children(image.id)):
                continue
            if ("dangling" in filters and not dangling_only) or "reference" in filters:
                continue
            tags, digests = ["<none>:<none>"], ["<none>@<none>"]
        elif dangling_only and tags:
            continue
        out.append(ImageSummary(image.id, image.parent, tuple(tags), tuple(digests), created[0],
                                image.created, store.size(image), labels))
    # moby sorts by Created in whole seconds, leaving ties in map order; the finer instant
    # (then the ID) breaks them here, so that the order repeats
    out.sort(key=lambda s: (_instant(s.created_at), s.id), reverse=True)
    return out


# -- inspect ----------------------------------------------------------------------------
def go_config(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """A container Config in the order, and with the omissions, of Go's JSON encoder."""
    if config is None:
        return None
    out = {}
    for key, zero, omitempty in CONFIG_FIELDS:
        value = config.get(key, zero)
        if value is None:
            value = zero
        if not (omitempty and not value):
            out[key] = value
    return out


def _graph_driver(image: Image) -> dict[str, Any]:
    dirs = [f"{GRAPH_ROOT}/{cache_id(c)}" for c in image.chain_ids]
    top = dirs[-1]
    data = {}
    if len(dirs) > 1:
        data["LowerDir"] = ":".join(f"{d}/diff" for d in reversed(dirs[:-1]))
    data.update({"MergedDir": f"{top}/merged", "UpperDir": f"{top}/diff", "WorkDir": f"{top}/work"})
    return {"Data": data, "Name": "overlay2"}


def inspect(engine, text: str) -> dict[str, Any]:
    """`docker image inspect` (moby `types.ImageInspect`, as `daemon/images/image_inspect`
    fills it in 20.10), as an ordered dict ready for Go-style JSON."""
    store = engine.images
    image = store.lookup(text)
    refs = store.references(image.id)
    size = store.size(image)
    out: dict[str, Any] = {
        "Id": image.id,
        "RepoTags": [str(r) for r in refs if not r.digest],
        "RepoDigests": [str(r) for r in refs if r.digest],
        "Parent": image.parent,
        "Comment": image.get("comment", ""),
        "Created": image.created or ZERO_TIME,
        "Container": image.get("container", ""),
        "ContainerConfig": go_config(image.get("container_config") or EMPTY_RUN_CONFIG),
        "DockerVersion": image.get("docker_version", ""),
        "Author": image.get("author", ""),
        "Config": go_config(image.get("config")),
        "Architecture": image.get("architecture", ""),
    }
    if image.get("variant"):
        out["Variant"] = image.get("variant")
    out["Os"] = image.get("os", "")
    if image.get("os.version"):
        out["OsVersion"] = image.get("os.version")
    out.update({
        "Size": size,
        "VirtualSize": size,
        "GraphDriver": _graph_driver(image) if image.diff_ids else {"Data": None, "Name": "overlay2"},
        "RootFS": {"Type": "layers", **({"Layers": image.diff_ids} if image.diff_ids else {})},
        "Metadata": {"LastTagTime": store.last_updated.get(image.id, ZERO_TIME)},
    })
    return out
