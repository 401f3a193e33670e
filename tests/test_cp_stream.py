"""`docker cp` with `-`: a tar stream on stdout (`cp CONTAINER:PATH -`) and from stdin
(`cp - CONTAINER:DEST`), and `cp -L` of a local symbolic link.

Every expectation is what a Docker 20.10.24 engine did with the same archive or command
(recorded on a private engine): member names, modes with Go's type bits, owner names from
the container's /etc/passwd and /etc/group, hard links, mtimes, and the daemon's errors.
The last tests run `python -m simulator docker` with real pipes, on both backends.
"""

from __future__ import annotations

import gzip
import io
import os
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from linux_support import leftovers, linux_root
from simulator.cli import app, commands  # noqa: F401  (registers the commands)

ROOT = Path(__file__).resolve().parent.parent
MERGED = "/var/lib/docker/overlay2/{}/merged"
SECONDS = 1000000000   # the mtime the archives below carry: 2001-09-09 01:46:40 UTC


@pytest.fixture
def cli(engine, tmp_path):
    """Run a docker command line on `engine` with `stdin` bytes; (status, stdout bytes, stderr).
    Its stdout writer takes bytes as the real one does (`binary`, cli/main.py)."""
    def run(line: str, stdin: bytes = b"") -> tuple[int, bytes, str]:
        out, err = [], []

        def write(text: str) -> None:
            out.append(text.encode())
        write.binary = out.append
        status = app.run(engine, shlex.split(line), str(tmp_path), write, err.append,
                         stdin=io.TextIOWrapper(io.BytesIO(stdin)))
        return status, b"".join(out), "".join(err)
    return run


def make_tar(*members, mtime: int = SECONDS) -> bytes:
    """A tar of (name, type, options): options data, mode, uid, gid, link."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, options in members:
            info = tarfile.TarInfo(name)
            info.type, info.mtime = kind, mtime
            info.mode, info.uid, info.gid = options.get("mode", 0o644), options.get("uid", 0), options.get("gid", 0)
            info.linkname = options.get("link", "")
            data = options.get("data", b"")
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return buf.getvalue()


def members(stream: bytes) -> list[tuple]:
    """(name as stored, type, mode, uid, gid, uname, gname, size, linkname) of each member."""
    with tarfile.open(fileobj=io.BytesIO(stream)) as tar:
        return [(m.name + ("/" if m.isdir() and m.name not in ("", ".") else ""), m.type, m.mode, m.uid, m.gid,
                 m.uname, m.gname, m.size, m.linkname) for m in tar.getmembers()]


def names(stream: bytes) -> list[str]:
    return [m[0] for m in members(stream)]


def _tree(docker):
    assert docker("run --name c1 busybox sh -c 'mkdir -p /d/sub && echo hello > /d/f && echo x > /d/sub/g "
                  "&& ln -s f /d/l && ln -s l /d/l2 && chmod 640 /d/f && chown 5:6 /d/sub/g'").exit == 0


# -- docker cp CONTAINER:PATH - ----------------------------------------------------------------------
def test_members_are_named_from_the_copied_path(docker, cli):
    _tree(docker)
    assert names(cli("cp c1:/d -")[1]) == ["d/", "d/f", "d/l", "d/l2", "d/sub/", "d/sub/g"]
    assert names(cli("cp c1:/d/ -")[1]) == ["d/", "d/f", "d/l", "d/l2", "d/sub/", "d/sub/g"]
    assert names(cli("cp c1:/d/. -")[1]) == [".", "./f", "./l", "./l2", "./sub/", "./sub/g"]
    assert names(cli("cp c1:/d/f -")[1]) == ["f"]
    assert names(cli("cp c1:/d/l -")[1]) == ["l"]            # the link itself
    assert names(cli("cp -L c1:/d/l2 -")[1]) == ["f"]         # -L: every link followed
    assert names(cli("cp c1:/ -")[1])[:3] == ["", "/.dockerenv", "/bin/"]   # `/` then `/.dockerenv`...


def test_headers_carry_type_bits_owners_and_their_names(docker, cli):
    _tree(docker)
    status, stream, _ = cli("cp c1:/d -")
    assert status == 0
    got = {m[0]: m[1:] for m in members(stream)}
    assert got["d/"][:6] == (tarfile.DIRTYPE, 0o40755, 0, 0, "root", "root")
    assert got["d/f"] == (tarfile.REGTYPE, 0o100640, 0, 0, "root", "root", 6, "")
    assert got["d/l"] == (tarfile.SYMTYPE, 0o120777, 0, 0, "root", "root", 0, "f")
    assert got["d/sub/g"][:6] == (tarfile.REGTYPE, 0o100644, 5, 6, "", "disk")   # busybox has no user 5
    assert len(stream) % 512 == 0 and stream.endswith(bytes(1024))
    assert len(stream) == 6 * 512 + 2 * 512 + 1024   # six headers, two data blocks, the end: no padding


def test_hard_links_point_at_the_first_name_of_the_inode(docker, cli):
    assert docker("run --name c1 busybox sh -c 'mkdir /d && echo x > /d/b && ln /d/b /d/a && ln /d/b /d/c'").exit == 0
    got = {m[0]: (m[1], m[7], m[8]) for m in members(cli("cp c1:/d -")[1])}
    assert got["d/a"] == (tarfile.REGTYPE, 2, "")
    assert got["d/b"] == (tarfile.LNKTYPE, 0, "d/a") and got["d/c"] == (tarfile.LNKTYPE, 0, "d/a")
    # busybox's applets are hard links of one binary in the image: the first in walk order holds it
    bin_members = {m[0]: (m[1], m[8]) for m in members(cli("cp c1:/bin -")[1])}
    assert bin_members["bin/["] == (tarfile.REGTYPE, "")
    assert bin_members["bin/[["] == (tarfile.LNKTYPE, "bin/[")


def test_archive_errors(docker, cli, engine):
    _tree(docker)
    cid = engine.containers.get("c1").id
    assert cli("cp c1:/nope -") == (1, b"", "Error: No such container:path: c1:/nope\n")
    assert cli("cp nope:/x -") == (1, b"", "Error: No such container:path: nope:/x\n")
    merged = MERGED.format(cid)
    assert cli("cp c1:/d/f/ -") == (1, b"", f"Error response from daemon: lstat {merged}/d/f/: not a directory\n")
    assert cli("cp c1:/d/f/x/y -") == (1, b"", f"Error response from daemon: lstat {merged}/d/f/x: not a directory\n")


# -- docker cp - CONTAINER:DEST ------------------------------------------------------------------------
def _members_of(cli, path: str) -> dict[str, tuple]:
    status, stream, err = cli(f"cp {path} -")
    assert status == 0, err
    with tarfile.open(fileobj=io.BytesIO(stream)) as tar:
        return {m.name: (m.mode & 0o7777, m.uid, m.gid, int(m.mtime), m.type, m.linkname) for m in tar}


def test_the_destination_must_be_an_existing_directory(docker, cli):
    assert docker("create --name t1 busybox").exit == 0
    stream = make_tar(("top", tarfile.REGTYPE, {"data": b"top\n"}))
    for dest in ("t1:/nope", "t1:/etc/passwd", "nope:/tmp", "t1:/tmp/nope/"):
        assert cli(f"cp - {dest}", stream) == (1, b"", f'destination "{dest}" must be a directory\n')
    assert cli("cp - t1:/tmp/", stream)[0] == 0
    assert docker("diff t1").out == "C /tmp\nA /tmp/top\n"


def test_owners_modes_and_mtimes_come_from_the_archive(docker, cli, engine):
    assert docker("create --name t1 busybox").exit == 0
    stream = make_tar(("x", tarfile.DIRTYPE, {"mode": 0o750, "uid": 7, "gid": 8}),
                      ("x/f", tarfile.REGTYPE, {"data": b"hello\n", "uid": 1234, "gid": 99, "mode": 0o6755}),
                      ("x/l", tarfile.SYMTYPE, {"link": "/etc/passwd"}),
                      ("a/b/c", tarfile.REGTYPE, {"data": b"c\n"}))
    assert cli("cp - t1:/tmp", stream) == (0, b"", "")
    got = _members_of(cli, "t1:/tmp")
    now = int(engine.clock.now().timestamp())
    assert got["tmp/x"] == (0o750, 7, 8, SECONDS, tarfile.DIRTYPE, "")
    assert got["tmp/x/f"] == (0o6755, 1234, 99, SECONDS, tarfile.REGTYPE, "")
    assert got["tmp/x/l"] == (0o777, 0, 0, SECONDS, tarfile.SYMTYPE, "/etc/passwd")
    # parents the archive does not list are made as root, 0755, now
    assert got["tmp/a"] == (0o755, 0, 0, now, tarfile.DIRTYPE, "")
    assert got["tmp/a/b/c"][:4] == (0o644, 0, 0, SECONDS)
    assert got["tmp"][:3] == (0o1777, 0, 0)


def test_a_directory_member_merges_into_an_existing_one_and_dot_is_skipped(docker, cli):
    assert docker("create --name t1 busybox").exit == 0
    assert cli("cp - t1:/root", make_tar((".", tarfile.DIRTYPE, {"mode": 0o755, "uid": 5, "gid": 5}),
                                         ("./in", tarfile.REGTYPE, {"data": b"i\n"})))[0] == 0
    assert cli("cp - t1:/", make_tar(("tmp", tarfile.DIRTYPE, {"mode": 0o700, "uid": 5, "gid": 5})))[0] == 0
    assert _members_of(cli, "t1:/root")["root"][:3] == (0o700, 0, 0)   # busybox's /root, untouched
    assert _members_of(cli, "t1:/tmp")["tmp"][:4] == (0o700, 5, 5, SECONDS)


def test_hard_links_share_the_inode_and_chown_clears_setuid(docker, cli):
    assert docker("create --name t1 busybox").exit == 0
    # into /tmp: the link's name is read from the root (/x/f), so only its chown applies
    stream = make_tar(("x", tarfile.DIRTYPE, {"mode": 0o755}),
                      ("x/f", tarfile.REGTYPE, {"data": b"f\n", "mode": 0o4755, "uid": 1234}),
                      ("x/h", tarfile.LNKTYPE, {"link": "x/f", "mode": 0o600}))
    assert cli("cp - t1:/tmp", stream)[0] == 0
    got = _members_of(cli, "t1:/tmp/x")
    assert got["x/f"][:3] == (0o755, 0, 0)
    assert got["x/h"][4:] == (tarfile.LNKTYPE, "x/f")
    # into /: there the name resolves, so the link's mode and mtime apply too
    stream = make_tar(("f2", tarfile.REGTYPE, {"data": b"x", "mode": 0o4755, "uid": 3}),
                      ("h2", tarfile.LNKTYPE, {"link": "f2", "mode": 0o600, "uid": 4}))
    assert cli("cp - t1:/", stream)[0] == 0
    assert _members_of(cli, "t1:/f2")["f2"][:4] == (0o600, 4, 0, SECONDS)


def test_names_and_links_must_stay_inside_the_destination(docker, cli):
    assert docker("create --name t1 busybox").exit == 0
    evil = make_tar(("../../evil", tarfile.REGTYPE, {"data": b"e\n"}), ("/abs", tarfile.REGTYPE, {"data": b"a\n"}))
    error = 'Error response from daemon: Error processing tar file(exit status 1): '
    assert cli("cp - t1:/tmp", evil) == (1, b"", error + '"../../evil" is outside of "/tmp"\n')
    assert cli("cp - t1:/tmp", make_tar(("s", tarfile.SYMTYPE, {"link": "../../../../x"}))) == (
        1, b"", error + 'invalid symlink "/tmp/s" -> "../../../../x"\n')
    assert cli("cp - t1:/tmp", make_tar(("f1", tarfile.REGTYPE, {"data": b"x"}),
                                        ("h1", tarfile.LNKTYPE, {"link": "../etc/passwd"}))) == (
        1, b"", error + 'invalid hardlink "/etc/passwd" -> "../etc/passwd"\n')
    # a link already in place is followed, inside the container's root
    assert cli("cp - t1:/tmp", make_tar(("lnk", tarfile.SYMTYPE, {"link": "/"}),
                                        ("lnk/etc/pwned", tarfile.REGTYPE, {"data": b"p\n"})))[0] == 0
    # into / nothing is outside: `..` stops at the root
    assert cli("cp - t1:/", evil)[0] == 0
    assert docker("diff t1").out.splitlines() == ["A /abs", "C /etc", "A /etc/pwned", "A /evil", "C /tmp",
                                                  "A /tmp/f1", "A /tmp/lnk"]   # f1 stays: no rollback


def test_no_directory_is_replaced_by_something_else_nor_the_reverse(docker, cli):
    assert docker("create --name t1 busybox").exit == 0
    error = 'Error response from daemon: Error processing tar file(exit status 1): '
    assert cli("cp - t1:/", make_tar(("etc", tarfile.REGTYPE, {"data": b"x\n"}))) == (
        1, b"", error + 'cannot overwrite directory "/etc" with non-directory "/"\n')
    assert cli("cp - t1:/etc", make_tar(("passwd", tarfile.DIRTYPE, {}))) == (
        1, b"", error + 'cannot overwrite non-directory "/etc/passwd" with directory "/etc"\n')


def test_special_members_and_malformed_streams(docker, cli):
    assert docker("create --name t1 busybox").exit == 0
    error = 'Error response from daemon: Error processing tar file(exit status 1): '
    assert cli("cp - t1:/tmp", make_tar(("null2", tarfile.CHRTYPE, {}))) == (
        1, b"", error + "operation not permitted\n")
    status, _, err = cli("cp - t1:/tmp", make_tar(("p", tarfile.FIFOTYPE, {})))
    assert status == 1 and "FIFO" in err and "docs/fidelity.md" in err
    assert cli("cp - t1:/tmp", b"garbage\n") == (1, b"", error + "unexpected EOF\n")
    assert cli("cp - t1:/tmp", b"") == (0, b"", "")
    assert cli("cp - t1:/var", gzip.compress(make_tar(("a/b/c", tarfile.REGTYPE, {"data": b"z\n"}))))[0] == 0
    assert docker("diff t1").out == "C /var\nA /var/a\nA /var/a/b\nA /var/a/b/c\n"


def test_a_read_only_volume_and_a_link_to_a_directory(docker, cli):
    assert docker("run --name r1 -v rovol:/data:ro busybox sh -c 'ln -s /tmp /tl; ln -s /data /dl'").exit == 0
    deep = make_tar(("a/b/c", tarfile.REGTYPE, {"data": b"z\n"}))
    for dest in ("r1:/data", "r1:/dl"):
        assert cli(f"cp - {dest}", deep) == (1, b"", "Error response from daemon: mounted volume is marked read-only\n")
    evil = make_tar(("../../evil", tarfile.REGTYPE, {"data": b"e\n"}))
    assert cli("cp - r1:/tl", evil)[2].endswith('"../../evil" is outside of "/tmp"\n')   # the link's target


# -- docker cp -L LOCAL CONTAINER:DEST --------------------------------------------------------------
def test_follow_link_copies_what_a_local_link_points_to(docker, tmp_path):
    (tmp_path / "real.txt").write_text("target\n")
    (tmp_path / "hostlink").symlink_to("real.txt")
    (tmp_path / "dangling").symlink_to("missing")
    (tmp_path / "rd").mkdir()
    (tmp_path / "rd" / "f").write_text("in\n")
    (tmp_path / "dirlink").symlink_to("rd")
    assert docker("create --name t4 busybox").exit == 0
    assert docker("cp -L hostlink t4:/x").exit == 0        # a new name: the file's contents
    assert docker("cp -L hostlink t4:/tmp").exit == 0      # into a directory: under the link's name
    assert docker("cp hostlink t4:/tmp/nl").exit == 0      # without -L: the link
    assert docker("cp -L dirlink t4:/tmp").exit == 0
    assert docker("cp dirlink/ t4:/tmp/q").exit == 0       # a trailing / follows it too
    assert docker("cp dirlink t4:/tmp/dl").exit == 0
    r = docker("cp -L dangling t4:/y")
    assert (r.exit, r.err) == (1, f"lstat {tmp_path}/missing: no such file or directory\n")
    assert docker("diff t4").out.splitlines() == [
        "C /tmp", "A /tmp/dirlink", "A /tmp/dirlink/f", "A /tmp/dl", "A /tmp/hostlink", "A /tmp/nl",
        "A /tmp/q", "A /tmp/q/f", "A /x"]


# -- through `python -m simulator docker` with pipes ----------------------------------------------------
def _simulator(args: list[str], stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], input=stdin, capture_output=True,
                          cwd=cwd or ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _round_trip(prefix: list[str]) -> None:
    """A tar in through stdin, the same files out through stdout."""
    assert _simulator([*prefix, "run", "-d", "--name", "p1", "busybox", "sleep", "1000"]).returncode == 0
    stream = make_tar(("in", tarfile.DIRTYPE, {"mode": 0o750, "uid": 7, "gid": 8}),
                      ("in/f", tarfile.REGTYPE, {"data": b"piped\n", "mode": 0o600}))
    done = _simulator([*prefix, "cp", "-", "p1:/tmp"], stdin=stream)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    shown = _simulator([*prefix, "exec", "p1", "cat", "/tmp/in/f"])
    assert shown.stdout == b"piped\n"
    out = _simulator([*prefix, "cp", "p1:/tmp/in", "-"])
    assert out.returncode == 0 and out.stderr == b""
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as tar:
        got = [(m.name, m.mode & 0o7777, m.uid, m.gid, int(m.mtime)) for m in tar]
        assert tar.extractfile("in/f").read() == b"piped\n"
    assert got == [("in", 0o750, 7, 8, SECONDS), ("in/f", 0o600, 0, 0, SECONDS)]
    assert not list(ROOT.glob("-"))   # no folder named "-" anywhere


def test_pipes_through_the_command_line(tmp_path):
    _round_trip(["docker", "--state", str(tmp_path / "state")])


def test_pipes_through_the_command_line_on_the_linux_executor():
    with linux_root() as parent:
        root = os.path.join(parent, "root")
        prefix = ["--backend", "linux", "--root", root, "docker"]
        try:
            _round_trip(prefix)
            assert _simulator([*prefix, "exec", "p1", "stat", "-c", "%a %u:%g %Y", "/tmp/in"]).stdout == \
                f"750 7:8 {SECONDS}\n".encode()
        finally:
            _simulator(["--backend", "linux", "--root", root, "system", "reset"])
        assert leftovers(root) == []
