"""`docker ps`: which containers are listed (filters, -a, -n, -l) and the fields of each row.

Sources: moby `daemon/list.go` (filters `status`, `name` (regexp on names), `id` (prefix),
`ancestor`, `exited` (strconv.Atoi's error for a non-number), `label`; `Invalid filter
'status=<x>'`; newest first; without `-a` only Running, which includes paused and
restarting), docker/cli 20.10
`cli/command/formatter/container.go` (the row fields: quoted COMMAND cut to 20 characters
with `…`, CreatedAt as Go's `time.Time.String()`, RunningFor, Size
`<rw> (virtual <rw+image>)` with 3 significant digits, Labels `k=v` joined by `,`).
"""

from __future__ import annotations

import re
from datetime import datetime

from ..model.gostrings import go_quote
from ..model.units import human_duration, human_size
from . import states
from .container_record import Container
from .errors import DockerError, InvalidParameter

FILTERS = ("status", "name", "id", "ancestor", "exited", "label")

def ellipsis(text: str, width: int) -> str:
    """docker/cli `formatter.Ellipsis`: at most `width` characters, the last one `…` if cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def select(engine, all_: bool = False, filters: list[str] = (), last: int = -1) -> list[Container]:
    """The containers `docker ps` lists, newest first. `last` > 0 keeps the N newest (any state)."""
    parsed: dict[str, list[str]] = {}
    for item in filters:
        key, eq, value = item.partition("=")
        if not eq:
            raise InvalidParameter("Bad format of filter (expected name=value)")
        if key not in FILTERS:
            raise InvalidParameter(f"Invalid filter '{key}'")
        parsed.setdefault(key, []).append(value)
    for value in parsed.get("exited", []):   # list.go foldFilter: exited codes, then statuses
        if not re.fullmatch(r"[+-]?[0-9]+", value):
            raise DockerError(f"strconv.Atoi: parsing {go_quote(value)}: invalid syntax")
    for value in parsed.get("status", []):
        if value not in states.STATES:
            raise InvalidParameter(f"Invalid filter 'status={value}'")
    chosen = engine.containers.all()
    if last > 0:
        chosen = chosen[:last]
    elif not all_ and "status" not in parsed and "exited" not in parsed:
        chosen = [c for c in chosen if c.running]
    return [c for c in chosen if _matches(engine, c, parsed)]


def _matches(engine, c: Container, filters: dict[str, list[str]]) -> bool:
    def any_of(key, test):
        return key not in filters or any(test(v) for v in filters[key])

    labels = c.config.get("Labels") or {}
    return (any_of("status", lambda v: c.state == v)
            and any_of("name", lambda v: re.search(v, "/" + c.name) is not None)
            and any_of("id", lambda v: c.id.startswith(v))
            and any_of("exited", lambda v: c.state == states.EXITED and c.exit_code == int(v))
            and any_of("label", lambda v: (v.partition("=")[0] in labels) and
                       ("=" not in v or labels[v.partition("=")[0]] == v.partition("=")[2]))
            and any_of("ancestor", lambda v: _descends(engine, c.image_id, v)))


def _descends(engine, image_id: str, ref: str) -> bool:
    wanted = engine.images.find(ref)
    if wanted is None:
        return False
    current = engine.images.images.get(image_id)
    while current is not None:
        if current.id == wanted.id:
            return True
        current = engine.images.images.get(current.parent) if current.parent else None
    return False


class PsRow:
    """One `docker ps` row; its methods are the `--format` fields (`{{.ID}}`, `{{.Label "k"}}`)."""

    go_type = "*formatter.ContainerContext"
    FIELDS = ("Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names",
              "Networks", "Ports", "RunningFor", "Size", "State", "Status")
    HEADERS = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
               "RunningFor": "CREATED", "Ports": "PORTS", "Status": "STATUS", "Size": "SIZE",
               "Names": "NAMES", "Labels": "LABELS", "Label": "LABEL", "Mounts": "MOUNTS",
               "LocalVolumes": "LOCAL VOLUMES", "Networks": "NETWORKS", "State": "STATE"}

    def __init__(self, engine, c: Container, now: datetime, trunc: bool = True):
        self._engine, self._c, self._now, self._trunc = engine, c, now, trunc

    def ID(self) -> str:
        return self._c.id[:12] if self._trunc else self._c.id

    def Image(self) -> str:
        return self._engine.containers.image_of(self._c)

    def Command(self) -> str:
        text = self._c.command_text()
        return go_quote(ellipsis(text, 20) if self._trunc else text)

    def CreatedAt(self) -> str:
        return self._c.created.strftime("%Y-%m-%d %H:%M:%S +0000 UTC")

    def RunningFor(self) -> str:
        return human_duration((self._now - self._c.created).total_seconds()) + " ago"

    def Ports(self) -> str:
        return self._engine.ports.display(self._c)

    def Status(self) -> str:
        return self._c.status(self._now)

    def State(self) -> str:
        return self._c.state

    def Size(self) -> str:
        rw = self._engine.backend.get(self._c.id).layer().size
        image = self._engine.images.images.get(self._c.image_id)
        virtual = rw + (self._engine.images.size(image) if image else 0)
        return f"{human_size(rw, 3)} (virtual {human_size(virtual, 3)})"

    def Names(self) -> str:
        return self._c.name

    def Labels(self) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted((self._c.config.get("Labels") or {}).items()))

    def Label(self, name: str) -> str:
        return (self._c.config.get("Labels") or {}).get(name, "")

    def Mounts(self) -> str:
        return ",".join(m.name or m.source for m in self._c.mounts)

    def LocalVolumes(self) -> str:
        return str(sum(1 for m in self._c.mounts if m.kind == "volume"))

    def Networks(self) -> str:
        return self._c.network

    def __go_json__(self) -> dict[str, str]:
        """What `{{json .}}` prints: every field, keys sorted (docker/cli `MarshalJSON`)."""
        return {name: getattr(self, name)() for name in self.FIELDS}
