"""The offline registry, against tests/conformance/scenarios/push-pull (Docker 20.10 non-TTY
progress lines, error texts) and against layer reuse worked out by hand."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from types import SimpleNamespace

import pytest

from simulator.backend.memory import catalogue
from simulator.engine.errors import NotFound
from simulator.engine.images import ImageStore
from simulator.engine.registry import Registry, StreamError
from simulator.model.clock import VirtualClock
from simulator.model.compressed import gzip_blob, write_gzip
from simulator.backend.memory.backend import MemoryBackend
from simulator.model.image import EMPTY_RUN_CONFIG, Image
from simulator.model.layer import Layer, file
from simulator.model.reference import parse


def make_engine():
    events = []
    clock = VirtualClock()
    engine = SimpleNamespace(clock=clock, events=events, emit=events.append, now=lambda: "2026-01-01T12:00:00Z",
                             backend=MemoryBackend(clock))
    engine.images = ImageStore(emit=events.append)
    engine.registry = Registry(engine)
    engine.registry.import_busybox()
    return engine


def test_import_busybox_is_the_conformance_engines_starting_image():
    engine = make_engine()
    image = engine.images.find("busybox:latest")
    assert image.id == catalogue.imported_busybox("2026-01-01T12:00:00Z")[0].id
    assert engine.images.digests == {}
    assert engine.images.size(image) == 1_983_147


def add_app(engine) -> tuple[Image, Layer]:
    """An image with one layer on busybox, tagged app:latest."""
    base = engine.images.find("busybox")
    top = Layer.of({"/app.txt": file("app\n")})
    engine.images.add_layer(top)
    image = Image.from_config({"architecture": "amd64", "os": "linux", "created": "2026-01-01T12:00:01Z",
                               "config": dict(EMPTY_RUN_CONFIG, Cmd=["cat", "/app.txt"]),
                               "rootfs": {"type": "layers", "diff_ids": base.diff_ids + [top.diff_id]},
                               "history": [{"comment": "Imported from -"}, {"created_by": "COPY"}]})
    engine.images.add_image(image, local=True)
    engine.images.tag(parse("app"), image.id)
    return image, top


def short(digest: str) -> str:
    return digest[7:19]


def gz(layer: Layer) -> tuple[str, int]:
    """The (digest, size) of a layer's blob per image-spec manifest.md: sha256 and length of
    the gzip bytes, which must unpack to the tar whose sha256 is the diffID (config.md)."""
    buf = io.BytesIO()
    write_gzip(layer, buf)
    data = buf.getvalue()
    tar = gzip.decompress(data)
    assert "sha256:" + hashlib.sha256(tar).hexdigest() == layer.diff_id
    return "sha256:" + hashlib.sha256(data).hexdigest(), len(data)


def pulled(layer: Layer) -> str:
    """The short ID `docker pull` shows for a layer: its compressed blob's digest (for the
    catalogue's large layers, the cached value that test_registry_blobs checks against `gz`)."""
    return short(gzip_blob(layer).digest)


# Schema 2 as docker/distribution writes it: json.MarshalIndent(m, "", "   "), no final newline.
MANIFEST_HEAD = """{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": %d,
      "digest": "%s"
   },
   "layers": [
"""
MANIFEST_LAYER = """      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": %d,
         "digest": "%s"
      }"""


def manifest_text(image: Image, layers: list[Layer]) -> str:
    return (MANIFEST_HEAD % (len(image.raw), image.id)
            + ",\n".join(MANIFEST_LAYER % gz(layer)[::-1] for layer in layers) + "\n   ]\n}")


def manifest_size(image: Image, layers: list[Layer]) -> int:
    return len(manifest_text(image, layers))


def kinds(engine, prefix="registry.") -> list[str]:
    return [e.kind for e in engine.events if e.kind.startswith(prefix)]


def test_push_pull_scenario_as_recorded():
    engine = make_engine()
    reg, store = engine.registry, engine.images
    busybox = store.find("busybox")
    app, top = add_app(engine)
    b, a = short(busybox.diff_ids[0]), short(top.diff_id)
    store.tag(parse("127.0.0.1:5000/busybox:1"), busybox.id)
    store.tag(parse("127.0.0.1:5000/app:1"), app.id)

    lines = reg.push("127.0.0.1:5000/busybox:1")
    assert lines[:3] == ["The push refers to repository [127.0.0.1:5000/busybox]", f"{b}: Preparing", f"{b}: Pushed"]
    size = manifest_size(busybox, [store.layers[busybox.diff_ids[0]]])
    digest = lines[3].split()[2]
    assert lines[3] == f"1: digest: {digest} size: {size}"

    lines = reg.push("127.0.0.1:5000/app:1")
    app_digest = lines[-1].split()[2]
    assert lines == ["The push refers to repository [127.0.0.1:5000/app]", f"{a}: Preparing", f"{b}: Preparing",
                     f"{b}: Mounted from busybox", f"{a}: Pushed",
                     f"1: digest: {app_digest} size: {manifest_size(app, store.image_layers(app))}"]
    assert reg.push("127.0.0.1:5000/app:1") == [
        "The push refers to repository [127.0.0.1:5000/app]", f"{a}: Preparing", f"{b}: Preparing",
        f"{a}: Layer already exists", f"{b}: Layer already exists", f"1: digest: {app_digest} size: {lines[-1].split()[-1]}"]
    assert store.digests == {f"127.0.0.1:5000/busybox@{digest}": busybox.id,
                             f"127.0.0.1:5000/app@{app_digest}": app.id}
    # 1 + 1 pushed, 1 mounted, 2 already there (worked out from the three pushes)
    assert kinds(engine).count("registry.blob_pushed") == 2
    assert kinds(engine).count("registry.blob_mounted") == 1
    assert kinds(engine).count("registry.blob_exists") == 2

    # rmi 127.0.0.1:5000/app:1 app: the base layer stays (busybox uses it)
    store.untag(parse("127.0.0.1:5000/app:1"))
    store.untag(parse("app"))
    del store.digests[f"127.0.0.1:5000/app@{app_digest}"]
    store.remove(app.id)
    image, lines = reg.pull("127.0.0.1:5000/app:1")
    assert image.id == app.id
    # pull names layers by blob digest, push by diffID (as in the recording: other short IDs)
    b, a = short(gz(store.layers[busybox.diff_ids[0]])[0]), short(gz(top)[0])
    assert b != short(busybox.diff_ids[0]) and a != short(top.diff_id)
    assert lines == ["1: Pulling from app", f"{b}: Already exists", f"{a}: Pulling fs layer",
                     f"{a}: Verifying Checksum", f"{a}: Download complete", f"{a}: Pull complete",
                     f"Digest: {app_digest}", "Status: Downloaded newer image for 127.0.0.1:5000/app:1"]
    assert store.find("127.0.0.1:5000/app:1").id == app.id
    assert store.find(f"127.0.0.1:5000/app@{app_digest}").id == app.id
    _, lines = reg.pull("127.0.0.1:5000/app:1")
    assert lines == ["1: Pulling from app", f"Digest: {app_digest}",
                     "Status: Image is up to date for 127.0.0.1:5000/app:1"]

    with pytest.raises(NotFound) as err:
        reg.pull("127.0.0.1:5000/app:2")
    assert err.value.message == "manifest for 127.0.0.1:5000/app:2 not found: manifest unknown: manifest unknown"
    with pytest.raises(NotFound) as err:
        reg.pull("127.0.0.1:5000/nosuch")
    assert err.value.message == "manifest for 127.0.0.1:5000/nosuch:latest not found: manifest unknown: manifest unknown"
    seen = []
    with pytest.raises(StreamError) as err:
        reg.push("127.0.0.1:5000/nosuch:1", seen.append)
    assert seen == ["The push refers to repository [127.0.0.1:5000/nosuch]"]
    assert err.value.message == "An image does not exist locally with the tag: 127.0.0.1:5000/nosuch"
    with pytest.raises(StreamError) as err:
        reg.push("127.0.0.1:5000/busybox:2")
    assert err.value.message == "tag does not exist: 127.0.0.1:5000/busybox:2"


def test_ensure_pulls_only_what_is_missing():
    engine = make_engine()
    image, lines = engine.registry.ensure("busybox")
    assert (image.id, lines) == (engine.images.find("busybox").id, [])
    seen = []
    image, lines = engine.registry.ensure("alpine", seen.append)
    layer = pulled(engine.images.layers[image.diff_ids[0]])
    assert lines == seen == ["Unable to find image 'alpine:latest' locally", "latest: Pulling from library/alpine",
                             f"{layer}: Pulling fs layer", f"{layer}: Verifying Checksum",
                             f"{layer}: Download complete", f"{layer}: Pull complete",
                             lines[6], "Status: Downloaded newer image for alpine:latest"]
    digest = lines[6].removeprefix("Digest: ")
    assert engine.images.digests[f"docker.io/library/alpine@{digest}"] == image.id
    with pytest.raises(NotFound) as err:
        engine.registry.ensure("127.0.0.1:5000/nosuch")
    assert err.value.message.startswith("manifest for 127.0.0.1:5000/nosuch:latest not found")


def test_pulling_a_catalogue_image_waits_beyond_three_downloads():
    engine = make_engine()
    image, lines = engine.registry.pull("node:14")
    ids = [pulled(engine.images.layers[d]) for d in image.diff_ids]
    assert lines[0] == "14: Pulling from library/node"
    assert lines[1:12] == [f"{ids[0]}: Pulling fs layer", f"{ids[1]}: Pulling fs layer", f"{ids[2]}: Pulling fs layer",
                           f"{ids[3]}: Pulling fs layer", f"{ids[3]}: Waiting", f"{ids[4]}: Pulling fs layer",
                           f"{ids[4]}: Waiting", f"{ids[5]}: Pulling fs layer", f"{ids[5]}: Waiting",
                           f"{ids[6]}: Pulling fs layer", f"{ids[6]}: Waiting"]
    assert [line for line in lines if line.endswith("Pull complete")] == [f"{i}: Pull complete" for i in ids]
    assert lines[-1] == "Status: Downloaded newer image for node:14"
    assert kinds(engine).count("registry.blob_pulled") == 8
    # node:14.21.3 is the same image: nothing to download, but the tag is new
    _, lines = engine.registry.pull("node:14.21.3")
    assert lines[0] == "14.21.3: Pulling from library/node"
    assert lines[2] == "Status: Downloaded newer image for node:14.21.3"


def test_pulling_an_image_on_a_known_base_reuses_its_layers():
    engine = make_engine()
    engine.registry.pull("python:3.9")
    image, lines = engine.registry.pull("python:latest")
    ids = [pulled(engine.images.layers[d]) for d in image.diff_ids]
    # debian:bookworm + buildpack-deps' three layers are shared; the three python layers are new
    assert lines[1:5] == [f"{i}: Already exists" for i in ids[:4]]
    assert [line for line in lines if line.endswith("Pull complete")] == [f"{i}: Pull complete" for i in ids[4:]]
    assert kinds(engine).count("registry.layer_exists") == 4


def test_docker_hub_errors():
    engine = make_engine()
    with pytest.raises(NotFound) as err:
        engine.registry.pull("nosuch")
    assert err.value.message == ("pull access denied for nosuch, repository does not exist or may require "
                                 "'docker login': denied: requested access to the resource is denied")
    with pytest.raises(NotFound) as err:
        engine.registry.pull("node:nope")
    assert err.value.message == "manifest for node:nope not found: manifest unknown: manifest unknown"
    with pytest.raises(NotFound) as err:
        engine.registry.pull("someone/app:1")
    assert err.value.message.startswith("pull access denied for someone/app, repository does not exist")


def test_pushes_to_docker_hub_are_denied_unless_logged_in_to_ones_own_repository():
    engine = make_engine()
    busybox = engine.images.find("busybox")
    engine.images.tag(parse("someone/box:1"), busybox.id)
    seen = []
    with pytest.raises(StreamError) as err:
        engine.registry.push("someone/box:1", seen.append)
    assert err.value.message == "denied: requested access to the resource is denied"
    assert seen == ["The push refers to repository [docker.io/someone/box]", f"{short(busybox.diff_ids[0])}: Preparing"]
    with pytest.raises(StreamError):
        engine.registry.push("busybox")
    engine.registry.login("docker.io", "someone")
    assert engine.registry.push("someone/box:1")[-1].startswith("1: digest: sha256:")
    image, lines = engine.registry.pull("someone/box:1")
    assert (image.id, lines[-1]) == (busybox.id, "Status: Image is up to date for someone/box:1")


def test_pull_by_digest_records_the_digest_but_no_tag():
    engine = make_engine()
    _, lines = engine.registry.pull("alpine:3.19")
    digest = lines[-2].removeprefix("Digest: ")
    engine2 = make_engine()
    image, lines = engine2.registry.pull(f"alpine@{digest}")
    assert lines[0] == f"{digest}: Pulling from library/alpine"
    assert lines[-1] == f"Status: Downloaded newer image for alpine@{digest}"
    assert engine2.images.refs_of(image.id) == []
    assert engine2.images.digests == {f"docker.io/library/alpine@{digest}": image.id}
