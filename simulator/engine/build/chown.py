"""`COPY/ADD --chown=<user>[:<group>]`: names looked up in the image's /etc/passwd and
/etc/group, numbers taken as they are (moby v20.10 `builder/dockerfile/copy_unix.go`
`parseChownFlag`, `lookupUser`, `lookupGroup`; a lone user is also the group)."""

from __future__ import annotations

from ...backend.memory.programs.users import groups, passwd
from ..errors import BuildError

PREFIX = "unable to convert uid/gid chown string to host mapping: "


def _lookup(name: str, rows, what: str, kind: str) -> int:
    if name.isdigit():
        return int(name)
    for row in rows:
        if row[0] == name and row[2].isdigit():
            return int(row[2])
    raise BuildError(f"{PREFIX}can't find {what} for {kind} {name}: no such {kind}: {name}")


def resolve_chown(fs, chown: str) -> tuple[int, int]:
    parts = chown.split(":")
    if len(parts) > 2:
        raise BuildError(f"{PREFIX}invalid chown string format: {chown}")
    user, group = (parts[0], parts[0]) if len(parts) == 1 else parts
    return _lookup(user, passwd(fs), "uid", "user"), _lookup(group, groups(fs), "gid", "group")
