"""Events for what processes do to a container's files: creations, copy-ups, whiteouts, opaque
directories (`fs.created`, `fs.copy_up`, `fs.whiteout`, `fs.opaque`).

The union view (`simulator.model.fs.UnionFS`) reports each change to an observer. A simulated
process does all its file work when it starts, so the engine holds these reports while a
process runs and emits them after the event that announces the process ("the main process
starts", "exec ... runs"), in the order they happened. Creations are collapsed so a package
manager writing thousands of files makes one event:

- a path created inside a directory created earlier in the same batch joins that directory's
  event ("sh added 312 files and 20 directories under /usr/share/nginx");
- more than `SPREAD` such events in one existing directory become one event for the directory.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..model.events import Event, plural
from ..model.fs import origin
from ..model.layer import Kind

SPREAD = 20   # creations side by side in one existing directory before they are told as one event

_NOUNS = {Kind.DIR: ("directory", "directories"), Kind.SYMLINK: ("symlink", "symlinks")}


def _noun(kind: Kind) -> tuple[str, str]:
    return _NOUNS.get(kind, ("file", "files"))


def counted(kinds: Counter) -> str:
    """`312 files, 20 directories and 1 symlink` for a Counter of entry kinds (files first)."""
    order = [("file", "files"), ("directory", "directories"), ("symlink", "symlinks")]
    totals = Counter()
    for kind, n in kinds.items():
        totals[_noun(kind)] += n
    parts = [plural(totals[noun], *noun) for noun in order if totals[noun]]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass
class _Created:
    """One creation event in the making: the first path created, and what was created under it."""

    path: str
    kind: Kind
    below: Counter = field(default_factory=Counter)
    members: list["_Created"] = field(default_factory=list)   # siblings folded in (see SPREAD)


class FileEvents:
    """The observers of containers' union views, and the hold that orders their events.

    `observer(container)` is what `backend.prepare` is given. Outside `with held():` each
    change is emitted at once; inside, changes are kept until the block ends."""

    def __init__(self, engine):
        self.engine = engine
        self._held: list[tuple] | None = None
        self._who = ""

    @contextmanager
    def held(self, who: str = ""):
        """Keep file events inside the block and emit them, creations collapsed, when it ends
        (also when it raises). `who` names the program doing the work ("sh")."""
        outer, self._held, self._who = self._held, [], who
        try:
            yield
        finally:
            held, self._held = self._held, outer
            for event in self._collapse(held):
                self.engine.emit(event)

    def discard(self) -> None:
        """Forget the file events held so far (a container whose creation failed did nothing)."""
        if self._held is not None:
            self._held.clear()

    def observer(self, c):
        def observe(what: str, path: str, entry) -> None:
            record = (c, what, path, entry)
            if self._held is None:
                for event in self._collapse([record]):
                    self.engine.emit(event)
            else:
                self._held.append(record)
        return observe

    # -- sentences ---------------------------------------------------------------------
    def _source(self, c, path: str) -> tuple[str, int | None]:
        image = self.engine.images.images.get(c.image_id)
        layers = [self.engine.images.layers[d] for d in image.diff_ids] if image else []
        index = origin(layers, path)
        # layers count from 1, bottom up
        return ("the init layer", None) if index is None else (f"layer {index + 1}", index + 1)

    def _change(self, c, what: str, path: str) -> Event:
        source, number = self._source(c, path)
        sentence = {
            "copy-up": f"copy-up: {path} copied from {source} into the writable layer of container {c.name} "
                       "before the change",
            "whiteout": f"whiteout: {path} deleted in container {c.name}; a whiteout in its writable layer "
                        f"hides the copy in {source}, which stays unchanged",
            "opaque": f"opaque directory: {path} made again in container {c.name}; it is marked opaque so "
                      f"what {source} held below it stays hidden",
        }[what]
        kind = {"copy-up": "fs.copy_up", "whiteout": "fs.whiteout", "opaque": "fs.opaque"}[what]
        return Event(kind, sentence, {"container": c.id, "path": path, "layer": number})

    def _created(self, c, item: _Created) -> Event:
        where = f"in the writable layer of {c.name}"
        who = self._who or "the process"
        if item.members:
            paths = [item, *item.members]
            kinds = Counter(p.kind for p in paths)
            for p in paths:
                kinds.update(p.below)
            parent = posixpath.dirname(item.path)
            message = f"{who} added {counted(kinds)} in {parent} {where}"
            path, entries = parent, sum(kinds.values())
        elif item.below:
            message = f"{who} added {counted(item.below)} under {item.path} (a new directory) {where}"
            path, entries = item.path, 1 + sum(item.below.values())
        else:
            message = f"{item.path} created {where}" + (" (a directory)" if item.kind is Kind.DIR else
                                                         " (a symlink)" if item.kind is Kind.SYMLINK else "")
            path, entries = item.path, 1
        return Event("fs.created", message, {"container": c.id, "path": path, "entries": entries})

    def _collapse(self, records: list[tuple]) -> list[Event]:
        """Events for `records` in order; creations grouped under their first new directory,
        and more than SPREAD groups in one directory merged into the first of them."""
        out: list[tuple] = []            # ("event", c, Event) | ("created", c, _Created)
        groups: dict[tuple[str, str], _Created] = {}        # (container, new dir) -> its group
        spread: dict[tuple[str, str], list[_Created]] = {}  # (container, existing dir) -> groups there
        for c, what, path, entry in records:
            if what != "create":
                out.append(("event", c, self._change(c, what, path)))
                continue
            owner = next((groups[(c.id, a)] for a in _ancestors(path) if (c.id, a) in groups), None)
            if owner is not None:
                owner.below[entry.kind] += 1
            else:
                item = _Created(path, entry.kind)
                siblings = spread.setdefault((c.id, posixpath.dirname(path)), [])
                siblings.append(item)
                out.append(("created", c, item))
                owner = item
            if entry.kind is Kind.DIR:
                groups[(c.id, path)] = owner
        for siblings in spread.values():
            if len(siblings) > SPREAD:
                siblings[0].members = siblings[1:]
                folded = {id(s) for s in siblings[1:]}
                out = [o for o in out if id(o[2]) not in folded]
        return [e if kind == "event" else self._created(c, e) for kind, c, e in out]


def _ancestors(path: str) -> list[str]:
    """`/a/b/c` -> [`/a/b`, `/a`] (nearest first; `/` left out)."""
    out = []
    while (path := posixpath.dirname(path)) != "/":
        out.append(path)
    return out
