"""`docker cp` onto a name that has other hard links in the container: the name gets a new
file, the old inode keeps its data and mode under its other names (moby `pkg/archive`
Unpack removes an existing non-directory before it creates the member).

Every expectation is what a Docker 20.10.24 engine printed for the same commands
(private engine, busybox image with its applets hard-linked to /bin/busybox): from the
host (`docker cp FILE c:DEST`, a link at DEST followed as the CLI does) and from a tar
stream (`docker cp - c:DIR`), on both backends (the Linux executor's host path is
checked by the cp-hardlink conformance scenario in test_linux_parity).
"""

from __future__ import annotations

import os
import tarfile

from linux_support import leftovers, linux_root
from test_cp_stream import _simulator, cli, make_tar  # noqa: F401  (cli is a fixture)

LINKS = ("echo old > /x && ln /x /y && chmod 600 /x && ln -s x /l && mkdir /d && echo old > /d/f "
         "&& ln /d/f /g && echo old > /t && ln /t /u && ln -s /t /d/s")


def _running(docker) -> None:
    assert docker("run -d --network none --name ctr busybox sleep 600").exit == 0
    assert docker(["exec", "ctr", "sh", "-c", LINKS]).exit == 0


def test_a_host_file_replaces_the_name_not_the_inode(docker, tmp_path):
    (tmp_path / "new.txt").write_text("new\n")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_text("new\n")
    for path in (tmp_path / "new.txt", tmp_path / "d" / "f"):
        path.chmod(0o644)
    _running(docker)
    assert docker("cp new.txt ctr:/x").exit == 0
    assert docker("cp d ctr:/").exit == 0            # /d/f, a name inside the copied directory
    assert docker("cp new.txt ctr:/d/s").exit == 0   # a link at DEST: its target /t is replaced
    assert docker("exec ctr cat /x /y /d/f /g /t /u").out == "new\nold\n" * 3
    assert docker("exec ctr stat -c '%a %s %n' /x /y /t /u").out == "644 4 /x\n600 4 /y\n644 4 /t\n644 4 /u\n"
    assert docker("exec ctr stat -c '%F %n' /l /d/s").out == "symbolic link /l\nsymbolic link /d/s\n"


def test_a_host_file_replaces_one_busybox_applet(docker, tmp_path):
    (tmp_path / "new.txt").write_text("new\n")
    (tmp_path / "new.txt").chmod(0o644)
    assert docker("run -d --network none --name ctr busybox sleep 600").exit == 0
    assert docker("cp new.txt ctr:/bin/ls").exit == 0
    assert docker("exec ctr stat -c '%a %s %n' /bin/ls /bin/busybox /bin/cat").out == (
        "644 4 /bin/ls\n755 1982256 /bin/busybox\n755 1982256 /bin/cat\n")
    assert docker("exec ctr busybox echo still busybox").out == "still busybox\n"
    assert docker("diff ctr").out == "C /bin\nC /bin/ls\n"


TAR_DESTS = (("/", "x"), ("/d", "f"), ("/bin", "ls"))
TAR_CAT = "new\nold\nnew\nold\nnew\n"   # cat /x /y /d/f /g /bin/ls
TAR_STAT = "640 4 /x\n600 4 /y\n640 4 /d/f\n644 4 /g\n640 4 /bin/ls\n755 1982256 /bin/busybox\n"


def _member(name: str) -> bytes:
    return make_tar((name, tarfile.REGTYPE, {"data": b"new\n", "mode": 0o640}))


def test_a_tar_member_replaces_the_name_not_the_inode(docker, cli):  # noqa: F811
    _running(docker)
    for dest, name in TAR_DESTS:
        assert cli(f"cp - ctr:{dest}", _member(name)) == (0, b"", "")
    assert docker("exec ctr cat /x /y /d/f /g /bin/ls").out == TAR_CAT
    assert docker("exec ctr stat -c '%a %s %n' /x /y /d/f /g /bin/ls /bin/busybox").out == TAR_STAT


def test_a_tar_member_replaces_the_name_on_the_linux_executor():
    with linux_root() as parent:
        root = os.path.join(parent, "root")
        prefix = ["--backend", "linux", "--root", root, "docker"]
        try:
            assert _simulator([*prefix, "run", "-d", "--network", "none", "--name", "ctr", "busybox",
                               "sleep", "600"]).returncode == 0
            assert _simulator([*prefix, "exec", "ctr", "sh", "-c", LINKS]).returncode == 0
            for dest, name in TAR_DESTS:
                done = _simulator([*prefix, "cp", "-", f"ctr:{dest}"], stdin=_member(name))
                assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
            assert _simulator([*prefix, "exec", "ctr", "cat", "/x", "/y", "/d/f", "/g", "/bin/ls"]).stdout \
                == TAR_CAT.encode()
            assert _simulator([*prefix, "exec", "ctr", "stat", "-c", "%a %s %n", "/x", "/y", "/d/f", "/g",
                               "/bin/ls", "/bin/busybox"]).stdout == TAR_STAT.encode()
        finally:
            _simulator(["--backend", "linux", "--root", root, "system", "reset"])
        assert leftovers(root) == []
