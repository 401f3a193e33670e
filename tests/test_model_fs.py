"""Union filesystem rules, checked against what a real Docker 20.10 engine (overlay2) showed.

The expected `docker diff` below was observed on Docker 20.10.24 with overlay2 after
running, in busybox:
  touch /usr/sbin/x; mkdir /var/spool/mail/q; chmod 700 /home; rm -rf /var/www;
  mkdir /var/www; echo a > /var/www/i; ln /etc/group /etc/g2; mv /usr/sbin /usr/s2
and `docker ps -s` showed SIZE `309B` (307 bytes of /etc/group copied up + 2 of /var/www/i).
"""

import errno

import pytest

from simulator.model.fs import FSError, Tree, UnionFS
from simulator.model.layer import Layer, directory, file, symlink

BASE = Layer.of({
    "/etc": directory(), "/etc/group": file("g" * 307), "/etc/passwd": file("root:x:0:0\n"),
    "/etc/shadow": file("x", 0o600), "/var": directory(), "/var/www": directory(uid=33, gid=33),
    "/var/spool": directory(), "/var/spool/mail": directory(uid=8, gid=8),
    "/tmp": directory(0o1777), "/usr": directory(), "/usr/sbin": directory(uid=1, gid=1),
    "/home": directory(uid=65534, gid=65534), "/bin": directory(), "/lib": symlink("usr/lib"),
})


def fresh(events=None):
    return UnionFS(Tree.from_layers([BASE]), now=lambda: 100,
                   observe=(lambda w, p, e: events.append((w, p))) if events is not None else None)


def test_diff_matches_real_engine():
    fs = fresh()
    fs.write("/usr/sbin/x", b"")
    fs.mkdir("/var/spool/mail/q")
    fs.set_meta("/home", mode=0o700)
    fs.remove("/var/www", recursive=True)
    fs.mkdir("/var/www")
    fs.write("/var/www/i", b"a\n")
    fs.link("/etc/group", "/etc/g2")
    fs.rename("/usr/sbin", "/usr/s2")
    assert set(fs.changes()) == {
        ("C", "/etc"), ("A", "/etc/g2"), ("C", "/home"), ("C", "/usr"), ("A", "/usr/s2"),
        ("A", "/usr/s2/x"), ("D", "/usr/sbin"), ("C", "/var"), ("C", "/var/spool"),
        ("C", "/var/spool/mail"), ("A", "/var/spool/mail/q"), ("C", "/var/www"), ("A", "/var/www/i"),
    }
    assert fs.layer().size == 309


def test_container_fs_scenario_diff():
    # tests/conformance/scenarios/container-fs: the real engine's `docker diff c1`.
    fs = fresh()
    fs.write("/tmp/new", b"x\n")
    fs.write("/etc/passwd", b"y\n", append=True)
    fs.remove("/etc/shadow")
    fs.remove("/var/www", recursive=True)
    fs.mkdir("/a/b", parents_too=True)
    fs.write("/a/b/f", b"")
    assert set(fs.changes()) == {("C", "/tmp"), ("A", "/tmp/new"), ("C", "/var"), ("D", "/var/www"),
                                 ("A", "/a"), ("A", "/a/b"), ("A", "/a/b/f"), ("C", "/etc"),
                                 ("C", "/etc/passwd"), ("D", "/etc/shadow")}


def test_copy_up_whiteout_and_opaque_events_and_layer():
    events = []
    fs = fresh(events)
    fs.write("/etc/passwd", b"more\n", append=True)
    fs.remove("/etc/shadow")
    fs.remove("/var/www", recursive=True)
    fs.mkdir("/var/www")
    assert events == [("copy-up", "/etc/passwd"), ("whiteout", "/etc/shadow"),
                      ("whiteout", "/var/www"), ("opaque", "/var/www")]
    names = [info.name for info, _ in fs.layer().tar_members()]
    # OCI image-spec layer.md: whiteout `.wh.<name>`, opaque marker `<dir>/.wh..wh..opq`.
    assert sorted(names) == ["etc", "etc/.wh.shadow", "etc/passwd", "var", "var/www", "var/www/.wh..wh..opq"]
    assert fs.read("/etc/passwd") == b"root:x:0:0\nmore\n"
    assert fs.lower.get("/etc/passwd").content.read() == b"root:x:0:0\n"   # lower untouched


def test_opaque_directory_hides_lower_children():
    lower = Tree.from_layers([BASE, Layer.of({"/var/www/index.html": file("hi")})])
    fs = UnionFS(lower)
    fs.remove("/var/www", recursive=True)
    fs.mkdir("/var/www")
    assert fs.listdir("/var/www") == []
    merged = lower.child(fs.layer())
    assert merged.get("/var/www/index.html") is None
    assert ("D", "/var/www/index.html") in fs.changes()


def test_errors_and_symlinks():
    fs = fresh()
    with pytest.raises(FSError) as err:
        fs.read("/nope")
    assert err.value.code == errno.ENOENT
    with pytest.raises(FSError) as err:
        fs.mkdir("/etc")
    assert err.value.code == errno.EEXIST
    with pytest.raises(FSError) as err:
        fs.remove("/etc")
    assert err.value.code == errno.ENOTEMPTY
    fs.mkdir("/usr/lib")
    fs.write("/lib/libc.so", b"c")
    assert fs.read("/usr/lib/libc.so") == b"c"
    fs.symlink("/loop", "/loop")
    with pytest.raises(FSError) as err:
        fs.read("/loop")
    assert err.value.code == errno.ELOOP


def test_hard_link_survives_removal_of_the_other_name():
    fs = fresh()
    fs.write("/tmp/a", b"data")
    fs.link("/tmp/a", "/tmp/b")
    fs.write("/tmp/a", b"changed")
    assert fs.read("/tmp/b") == b"changed"
    fs.remove("/tmp/a")
    assert fs.read("/tmp/b") == b"changed"
    assert "/tmp/a" not in fs.layer().entries
