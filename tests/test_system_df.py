"""`docker system df`: the 20.10 arithmetic (moby `daemon/disk_usage.go`, `daemon/images/images.go`;
cli `formatter/disk_usage.go`), checked against tests/conformance/scenarios/system-df."""

from types import SimpleNamespace

from simulator.engine import disk_usage
from simulator.engine.disk_usage import ContainerUsage, DiskUsage, ImageUsage, VolumeUsage
from simulator.engine.images import ImageStore
from simulator.model.fs import Tree, UnionFS
from simulator.model.image import Image
from simulator.model.layer import Layer, blob, file
from simulator.model.reference import parse

BUSYBOX = 1_982_865          # any size that prints as 1.983MB


def rows(usage):
    return [(r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable) for r in disk_usage.summary(usage)]


def test_empty_engine_but_one_image():
    image = SimpleNamespace(id="sha256:" + "1" * 64)
    usage = DiskUsage(BUSYBOX, [ImageUsage(image, 0, BUSYBOX, 0)], [], [])
    assert rows(usage) == [("Images", "1", "0", "1.983MB", "1.983MB (100%)"),
                           ("Containers", "0", "0", "0B", "0B"),
                           ("Local Volumes", "0", "0", "0B", "0B"),
                           ("Build Cache", "0", "0", "0B", "0B")]


def test_the_recorded_scenario():
    # busybox, and blob = busybox + a 100000-byte layer; one container of each;
    # the running one wrote nothing, the exited one wrote 3000 bytes; a 5000-byte volume in use.
    busybox, blob_image = SimpleNamespace(id="b"), SimpleNamespace(id="c")
    usage = DiskUsage(BUSYBOX + 100_000,
                      [ImageUsage(busybox, 1, BUSYBOX, BUSYBOX), ImageUsage(blob_image, 1, BUSYBOX + 100_000, BUSYBOX)],
                      [ContainerUsage(SimpleNamespace(running=True), 0),
                       ContainerUsage(SimpleNamespace(running=False), 3000)],
                      [VolumeUsage("vol", 1, 5000)])
    assert rows(usage) == [("Images", "2", "2", "2.083MB", "1.983MB (95%)"),
                           ("Containers", "2", "1", "3kB", "3kB (100%)"),
                           ("Local Volumes", "1", "1", "5kB", "0B (0%)"),
                           ("Build Cache", "0", "0", "0B", "0B")]


def _image(store, layers, parent=""):
    for layer in layers:
        store.add_layer(layer)
    config = {"architecture": "amd64", "os": "linux", "created": "2026-01-01T12:00:00Z", "config": {},
              "rootfs": {"type": "layers", "diff_ids": [l.diff_id for l in layers]},
              "history": [{"created_by": str(i)} for i in range(len(layers))]}
    if parent:
        config["parent"] = parent
    image = Image.from_config(config)
    store.add_image(image)
    return image


def test_compute_counts_layers_once_and_ignores_intermediate_images():
    store = ImageStore()
    base_layer = Layer.of({"/bin/busybox": blob(BUSYBOX, "busybox")})
    top_layer = Layer.of({"/blob": blob(100_000, "zeros")})
    base = _image(store, [base_layer])
    intermediate = _image(store, [base_layer, top_layer], parent=base.id)
    final = _image(store, [base_layer, top_layer, Layer.of({"/x": file("")})], parent=intermediate.id)
    store.tag(parse("busybox"), base.id)
    store.tag(parse("blob"), final.id)
    writer = SimpleNamespace(id="w", image_id=final.id, running=False)
    views = {"w": UnionFS(Tree({}))}
    views["w"].write("/t", b"\0" * 3000)
    engine = SimpleNamespace(images=store, containers=SimpleNamespace(all=lambda: [writer]),
                             backend=SimpleNamespace(get=views.__getitem__),
                             volumes=SimpleNamespace(list=lambda: [SimpleNamespace(name="vol", refs={"w"}, size=5000)]))
    usage = disk_usage.compute(engine)
    assert usage.layers_size == BUSYBOX + 100_000
    by_id = {row.image.id: row for row in usage.images}
    assert set(by_id) == {base.id, final.id}           # the intermediate image is not listed
    # the 100 kB layer is only in one listed image: not shared, although the intermediate has it
    assert (by_id[final.id].size, by_id[final.id].shared_size, by_id[final.id].containers) == (
        BUSYBOX + 100_000, BUSYBOX, 1)
    assert (by_id[base.id].shared_size, by_id[base.id].containers) == (BUSYBOX, 0)
    assert [c.size_rw for c in usage.containers] == [3000]
    assert usage.volumes == [VolumeUsage("vol", 1, 5000)]
