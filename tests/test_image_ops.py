"""Image operations against moby 20.10 `daemon/images/` behaviour and the images-rmi,
build-basics, push-pull and ps-format recordings (tests/conformance/scenarios/)."""

import pytest

from image_world import World
from simulator.engine import image_ops as ops
from simulator.engine.errors import Conflict, InvalidParameter, NotFound
from simulator.model.image import short_id
from simulator.model.reference import parse


def lines(records):
    return [str(r) for r in records]


@pytest.fixture
def w():
    return World()


def test_tag_moves_and_old_image_becomes_dangling(w):
    bb = w.base()
    one = w.build(bb, "one", "app")
    two = w.build(bb, "two", "app")
    assert w.images.lookup("app").id == two.id
    assert w.images.is_dangling(one.id)
    listed = ops.list_images(w)
    assert [s.repo_tags for s in listed if s.id == one.id] == [("<none>:<none>",)]
    kinds = [e.kind for e in w.events.log]
    assert "image.tagged" in kinds


def test_tag_source_missing_defaults_the_tag(w):
    w.base()
    with pytest.raises(NotFound, match=r"^No such image: nosuch:latest$"):
        ops.tag(w, "nosuch", parse("x"))


def test_repo_tags_sorted_by_full_reference(w):
    w.base()
    for t in ("mybox", "mybox:v1", "example.com:5000/team/mybox:v2"):
        ops.tag(w, "busybox", parse(t))
    # docker.io/library/... sorts before example.com:5000/...
    assert ops.list_images(w)[0].repo_tags == (
        "busybox:latest", "mybox:latest", "mybox:v1", "example.com:5000/team/mybox:v2")
    assert [s.repo_tags for s in ops.list_images(w, filters={"reference": ["mybox"]})] == [
        ("mybox:latest", "mybox:v1")]


def test_rmi_one_of_several_tags_only_untags(w):
    w.base()
    for t in ("mybox", "mybox:v1", "example.com:5000/team/mybox:v2"):
        ops.tag(w, "busybox", parse(t))
    assert lines(ops.remove(w, "mybox:v1")) == ["Untagged: mybox:v1"]
    assert lines(ops.remove(w, "mybox")) == ["Untagged: mybox:latest"]
    assert lines(ops.remove(w, "example.com:5000/team/mybox:v2")) == ["Untagged: example.com:5000/team/mybox:v2"]
    with pytest.raises(NotFound, match="^No such image: mybox:latest$"):
        ops.remove(w, "mybox")


def test_rmi_bad_reference_is_invalid_parameter(w):
    with pytest.raises(InvalidParameter, match="^invalid reference format: repository name must be lowercase$"):
        ops.remove(w, "UPPER")


def test_rmi_last_tag_deletes_image_then_top_layer(w):
    bb = w.base()
    app = w.build(bb, "one", "app")
    assert lines(ops.remove(w, "app")) == [
        "Untagged: app:latest", f"Deleted: {app.id}", f"Deleted: {app.chain_ids[-1]}"]
    assert app.diff_ids[-1] not in w.images.layers
    assert bb.diff_ids[0] in w.images.layers


def test_rmi_with_child_untags_then_deleting_child_prunes_parent(w):
    bb = w.base()
    app2 = w.build(bb, "two", "app2")
    assert lines(ops.remove(w, "busybox")) == ["Untagged: busybox:latest"]
    assert [s.id for s in ops.list_images(w)] == [app2.id]        # busybox is now intermediate
    assert [s.id for s in ops.list_images(w, all_images=True)] == [app2.id, bb.id]
    assert lines(ops.remove(w, "app2")) == [
        "Untagged: app2:latest", f"Deleted: {app2.id}", f"Deleted: {app2.chain_ids[-1]}",
        f"Deleted: {bb.id}", f"Deleted: {bb.chain_ids[0]}"]
    assert ops.list_images(w, all_images=True) == [] and w.images.layers == {}


def test_rmi_no_prune_keeps_parent(w):
    bb = w.base()
    w.build(bb, "two", "app2")
    ops.remove(w, "busybox")
    ops.remove(w, "app2", prune=False)
    assert list(w.images.images) == [bb.id]


def test_rmi_tag_used_by_container_needs_force_and_force_keeps_layers(w):
    bb = w.base()
    app = w.build(bb, "two", "app")
    c = w.container(app)
    with pytest.raises(Conflict) as err:
        ops.remove(w, "app")
    assert str(err.value) == (f'conflict: unable to remove repository reference "app" (must force) - '
                              f"container {short_id(c.id)} is using its referenced image {short_id(app.id)}")
    # -f with a stopped container: untagged and deleted; the container keeps the layers
    assert lines(ops.remove(w, "app", force=True)) == ["Untagged: app:latest", f"Deleted: {app.id}"]
    assert app.diff_ids[-1] in w.images.layers
    w.containers.items.clear()                      # docker rm: the hold goes, the layer with it
    ops.prune(w)
    assert app.diff_ids[-1] not in w.images.layers


def test_rmi_force_tag_of_running_image_only_untags(w):
    bb = w.base()
    app = w.build(bb, "x", "app")
    w.container(app, running=True)
    assert lines(ops.remove(w, "app", force=True)) == ["Untagged: app:latest"]
    assert app.id in w.images.images and w.images.is_dangling(app.id)


@pytest.mark.parametrize("setup, force, message", [
    ("two-tags", False, "(must be forced) - image is referenced in multiple repositories"),
    ("stopped", False, "(must be forced) - image is being used by stopped container {c}"),
    ("running", True, "(cannot be forced) - image is being used by running container {c}"),
    ("child", True, "(cannot be forced) - image has dependent child images"),
])
def test_rmi_by_id_conflicts(w, setup, force, message):
    bb = w.base()
    app = w.build(bb, "x", "app")
    c = None
    if setup == "two-tags":
        ops.tag(w, "app", parse("other"))
    elif setup in ("stopped", "running"):
        c = w.container(app, running=setup == "running")
    else:
        w.build(app, "y")
    with pytest.raises(Conflict) as err:
        ops.remove(w, short_id(app.id), force=force)
    expected = f"conflict: unable to delete {short_id(app.id)} " + message.format(c=c and short_id(c.id))
    assert str(err.value) == expected


def test_rmi_force_id_with_two_tags_untags_all_then_deletes(w):
    bb = w.base()
    app = w.build(bb, "x", "app")
    ops.tag(w, "app", parse("other:1"))
    assert lines(ops.remove(w, app.id[7:19], force=True)) == [
        "Untagged: app:latest", "Untagged: other:1", f"Deleted: {app.id}", f"Deleted: {app.chain_ids[-1]}"]


def test_rmi_force_id_with_stopped_container_deletes(w):
    bb = w.base()
    app = w.build(bb, "x", "app")
    w.container(app)
    assert lines(ops.remove(w, app.id, force=True)) == ["Untagged: app:latest", f"Deleted: {app.id}"]


def test_rmi_last_tag_of_repository_drops_its_digests(w):
    # push-pull recording: `rmi 127.0.0.1:5000/app:1 app`
    bb = w.base()
    app = w.build(bb, "app", "app")
    ops.tag(w, "app", parse("127.0.0.1:5000/app:1"))
    digest = "sha256:" + "8" * 64
    w.images.digests[f"127.0.0.1:5000/app@{digest}"] = app.id
    assert lines(ops.remove(w, "127.0.0.1:5000/app:1")) == [
        "Untagged: 127.0.0.1:5000/app:1", f"Untagged: 127.0.0.1:5000/app@{digest}"]
    assert lines(ops.remove(w, "app"))[:2] == ["Untagged: app:latest", f"Deleted: {app.id}"]


def test_prune_dangling_reports_deleted_and_space(w):
    bb = w.base()
    one = w.build(bb, "one", "app")
    w.build(bb, "two", "app")
    report = ops.prune(w)
    assert lines(report.deleted) == [f"Deleted: {one.id}", f"Deleted: {one.chain_ids[-1]}"]
    assert report.space_reclaimed == 4          # "one\n", as the recording's `4B`
    assert ops.prune(w).deleted == []


def test_prune_all_skips_used_images(w):
    bb = w.base()
    app = w.build(bb, "x", "app")
    w.container(app)
    report = ops.prune(w, all_images=True)
    # moby ImagesPrune: busybox's tag goes (ImageDelete by reference), the image stays as
    # app's parent; app itself is in use (a conflict, skipped)
    assert lines(report.deleted) == ["Untagged: busybox:latest"]
    assert set(w.images.images) == {app.id, bb.id}
    w.containers.items.clear()
    report = ops.prune(w, all_images=True)
    assert lines(report.deleted) == [
        "Untagged: app:latest", f"Deleted: {app.id}", f"Deleted: {app.chain_ids[-1]}",
        f"Deleted: {bb.id}", f"Deleted: {bb.chain_ids[0]}"]
    assert report.space_reclaimed == 2 + 1_983_000


def test_prune_and_list_filter_errors(w):
    with pytest.raises(InvalidParameter, match=r"^Invalid filter 'bogus'$"):
        ops.prune(w, filters={"bogus": ["1"]})
    with pytest.raises(InvalidParameter, match=r"^Invalid filter 'dangling=\[maybe\]'$"):
        ops.list_images(w, filters={"dangling": ["maybe"]})


def test_list_filters(w):
    bb = w.base()
    a = w.build(bb, "a", "a")
    w.clock.advance(2)
    b = w.child(a, "/bin/sh -c #(nop)  LABEL team=core", team="x")
    w.images.tag(parse("b"), b.id)
    assert [s.id for s in ops.list_images(w, filters={"before": ["b"]})] == [a.id, bb.id]
    assert [s.id for s in ops.list_images(w, filters={"since": ["a"]})] == [b.id]
    assert [s.id for s in ops.list_images(w, filters={"dangling": ["false"]})] == [b.id, a.id, bb.id]
    assert [s.repo_tags for s in ops.list_images(w, filters={"reference": ["b*"]})] == [
        ("b:latest",), ("busybox:latest",)]


def test_history_ids_follow_the_parent_chain(w):
    bb = w.base()
    wd = w.child(bb, "/bin/sh -c #(nop) WORKDIR /app")
    cp = w.child(wd, "/bin/sh -c #(nop) COPY file:96b246e4 in /app/hello.txt ", {"/app/hello.txt": "hello v2\n"})
    top = w.child(cp, '/bin/sh -c #(nop)  CMD ["cat" "/app/hello.txt"]')
    w.images.tag(parse("app"), top.id)
    rows = ops.history(w, "app")
    assert [r.id for r in rows] == [top.id, cp.id, wd.id, bb.id]
    assert [r.size for r in rows] == [0, 9, 0, 1_983_000]
    assert rows[-1].comment == "Imported from -" and rows[-1].created_by == ""
    assert rows[0].tags == ("app:latest",)


def test_history_of_image_without_local_parents_is_missing(w):
    bb = w.base()
    app = w.build(bb, "app", "app")
    ops.remove(w, "busybox")                  # busybox stays: it has a child
    config = app.config
    del config["parent"]                      # as pulled: no parent chain
    from simulator.model.image import Image
    pulled = w.images.add_image(Image.from_config(config))
    rows = ops.history(w, pulled.id)
    assert [r.id for r in rows] == [pulled.id, "<missing>"]


def test_inspect_shape(w):
    bb = w.base()
    data = ops.inspect(w, "busybox")
    assert list(data) == ["Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Container",
                          "ContainerConfig", "DockerVersion", "Author", "Config", "Architecture", "Os",
                          "Size", "VirtualSize", "GraphDriver", "RootFS", "Metadata"]
    assert data["RepoTags"] == ["busybox:latest"] and data["RepoDigests"] == []
    assert data["RootFS"] == {"Type": "layers", "Layers": bb.diff_ids}
    assert data["Size"] == data["VirtualSize"] == 1_983_000
    assert data["Metadata"] == {"LastTagTime": "2026-01-01T12:00:00Z"}
    assert set(data["GraphDriver"]["Data"]) == {"MergedDir", "UpperDir", "WorkDir"}
    child = w.build(bb, "x", "x")
    assert "LowerDir" in ops.inspect(w, "x")["GraphDriver"]["Data"]
    assert ops.inspect(w, "x")["Parent"] == bb.id and child.parent == bb.id


def test_go_config_matches_recorded_json_order():
    # build-instructions recording: `docker image inspect --format '{{json .Config}}' shell`
    config = {"Cmd": ["ignored"], "Entrypoint": ["/bin/sh", "-c", "echo shell form entrypoint"],
              "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
              "Image": "sha256:690e", "Labels": None, "OnBuild": None}
    from simulator.cli.gotemplate import Struct, go_json
    assert go_json(Struct("*container.Config", ops.go_config(config))).replace("sha256:690e", "X") == (
        '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,'
        '"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,'
        '"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["ignored"],'
        '"Image":"X","Volumes":null,"WorkingDir":"","Entrypoint":["/bin/sh","-c","echo shell form entrypoint"],'
        '"OnBuild":null,"Labels":null}')
    full = ops.go_config({"User": "www-data", "ExposedPorts": {"53/udp": {}, "8080/tcp": {}},
                          "StopSignal": "SIGUSR1", "Shell": ["/bin/sh", "-e", "-c"]})
    assert list(full)[6] == "ExposedPorts" and list(full)[-2:] == ["StopSignal", "Shell"]


def test_prune_until_and_label(w):
    bb = w.base()
    old = w.build(bb, "old", "old")
    ops.remove(w, "old")                              # deleted outright: no children
    old = w.build(bb, "old", "old")
    w.images.untag(parse("old"))                      # dangling
    w.clock.advance(3600)
    new = w.build(bb, "new", "new")
    w.images.untag(parse("new"))
    assert [r.value for r in ops.prune(w, filters={"until": ["30m"]}).deleted][:1] == [old.id]
    assert new.id in w.images.images
    assert ops.prune(w, filters={"label": ["team=core"]}).deleted == []
    with pytest.raises(InvalidParameter, match="failed to parse value as time or duration"):
        ops.prune(w, filters={"until": ["soon"]})
