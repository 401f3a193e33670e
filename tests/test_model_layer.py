"""Layer and image identity, worked out from the OCI image spec and by hand."""

import hashlib
import io
import tarfile

import pytest

from simulator.model.image import Image
from simulator.model.layer import (EMPTY_TAR_DIFF_ID, WHITEOUT, InvalidLayer, Layer, blob, chain_ids,
                                   directory, file, hardlink)
from simulator.model.reference import InvalidReference, parse
from simulator.model.units import human_duration, human_size, ram_in_bytes


def test_empty_layer_is_dockers_empty_tar():
    # moby layer/empty.go: the diffID of 1024 zero bytes.
    assert Layer.of({}).diff_id == EMPTY_TAR_DIFF_ID
    assert EMPTY_TAR_DIFF_ID == "sha256:" + hashlib.sha256(bytes(1024)).hexdigest()


def test_diff_id_is_sha256_of_the_tar():
    layer = Layer.of({"/a": file("hello"), "/d": directory(0o700)})
    data = layer.tar_bytes()
    assert layer.diff_id == "sha256:" + hashlib.sha256(data).hexdigest()
    members = tarfile.open(fileobj=io.BytesIO(data)).getmembers()
    assert [(m.name, m.mode, m.mtime) for m in members] == [("a", 0o644, 0), ("d", 0o700, 0)]


def test_chain_ids_follow_the_spec_formula():
    a, b, c = ("sha256:" + x * 64 for x in "abc")
    ab = "sha256:" + hashlib.sha256(f"{a} {b}".encode()).hexdigest()
    abc = "sha256:" + hashlib.sha256(f"{ab} {c}".encode()).hexdigest()
    assert chain_ids([a, b, c]) == [a, ab, abc]


def test_hard_links_and_size():
    layer = Layer.of({"/bin": directory(), "/bin/busybox": blob(1000, "busybox"),
                      "/bin/sh": hardlink("/bin/busybox"), "/etc": directory(), "/etc/x": WHITEOUT})
    assert layer.size == 1000
    kinds = {m.name: m.type for m in tarfile.open(fileobj=io.BytesIO(layer.tar_bytes()))}
    assert kinds == {"bin": tarfile.DIRTYPE, "bin/busybox": tarfile.REGTYPE, "bin/sh": tarfile.LNKTYPE,
                     "etc": tarfile.DIRTYPE, "etc/.wh.x": tarfile.REGTYPE}


@pytest.mark.parametrize("name", ["../evil", "/abs", "a/.wh.", "a/.wh..", "dev"])
def test_hostile_tars_are_refused(name):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        if name == "dev":
            info.type = tarfile.CHRTYPE
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(InvalidLayer):
        Layer.from_tar(io.BytesIO(buf.getvalue()))


def test_image_id_is_sha256_of_canonical_config():
    config = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
              "config": {"Cmd": ["sh"]}}
    image = Image.from_config(config)
    raw = b'{"architecture":"amd64","config":{"Cmd":["sh"]},"os":"linux","rootfs":{"diff_ids":[],"type":"layers"}}'
    assert image.id == "sha256:" + hashlib.sha256(raw).hexdigest()
    config["config"]["Cmd"] = ["sh", "-c", "true"]
    assert Image.from_config(config).id != image.id
    with pytest.raises(ValueError, match="too many non-empty layers in History section"):
        Image.from_config({**config, "history": [{"created_by": "x"}]})


@pytest.mark.parametrize("text,name,tag,familiar", [
    ("nginx", "docker.io/library/nginx", "latest", "nginx:latest"),
    ("node:14", "docker.io/library/node", "14", "node:14"),
    ("user/app:v1", "docker.io/user/app", "v1", "user/app:v1"),
    ("localhost:5000/app", "localhost:5000/app", "latest", "localhost:5000/app:latest"),
    ("docker.io/library/ubuntu", "docker.io/library/ubuntu", "latest", "ubuntu:latest"),
])
def test_reference_normalisation(text, name, tag, familiar):
    ref = parse(text)
    assert (ref.name, ref.tag, str(ref)) == (name, tag, familiar)


@pytest.mark.parametrize("text,message", [
    ("Foo", "invalid reference format: repository name must be lowercase"),
    ("a:b:c", "invalid reference format"),
    ("-x", "invalid reference format"),
])
def test_reference_errors(text, message):
    with pytest.raises(InvalidReference) as err:
        parse(text)
    assert str(err.value) == message


@pytest.mark.parametrize("size,precision,text", [
    (0, 3, "0B"), (999, 3, "999B"), (1983147, 3, "1.98MB"), (1983147, 4, "1.983MB"),
    (13300, 3, "13.3kB"), (5000000, 3, "5MB"), (1234567890, 4, "1.235GB"),
])
def test_human_size_is_go_units(size, precision, text):
    assert human_size(size, precision) == text


@pytest.mark.parametrize("seconds,text", [
    (0.5, "Less than a second"), (1, "1 second"), (59, "59 seconds"), (60, "About a minute"),
    (150, "2 minutes"), (3600, "About an hour"), (5400, "2 hours"), (48 * 3600, "2 days"),
])
def test_human_duration_is_go_units(seconds, text):
    assert human_duration(seconds) == text


def test_ram_in_bytes():
    assert ram_in_bytes("512m") == 512 * 1024 * 1024
    assert ram_in_bytes("6MB") == 6 * 1024 * 1024
    with pytest.raises(ValueError):
        ram_in_bytes("lots")
