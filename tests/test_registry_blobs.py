"""Layer blobs as a registry holds them: gzip streams named by the digest of the compressed
bytes (image-spec manifest.md), while the image config keeps the diffIDs, the digests of the
uncompressed tars (config.md); the daemon's diffID <-> digest memory (moby v2metadata) decides
`Layer already exists`, `Mounted from` and a pull's `Already exists`."""

from __future__ import annotations

import gzip
import hashlib
import io
import json

from simulator.model.compressed import ZERO_RUN, gzip_blob, write_gzip
from simulator.model.layer import Layer, blob, file, symlink
from simulator.model.reference import parse
from test_registry import add_app, gz, kinds, make_engine, manifest_text, short


def gzip_bytes(layer: Layer) -> bytes:
    buf = io.BytesIO()
    write_gzip(layer, buf)
    return buf.getvalue()


def forget(engine) -> None:
    """Make the engine's daemon forget every blob it moved (another machine, same registry)."""
    engine.registry.layer_digests.sources.clear()
    engine.registry.layer_digests.diff_ids.clear()


# Literal files, a symlink, and synthetic files with whole and partial MiBs of zeros.
LAYER = Layer.of({"/etc/motd": file("hello\n"), "/bin/tool": blob(2 * ZERO_RUN + 777, "tool"),
                  "/lib/x.so": blob(ZERO_RUN, "x"), "/lib/y": symlink("x.so"), "/data": file(b"ab" * 40_000)})


def test_blob_is_a_deterministic_gzip_of_the_tar_named_by_the_compressed_digest():
    data = gzip_bytes(LAYER)
    # RFC 1952 header: magic, deflate, no FNAME/FCOMMENT flags, mtime 0
    assert data[:4] == b"\x1f\x8b\x08\x00" and data[4:8] == bytes(4)
    assert gzip.decompress(data) == LAYER.tar_bytes()
    assert gzip_bytes(LAYER) == data
    found = gzip_blob(LAYER)
    assert (found.digest, found.size) == ("sha256:" + hashlib.sha256(data).hexdigest(), len(data))
    assert found.digest != LAYER.diff_id
    assert found.size < len(LAYER.tar_bytes()) // 50  # really compressed: the tar is mostly zeros


def test_empty_layer_blob_unpacks_to_the_empty_tar():
    empty = Layer.of({})
    assert gzip.decompress(gzip_bytes(empty)) == bytes(1024)
    assert gzip_blob(empty).digest != empty.diff_id


def test_pushed_manifest_names_the_config_and_the_gzip_blobs():
    engine = make_engine()
    store, reg = engine.images, engine.registry
    app, top = add_app(engine)
    store.tag(parse("127.0.0.1:5000/app:1"), app.id)
    lines = reg.push("127.0.0.1:5000/app:1")
    digest = lines[-1].split()[2]
    raw = reg.manifests[digest]
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == digest
    assert raw.decode() == manifest_text(app, store.image_layers(app))
    body = json.loads(raw)
    assert body["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert body["config"] == {"mediaType": "application/vnd.docker.container.image.v1+json",
                              "size": len(app.raw), "digest": app.id}
    assert [(d["mediaType"], d["digest"], d["size"]) for d in body["layers"]] == [
        ("application/vnd.docker.image.rootfs.diff.tar.gzip",) + gz(layer) for layer in store.image_layers(app)]
    assert [d["digest"] for d in body["layers"]] != app.diff_ids
    assert lines[-1] == f"1: digest: {digest} size: {len(raw)}"
    # RepoDigests is the manifest's digest
    assert store.digests == {f"127.0.0.1:5000/app@{digest}": app.id}
    pushed = [e for e in engine.events if e.kind == "registry.blob_pushed"]
    assert [(e.data["diff_id"], e.data["digest"]) for e in pushed] == [
        (top.diff_id, gz(top)[0]), (app.diff_ids[0], gz(store.layers[app.diff_ids[0]])[0])]


def test_pull_names_layers_by_blob_digest_and_the_daemon_learns_the_mapping():
    engine = make_engine()
    store, reg = engine.images, engine.registry
    app, top = add_app(engine)
    store.tag(parse("127.0.0.1:5000/app:1"), app.id)
    reg.push("127.0.0.1:5000/app:1")
    forget(engine)  # as another daemon sharing the registry
    store.untag(parse("127.0.0.1:5000/app:1"))
    store.untag(parse("app"))
    store.remove(app.id)
    image, lines = reg.pull("127.0.0.1:5000/app:1")
    base_blob, top_blob = (gz(store.layers[d])[0] for d in app.diff_ids)
    # a fresh daemon has the busybox layer but has never seen its blob: it downloads it
    # (moby: DiffID() unknown, so no "Already exists"), and then knows it
    assert [line for line in lines if line.endswith("Pull complete")] == [
        f"{short(base_blob)}: Pull complete", f"{short(top_blob)}: Pull complete"]
    assert reg.layer_digests.diff_ids == {base_blob: app.diff_ids[0], top_blob: top.diff_id}
    assert reg.layer_digests.get(top.diff_id) == [(top_blob, "127.0.0.1:5000/app")]
    assert image.id == app.id


def test_pushing_again_finds_every_layer_and_a_new_repository_mounts_them():
    engine = make_engine()
    store, reg = engine.images, engine.registry
    app, top = add_app(engine)
    b, a = short(app.diff_ids[0]), short(top.diff_id)
    store.tag(parse("127.0.0.1:5000/app:1"), app.id)
    store.tag(parse("127.0.0.1:5000/team/app:2"), app.id)
    store.tag(parse("localhost:5000/app:1"), app.id)
    reg.push("127.0.0.1:5000/app:1")
    assert reg.push("127.0.0.1:5000/app:1")[3:5] == [f"{a}: Layer already exists", f"{b}: Layer already exists"]
    # same registry, other repository: both blobs are mounted from where the daemon pushed them
    assert reg.push("127.0.0.1:5000/team/app:2")[3:5] == [f"{a}: Mounted from app", f"{b}: Mounted from app"]
    # another registry: nothing to mount from, everything is uploaded
    assert reg.push("localhost:5000/app:1")[3:5] == [f"{a}: Pushed", f"{b}: Pushed"]
    mounted = [e.data for e in engine.events if e.kind == "registry.blob_mounted"]
    assert [(m["digest"], m["from"]) for m in mounted] == [(gz(top)[0], "127.0.0.1:5000/app"),
                                                           (gz(store.layers[app.diff_ids[0]])[0], "127.0.0.1:5000/app")]
    assert kinds(engine).count("registry.blob_exists") == 2


def test_a_daemon_that_never_moved_a_layer_uploads_it_even_if_the_registry_has_it():
    engine = make_engine()
    app, _ = add_app(engine)
    engine.images.tag(parse("127.0.0.1:5000/app:1"), app.id)
    engine.registry.push("127.0.0.1:5000/app:1")
    forget(engine)
    lines = engine.registry.push("127.0.0.1:5000/app:1")
    assert [line.split(": ")[1] for line in lines[3:5]] == ["Pushed", "Pushed"]
