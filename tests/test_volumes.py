"""Volumes and mounts: expected values from Docker 20.10 (tests/conformance/scenarios/volumes,
moby `volume/local/local.go`, `volume/mounts/linux_parser.go`, `daemon/mounts.go`)."""

import errno
import json
from types import SimpleNamespace

import pytest

from simulator.backend.memory.backend import MemoryBackend
from simulator.engine.errors import Conflict, InvalidParameter, NotFound
from simulator.engine.images import ImageStore
from simulator.engine.mounts import MountedFS, parse_volume_spec
from simulator.engine.volumes import Volumes
from simulator.model.clock import IdSource, VirtualClock
from simulator.model.fs import FSError, Tree, UnionFS
from simulator.model.image import Image
from simulator.model.layer import Layer, directory, file

ID = "c" * 64


def make_volumes(backend_views=None):
    events = []
    store = ImageStore()
    engine = SimpleNamespace(clock=VirtualClock(), ids=IdSource("t"), emit=events.append, images=store,
                             backend=MemoryBackend())
    if backend_views is not None:
        engine.backend.views = backend_views
    return Volumes(engine), events


def image_with(store, entries, volumes=None):
    layer = Layer.of(entries)
    store.add_layer(layer)
    config = {"architecture": "amd64", "os": "linux", "config": {"Volumes": volumes},
              "rootfs": {"type": "layers", "diff_ids": [layer.diff_id]}, "history": [{"created_by": "x"}]}
    image = Image.from_config(config)
    store.add_image(image)
    return image


def test_create_is_idempotent_and_inspect_matches_docker_shape():
    vols, events = make_volumes()
    a = vols.create("data", labels={}, options={})
    assert vols.create("data") is a
    info = a.inspect()
    assert list(info) == ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope"]
    assert info["Mountpoint"] == "/var/lib/docker/volumes/data/_data"
    assert info["CreatedAt"] == "2026-01-01T12:00:00Z"
    assert (info["Driver"], info["Scope"], info["Labels"]) == ("local", "local", {})
    assert [e.kind for e in events] == ["volume.created"]


@pytest.mark.parametrize("name", ["bad name", "a", "relative/path", "-x"])
def test_invalid_names_use_the_local_driver_message(name):
    vols, _ = make_volumes()
    with pytest.raises(InvalidParameter) as err:
        vols.create(name)
    assert str(err.value) == (
        f'create {name}: "{name}" includes invalid characters for a local volume name, only '
        '"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path')


def test_remove_in_use_missing_and_forced():
    vols, _ = make_volumes()
    vols.attach(ID, None, ["data:/data"])
    with pytest.raises(Conflict) as err:
        vols.remove("data")
    assert str(err.value) == f"remove data: volume is in use - [{ID}]"
    with pytest.raises(NotFound):
        vols.remove("nosuch")
    vols.remove("nosuch", force=True)


def test_spec_parsing_follows_the_linux_parser():
    assert parse_volume_spec("/scratch").source == ""
    spec = parse_volume_spec("/host/dir:/ctr:ro")
    assert spec.is_bind and spec.read_only and spec.destination == "/ctr"
    assert not parse_volume_spec("data:/d:nocopy").copy
    for raw, message in [("/a:rw", "invalid volume specification: '/a:rw'"),
                         ("a:b:c:d", "invalid volume specification: 'a:b:c:d'"),
                         ("data:/d:xx", "invalid mode: xx"),
                         ("data:rel", "invalid volume specification: 'data:rel': invalid mount config for type "
                                      "\"volume\": invalid mount path: 'rel' mount path must be absolute")]:
        with pytest.raises(InvalidParameter) as err:
            parse_volume_spec(raw)
        assert str(err.value) == message


def test_anonymous_and_image_volumes_and_rm_v():
    vols, _ = make_volumes()
    image = image_with(vols.engine.images, {"/vol": directory(), "/vol/seed": file("seeded\n")}, {"/vol": {}})
    mounts = vols.attach(ID, image, ["/scratch", "named:/n"])
    assert [(m.kind, m.destination, m.named, m.mode) for m in mounts] == [
        ("volume", "/scratch", False, "z"), ("volume", "/n", True, "z"), ("volume", "/vol", False, "")]
    anon = mounts[0].name
    assert len(anon) == 64 and all(ch in "0123456789abcdef" for ch in anon)
    assert mounts[0].inspect() == {"Type": "volume", "Name": anon, "Source": f"/var/lib/docker/volumes/{anon}/_data",
                                   "Destination": "/scratch", "Driver": "local", "Mode": "z", "RW": True,
                                   "Propagation": ""}
    # the image's /vol was copied into its fresh anonymous volume: "seeded\n" is 7 bytes
    assert vols.get(mounts[2].name).size == 7
    removed = vols.release(ID, remove_anonymous=True)
    assert sorted(removed) == sorted([anon, mounts[2].name])
    assert [v.name for v in vols.list()] == ["named"]


def test_copy_only_into_an_empty_volume_and_not_with_nocopy():
    vols, _ = make_volumes()
    image = image_with(vols.engine.images, {"/vol": directory(), "/vol/seed": file("seeded\n")}, {"/vol": {}})
    vols.attach("a" * 64, image, ["fresh:/vol"])
    assert vols.get("fresh").size == 7
    vols.create("data").fs.write("/f", b"hello\n")
    vols.attach("b" * 64, image, ["data:/vol"])
    assert vols.get("data").fs.listdir("/") == ["f"]
    vols.attach("d" * 64, image, ["empty:/vol:nocopy"])
    assert vols.get("empty").empty


def test_volume_over_a_file_is_refused():
    vols, _ = make_volumes()
    image = image_with(vols.engine.images, {"/etc": directory(), "/etc/passwd": file("x")}, {"/etc/passwd": {}})
    with pytest.raises(InvalidParameter) as err:
        vols.attach(ID, image, [])
    assert str(err.value) == ("cannot mount volume over existing file, file exists "
                              f"/var/lib/docker/overlay2/{ID}/merged/etc/passwd")
    with pytest.raises(InvalidParameter) as err:
        vols.attach(ID, None, ["a1:/d", "b1:/d"])
    assert str(err.value) == "Duplicate mount point: /d"


def test_writes_under_a_mount_never_reach_the_container_layer():
    root = UnionFS(Tree.from_layers([Layer.of({"/etc": directory(), "/etc/passwd": file("root\n")})]))
    vols, _ = make_volumes({ID: root})
    vols.attach(ID, None, ["data:/data"])
    view = vols.engine.backend.views[ID]
    assert isinstance(view, MountedFS)
    view.write("/data/f", b"hello\n")
    view.mkdir("/data/a/b", parents_too=True)
    view.write("/tmp-file", b"x")
    assert view.read("/data/f") == b"hello\n"
    assert view.listdir("/") == ["data", "etc", "tmp-file"]
    # only the mount point and the file outside the volume are in the container's layer
    assert view.changes() == [("A", "/data"), ("A", "/tmp-file")]
    assert sorted(view.layer().entries) == ["/data", "/tmp-file"]
    assert vols.get("data").size == 6
    with pytest.raises(FSError) as err:
        view.remove("/data", recursive=True)
    assert err.value.code == errno.EBUSY
    view.rename("/data/f", "/etc/f")       # across stores: copied, then deleted
    assert view.read("/etc/f") == b"hello\n" and vols.get("data").size == 0


def test_read_only_mount():
    root = UnionFS(Tree({}))
    vols, _ = make_volumes({ID: root})
    vols.attach(ID, None, ["data:/data:ro"])
    with pytest.raises(FSError) as err:
        vols.engine.backend.views[ID].write("/data/f", b"x")
    assert err.value.code == errno.EROFS


def test_bind_mount_of_a_folder_in_the_working_directory_starts_from_it_and_never_writes_it(tmp_path):
    # The real folder is copied when the first container binding it is created; writes stay
    # in the simulation (docs/fidelity.md, bind mounts).
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "note.txt").write_text("from host\n")
    vols, _ = make_volumes({ID: UnionFS(Tree({})), "e" * 64: UnionFS(Tree({}))})
    mounts = vols.attach(ID, None, [f"{tmp_path}/host:/h", f"{tmp_path}/made:/m"], cwd=str(tmp_path))
    assert mounts[0].inspect() == {"Type": "bind", "Source": f"{tmp_path}/host", "Destination": "/h",
                                   "Mode": "", "RW": True, "Propagation": "rprivate"}
    (tmp_path / "host" / "later.txt").write_text("added after create\n")
    view = vols.engine.backend.views[ID]
    assert view.read("/h/note.txt") == b"from host\n"
    assert not view.exists("/h/later.txt")
    view.write("/h/out.txt", b"from container\n")
    view.mkdir("/m/sub")
    view.remove("/h/note.txt")
    assert sorted(p.name for p in (tmp_path / "host").iterdir()) == ["later.txt", "note.txt"]
    assert (tmp_path / "host" / "note.txt").read_text() == "from host\n"
    assert not (tmp_path / "made").exists()
    assert view.changes() == [("A", "/h"), ("A", "/m")]
    # a second container binding the folder (or the one above it) sees the simulated host
    vols.attach("e" * 64, None, [f"{tmp_path}:/w"], cwd=str(tmp_path))
    other = vols.engine.backend.views["e" * 64]
    assert other.listdir("/w/host") == ["out.txt"]
    assert other.listdir("/w/made") == ["sub"]


def test_bind_mount_outside_the_working_directory_stays_simulated(tmp_path):
    vols, _ = make_volumes({ID: UnionFS(Tree({})), "e" * 64: UnionFS(Tree({}))})
    vols.attach(ID, None, ["/srv/share:/a"], cwd=str(tmp_path))
    vols.attach("e" * 64, None, ["/srv/share:/b"], cwd=str(tmp_path))
    vols.engine.backend.views[ID].write("/a/f", b"shared")
    assert vols.engine.backend.views["e" * 64].read("/b/f") == b"shared"
    assert vols.host.read("/srv/share/f") == b"shared"


def test_prune_removes_every_unused_volume_named_ones_too():
    vols, _ = make_volumes()
    vols.create("keep")
    vols.attach(ID, None, ["keep:/k"])
    vols.create("fresh").fs.write("/seed", b"seeded\n")
    anon = vols.create()
    anon.fs.write("/seed", b"seeded\n")
    names, reclaimed = vols.prune()
    assert names == sorted([anon.name, "fresh"]) and reclaimed == 14
    assert [v.name for v in vols.list()] == ["keep"]
