"""Users and groups from the view's /etc/passwd and /etc/group (as runc and busybox read them)."""

from __future__ import annotations

from ....model.fs import FSError, UnionFS


def _table(fs: UnionFS, path: str) -> list[list[str]]:
    try:
        text = fs.read(path).decode("utf-8", "replace")
    except FSError:
        return []
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def passwd(fs: UnionFS) -> list[list[str]]:
    return [r for r in _table(fs, "/etc/passwd") if len(r) >= 4]


def groups(fs: UnionFS) -> list[list[str]]:
    return [r for r in _table(fs, "/etc/group") if len(r) >= 3]


def resolve_user(fs: UnionFS, user: str) -> tuple[int, int]:
    """`--user` / USER as (uid, gid): `name`, `uid`, `name:group`, `uid:gid`. A numeric
    uid not in /etc/passwd gets gid 0, as runc gives it; an unknown name is root here."""
    name, _, group = (user or "").partition(":")
    uid, gid = 0, 0
    for row in passwd(fs):
        if name in (row[0], row[2]) and row[2].isdigit():
            uid, gid = int(row[2]), int(row[3]) if row[3].isdigit() else 0
            break
    else:
        if name.isdigit():
            uid = int(name)
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            gid = next((int(r[2]) for r in groups(fs) if r[0] == group and r[2].isdigit()), gid)
    return uid, gid


class UnknownUser(LookupError):
    """A `--user`/USER name with no entry in the image's /etc/passwd or /etc/group."""


def exec_user(fs: UnionFS, user: str) -> tuple[int, int]:
    """(uid, gid) of a container's process, as moby's `getUser` finds them through
    libcontainer/user `GetExecUserPath`: like `resolve_user`, but a user or group name
    the image's files do not list raises UnknownUser with libcontainer's message."""
    name, _, group = (user or "").partition(":")
    if name and not name.isdigit() and not any(r[0] == name for r in passwd(fs)):
        raise UnknownUser(f"unable to find user {name}: no matching entries in passwd file")
    if group and not group.isdigit() and not any(r[0] == group for r in groups(fs)):
        raise UnknownUser(f"unable to find group {group}: no matching entries in group file")
    return resolve_user(fs, user)


def home(fs: UnionFS, uid: int) -> str:
    """The user's home directory from /etc/passwd; `/` when the uid has no entry (runc's default)."""
    return next((r[5] for r in passwd(fs) if r[2] == str(uid) and len(r) > 5), "/")


def user_name(fs: UnionFS, uid: int) -> str | None:
    return next((r[0] for r in passwd(fs) if r[2] == str(uid)), None)


def group_name(fs: UnionFS, gid: int) -> str | None:
    return next((r[0] for r in groups(fs) if r[2] == str(gid)), None)


def member_of(fs: UnionFS, uid: int, gid: int) -> list[int]:
    """The primary group, then every group listing the user (as `id` prints them)."""
    name = user_name(fs, uid)
    out = [gid]
    for r in groups(fs):
        members = r[3].split(",") if len(r) > 3 else []
        if name in members and r[2].isdigit() and int(r[2]) not in out:
            out.append(int(r[2]))
    return out
