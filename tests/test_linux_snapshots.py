"""The real overlayfs snapshotter against the model: the same file operations on the model's
UnionFS and on a real overlay mount over busybox's layer must give the same committed layer
(mtimes aside) and the same `docker diff`; and nothing may stay mounted or on disk.

Needs root and overlayfs; elsewhere the tests skip with the reason, except under CI
(`CI` set), where that is a failure.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from dataclasses import replace

import pytest

from simulator.backend.linux import ExecutorUnavailable, LinuxSnapshots
from simulator.backend.linux import mount as linux_mount
from simulator.backend.linux.overlaydir import OPAQUE_XATTR, read_changeset
from simulator.backend.memory import catalogue
from simulator.backend.memory.catalogue.busybox import APPLETS
from simulator.model.fs import Tree, UnionFS
from simulator.model.layer import WHITEOUT, InvalidLayer, Kind, Layer, directory, file, symlink

ROOT_OF_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _open(root) -> LinuxSnapshots:
    try:
        return LinuxSnapshots(root)
    except ExecutorUnavailable as err:
        if os.environ.get("CI"):
            pytest.fail(f"real executor unavailable in CI: {err}")
        pytest.skip(str(err))


@pytest.fixture
def snaps(tmp_path):
    s = _open(tmp_path / "state")
    yield s
    if os.path.exists(s.root):
        s.cleanup()
    assert not linux_mount.mounts_under(str(tmp_path))


@pytest.fixture(scope="module")
def busybox() -> list[Layer]:
    return catalogue.get("docker.io/library/busybox:latest")[1]


def _normal(layer: Layer) -> dict:
    """The layer without mtimes, each hard-link group carried by its first name (from_tar's form)."""
    bare = Layer.of({p: replace(e, mtime=0) for p, e in layer.entries.items()})
    return dict(Layer.from_tar(io.BytesIO(bare.tar_bytes())).entries)


# -- layers -------------------------------------------------------------------------
def test_busybox_layer_round_trips_exactly(snaps, busybox):
    path = snaps.add_layer(busybox[0])
    assert path == os.path.join(snaps.root, "layers", busybox[0].diff_id[7:], "diff")
    st = os.stat(os.path.join(path, "bin", "busybox"))
    assert (stat.S_IMODE(st.st_mode), st.st_size, st.st_nlink) == (0o755, 1982256, 1 + len(APPLETS))
    assert os.stat(os.path.join(path, "home")).st_uid == 65534
    assert Layer.of(read_changeset(path)).diff_id == busybox[0].diff_id   # mtimes included
    assert snaps.add_layer(busybox[0]) == path                            # once per diffID


def test_whiteouts_and_opaque_dirs_become_overlay_markers(snaps):
    layer = Layer.of({"/a": directory(0o750, opaque=True), "/a/x": file("1"), "/b": WHITEOUT,
                      "/c/d": WHITEOUT, "/l": symlink("/etc/passwd", uid=7)})
    path = snaps.add_layer(layer)
    for name in ("b", "c/d"):
        st = os.lstat(os.path.join(path, name))
        assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(0, 0)
    assert os.getxattr(os.path.join(path, "a"), OPAQUE_XATTR) == b"y"
    assert os.lstat(os.path.join(path, "l")).st_uid == 7
    back = read_changeset(path)
    assert back["/b"] is WHITEOUT and back["/a"].opaque and back["/l"].target == "/etc/passwd"
    # /c is not in the layer: made 0755 root on disk, and read back as such
    assert Layer.of({p: e for p, e in back.items() if p != "/c"}) == layer


def _tar(*members: tuple[tarfile.TarInfo, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def _member(name: str, kind=tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info


@pytest.mark.parametrize("member", [
    _member("../evil"), _member("/abs"), _member("a/../../evil"), _member("dev/null", tarfile.CHRTYPE),
    _member("x/.wh..."), _member("x/.wh."), _member("b", tarfile.LNKTYPE, "../../etc/shadow"),
], ids=["slip", "absolute", "slip-inside", "device", "whiteout-dotdot", "whiteout-empty", "hardlink-out"])
def test_hostile_tars_are_refused_and_leave_nothing(snaps, member):
    with pytest.raises(InvalidLayer):
        snaps.add_tar(_tar((member, b"x")))
    assert os.listdir(os.path.join(snaps.root, "layers")) == []


def test_extraction_never_writes_through_a_symlink(snaps, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    layer = Layer.of({"/etc": symlink(str(outside)), "/etc/x": file("pwned")})
    with pytest.raises(InvalidLayer, match="symlink"):
        snaps.add_layer(layer)
    assert list(outside.iterdir()) == []
    assert os.listdir(os.path.join(snaps.root, "layers")) == []


# -- parity with the model ------------------------------------------------------------
def _real_write(path, data: bytes, mode: int = 0o644, append: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, mode)
    try:
        os.write(fd, data)
        if not append:
            os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _operations(u: UnionFS, m: str) -> None:
    """Each step once on the model view `u` and once on the real mount `m`."""
    r = lambda p: m + p  # noqa: E731 - the real path of a container path
    u.write("/tmp/hello.txt", b"hello\n")                          # a new file
    _real_write(r("/tmp/hello.txt"), b"hello\n")
    u.mkdir("/app")                                                # a new tree
    os.mkdir(r("/app"), 0o755)
    u.write("/app/run.sh", b"#!/bin/sh\necho hi\n", mode=0o755)
    _real_write(r("/app/run.sh"), b"#!/bin/sh\necho hi\n", 0o755)
    u.write("/etc/passwd", b"app:x:1000:1000::/app:/bin/sh\n", append=True)   # copy-up
    _real_write(r("/etc/passwd"), b"app:x:1000:1000::/app:/bin/sh\n", append=True)
    u.remove("/etc/shadow")                                        # whiteout
    os.unlink(r("/etc/shadow"))
    u.remove("/bin/yes")                                           # whiteout of one hard-linked name
    os.unlink(r("/bin/yes"))
    u.remove("/var/spool", recursive=True)                         # delete and recreate: opaque
    shutil.rmtree(r("/var/spool"))
    u.mkdir("/var/spool", mode=0o755)
    os.mkdir(r("/var/spool"), 0o755)
    u.write("/var/spool/new", b"n")
    _real_write(r("/var/spool/new"), b"n")
    u.set_meta("/etc/group", mode=0o600, uid=1, gid=1)             # chmod, chown: copy-up
    os.chown(r("/etc/group"), 1, 1)
    os.chmod(r("/etc/group"), 0o600)
    u.set_meta("/bin/busybox", mode=0o700)                         # a 2 MB copy-up of a linked file
    os.chmod(r("/bin/busybox"), 0o700)
    u.rename("/bin/cat", "/bin/kat")                               # rename: copy-up, then whiteout
    os.rename(r("/bin/cat"), r("/bin/kat"))
    u.symlink("../etc/passwd", "/tmp/passwd-link")                 # symlink
    os.symlink("../etc/passwd", r("/tmp/passwd-link"))
    u.link("/etc/group", "/etc/group.bak")                         # hard link to a lower file
    os.link(r("/etc/group"), r("/etc/group.bak"))
    u.link("/app/run.sh", "/app/start.sh")                         # hard link to a new file
    os.link(r("/app/run.sh"), r("/app/start.sh"))


@pytest.fixture
def both(snaps, busybox):
    model = UnionFS(Tree.from_layers(busybox), now=lambda: 1)
    mount_point = snaps.prepare("parity", busybox)
    _operations(model, mount_point)
    return model, mount_point


def test_committed_layer_equals_the_model_layer(snaps, both):
    model, _ = both
    real = snaps.commit("parity")
    assert _normal(real) == _normal(model.layer())
    assert real.entries["/var/spool"].opaque and real.entries["/etc/shadow"] is WHITEOUT
    assert real.entries["/etc/group.bak"].kind is Kind.HARDLINK


def test_docker_diff_equals_the_model_diff(snaps, both):
    model, _ = both
    assert snaps.diff("parity") == model.changes()
    assert ("D", "/etc/shadow") in model.changes() and ("C", "/etc/passwd") in model.changes()


def test_merged_view_equals_the_model_view(both):
    model, mount_point = both
    seen = {}
    for top, dirs, files in os.walk(mount_point):
        for name in dirs + files:
            real = os.path.join(top, name)
            st = os.lstat(real)
            kind = (Kind.DIR if stat.S_ISDIR(st.st_mode) else Kind.SYMLINK if stat.S_ISLNK(st.st_mode)
                    else Kind.FILE if stat.S_ISREG(st.st_mode) else None)
            seen["/" + os.path.relpath(real, mount_point)] = (
                kind, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
                st.st_size if kind is Kind.FILE else 0, os.readlink(real) if kind is Kind.SYMLINK else "")
    expected = {p: (e.kind, e.mode, e.uid, e.gid, e.size if e.kind is Kind.FILE else 0, e.target)
                for p, e in model.walk("/") if p != "/"}
    assert seen == expected
    with open(mount_point + "/etc/passwd", "rb") as f:
        assert f.read() == model.read("/etc/passwd")


def test_renaming_a_lower_directory_is_exdev_on_the_kernel(snaps, busybox):
    """Without redirect_dir, rename(2) of a lower directory fails with EXDEV and `mv` copies
    it instead; the model's UnionFS.rename gives that copy's result."""
    mount_point = snaps.prepare("mv", busybox)
    with pytest.raises(OSError) as err:
        os.rename(mount_point + "/var/www", mount_point + "/var/web")
    assert err.value.errno == errno.EXDEV


def test_snapshot_over_no_layer_is_a_bind_mount(snaps):
    mount_point = snaps.prepare("scratch", [])
    os.mkdir(mount_point + "/d", 0o755)
    _real_write(mount_point + "/d/f", b"x", 0o640)
    assert _normal(snaps.commit("scratch")) == _normal(Layer.of({"/d": directory(), "/d/f": file("x", 0o640)}))
    assert snaps.diff("scratch") == [("A", "/d"), ("A", "/d/f")]


def test_keys_are_checked(snaps, busybox):
    snaps.prepare("one", busybox)
    with pytest.raises(KeyError):
        snaps.prepare("one", busybox)
    with pytest.raises(ValueError):
        snaps.prepare("../escape", busybox)
    assert snaps.keys() == ["one"]
    snaps.remove("one")
    assert snaps.keys() == [] and not linux_mount.mounts_under(snaps.root)


# -- cleanliness ----------------------------------------------------------------------
def test_cleanup_leaves_no_mount_and_no_file(tmp_path, busybox):
    snaps = _open(tmp_path / "state")
    snaps.prepare("a", busybox)
    snaps.prepare("b", [])
    assert len(linux_mount.mounts_under(snaps.root)) == 2
    snaps.cleanup()
    assert not linux_mount.mounts_under(str(tmp_path)) and os.listdir(tmp_path) == []


def test_a_failure_in_the_middle_of_prepare_undoes_the_mount(snaps, busybox, monkeypatch):
    real_mount = linux_mount.mount

    def mount_then_fail(*args, **kwargs):
        real_mount(*args, **kwargs)
        raise RuntimeError("injected after mounting")

    monkeypatch.setattr(linux_mount, "mount", mount_then_fail)
    with pytest.raises(RuntimeError, match="injected"):
        snaps.prepare("doomed", busybox)
    assert not linux_mount.mounts_under(snaps.root)
    assert snaps.keys() == []
    snaps.cleanup()
    assert not os.path.exists(snaps.root)


def test_cleanup_after_a_crash_finds_the_mounts(tmp_path, busybox):
    root = tmp_path / "state"
    _open(root)   # skips here when the executor is unavailable
    crash = ("import os, sys; sys.path.insert(0, sys.argv[2])\n"
             "from simulator.backend.linux import LinuxSnapshots\n"
             "from simulator.backend.memory import catalogue\n"
             "s = LinuxSnapshots(sys.argv[1])\n"
             "s.prepare('left', catalogue.get('docker.io/library/busybox:latest')[1])\n"
             "os._exit(9)\n")
    done = subprocess.run([sys.executable, "-c", crash, str(root), ROOT_OF_REPO], timeout=60)
    assert done.returncode == 9 and linux_mount.mounts_under(str(root))
    LinuxSnapshots(root).cleanup()
    assert not linux_mount.mounts_under(str(tmp_path)) and os.listdir(tmp_path) == []


def test_not_being_root_is_one_clear_line(tmp_path, monkeypatch):
    if sys.platform != "linux":
        pytest.skip("the probe reports the platform first")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(ExecutorUnavailable, match=r"^the real executor needs root .*sudo$"):
        LinuxSnapshots(tmp_path / "state")


def test_a_fifo_in_the_upper_cannot_be_committed(snaps):
    mount_point = snaps.prepare("fifo", [])
    os.mkfifo(mount_point + "/pipe")
    with pytest.raises(InvalidLayer, match="FIFOs"):
        snaps.commit("fifo")
