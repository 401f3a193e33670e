"""`docker cp` from the host onto a container path of the other kind: refused, nothing
in the container changes (cli 20.10 archive.PrepareArchiveCopy refuses a directory onto
an existing file and a file onto a `dir/` that is none; the daemon refuses an extraction
point that is a file; its untar, NoOverwriteDirNonDir, refuses a directory over a file
and a file over a directory).

Every expectation is what a Docker 20.10.24 engine printed for the same commands (the
cp-overwrite-errors conformance scenario, which test_linux_parity also runs on the Linux
executor); the tar-stream counterpart is in test_cp_stream.
"""

from __future__ import annotations

import os

from linux_support import leftovers, linux_root
from test_cp_stream import _simulator

DAEMON = "Error response from daemon: "
UNTAR = DAEMON + "Error processing tar file(exit status 1): "
REFUSED = (
    ("dir", "/etc/passwd", "cannot copy directory\n"),
    ("dir/.", "/etc/passwd", "cannot copy directory\n"),
    ("dir", "/etc/passwd/", UNTAR + 'cannot overwrite non-directory "/etc/passwd" with directory "/etc"\n'),
    ("file.txt", "/etc/passwd/", "no such directory\n"),
    ("file.txt", "/missing/", "no such directory\n"),
    ("file.txt", "/etc/passwd/x", DAEMON + "extraction point is not a directory\n"),
    ("passwd", "/etc", UNTAR + 'cannot overwrite non-directory "/etc/passwd" with directory "/etc"\n'),
    ("tmp", "/", UNTAR + 'cannot overwrite directory "/tmp" with non-directory "/"\n'),
)


def _host(folder) -> None:
    (folder / "dir" / "sub").mkdir(parents=True)
    (folder / "dir" / "a").write_text("a\n")
    (folder / "passwd").mkdir()
    (folder / "passwd" / "x").write_text("x\n")
    (folder / "file.txt").write_text("new\n")
    (folder / "tmp").write_text("t\n")


def test_refusals_change_nothing(docker, tmp_path):
    _host(tmp_path)
    assert docker("create --network none --name ctr busybox sleep 600").exit == 0
    for src, dest, message in REFUSED:
        done = docker(f"cp {src} ctr:{dest}")
        assert (done.exit, done.out, done.err) == (1, "", message), (src, dest)
    assert docker("diff ctr").out == ""
    assert docker("cp dir ctr:/newdir/").exit == 0   # a folder onto a missing `name/` takes the name
    assert docker("diff ctr").out == "A /newdir\nA /newdir/a\nA /newdir/sub\n"


def test_refusals_on_the_linux_executor(tmp_path):
    _host(tmp_path)
    with linux_root() as parent:
        root = os.path.join(parent, "root")
        prefix = ["--backend", "linux", "--root", root, "docker"]
        try:
            assert _simulator([*prefix, "run", "-d", "--network", "none", "--name", "ctr", "busybox",
                               "sleep", "600"]).returncode == 0
            for src, dest, message in REFUSED:
                done = _simulator([*prefix, "cp", str(tmp_path / src), f"ctr:{dest}"])
                assert (done.returncode, done.stdout, done.stderr) == (1, b"", message.encode()), (src, dest)
            assert _simulator([*prefix, "diff", "ctr"]).stdout == b""
            assert _simulator([*prefix, "exec", "ctr", "stat", "-c", "%F %s", "/etc/passwd"]).stdout \
                == b"regular file 340\n"
        finally:
            _simulator(["--backend", "linux", "--root", root, "system", "reset"])
        assert leftovers(root) == []
