"""`docker load` of hand-built `docker save` archives and OCI layouts (tests/load_archives.py).

Expected values are worked out from the archives' bytes (image ID = sha256 of the config
bytes, diffID = sha256 of the uncompressed layer tar) and from Docker 20.10's wording, as a
real engine printed it for the same archives (tests/test_load_conformance.py checks them
against a private engine; moby `image/tarexport/load.go`, docker/cli `image/load.go`).
"""

from __future__ import annotations

import gzip
import io
import json
import re

import pytest

from load_archives import (CREATED, GREETING, GREETING_V2, MTIME, TOOLS, config, docker_archive,
                           oci_layout, sha, tar)
from simulator.model.layer import Kind

TMP = re.compile(r"/var/lib/docker/tmp/docker-import-\d+")


@pytest.fixture
def load(docker, tmp_path):
    """Write `data` as an archive beside the engine and `docker load -i` it."""
    def run(data: bytes, *flags: str, name: str = "image.tar"):
        (tmp_path / name).write_bytes(data)
        return docker(["load", *flags, "-i", name])
    return run


def state(engine):
    """What a load may change: images, layers, tags."""
    store = engine.images
    return sorted(store.images), sorted(store.layers), dict(store.tags)


# -- docker save archives ---------------------------------------------------------------------
def test_loaded_image_id_is_the_sha256_of_the_config_bytes(load, docker, engine):
    cfg = config([sha(GREETING)])
    r = load(docker_archive([GREETING], cfg=cfg))
    assert (r.exit, r.out, r.err) == (0, "Loaded image: greet:latest\n", "")
    image = engine.images.lookup("greet")
    assert image.id == "sha256:5fc3e86f8387a24bca1a6639220101c2381ab7295e293ac6bf505a391e6823aa" == sha(cfg)
    assert image.raw == cfg                      # kept byte for byte, not re-serialised
    assert image.diff_ids == [sha(GREETING)]


def test_config_file_name_is_not_checked(load, engine):
    # moby reads the config named in manifest.json and takes the sha256 of its bytes as the ID
    cfg = config([sha(GREETING)])
    items = [{"Config": "any-name.json", "RepoTags": ["named:1"], "Layers": ["l/layer.tar"]}]
    load(tar([("any-name.json", "file", cfg), ("l/layer.tar", "file", GREETING),
              ("manifest.json", "file", json.dumps(items).encode())]))
    assert engine.images.lookup("named:1").id == sha(cfg)


def test_loaded_layer_keeps_its_tar_and_mtimes(load, engine):
    load(docker_archive([GREETING]))
    layer = engine.images.layers[sha(GREETING)]
    assert layer.tar_bytes() == GREETING          # a push or save sends the same bytes
    assert layer.diff_id == sha(GREETING)
    greeting = layer.entries["/etc/greeting"]
    assert (greeting.kind, greeting.content.read(), greeting.mtime) == (
        Kind.FILE, b"hello from a loaded image\n", MTIME)
    assert layer.size == len(b"hello from a loaded image\n")


def test_images_history_and_inspect_of_a_loaded_image(load, docker):
    load(docker_archive([GREETING]))
    rows = docker("images --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.CreatedAt}}' greet").out
    assert rows == "greet:latest 5fc3e86f8387 26B 2020-09-13 12:26:40 +0000 UTC\n"
    history = docker("history --format '{{.ID}}|{{.CreatedBy}}|{{.Size}}' greet").out
    assert history == "5fc3e86f8387|hand-built layer|26B\n"
    inspect = json.loads(docker("image inspect greet").out)[0]
    assert inspect["Created"] == CREATED and inspect["RootFS"]["Layers"] == [sha(GREETING)]
    assert inspect["Config"]["Cmd"] == ["/bin/sh"]
    assert inspect["Metadata"]["LastTagTime"] == "0001-01-01T00:00:00Z"   # load sets no tag time


def test_untagged_image_prints_its_id(load):
    cfg = config([sha(GREETING)])
    r = load(docker_archive([GREETING], tags=(), cfg=cfg))
    assert r.out == f"Loaded image ID: {sha(cfg)}\n"


def test_every_tag_is_printed_and_set(load, docker):
    r = load(docker_archive([GREETING], tags=("greet:1", "other/greet:2", "localhost:5000/g:3")))
    assert r.out == "Loaded image: greet:1\nLoaded image: other/greet:2\nLoaded image: localhost:5000/g:3\n"
    assert docker("images -q --no-trunc greet:1").out == docker("images -q --no-trunc localhost:5000/g:3").out


def test_a_tag_moved_from_another_image_is_announced(load, docker):
    first = config([sha(GREETING)])
    load(docker_archive([GREETING], cfg=first))
    r = load(docker_archive([GREETING_V2], tags=("greet:latest", "greet:latest")), name="v2.tar")
    assert r.out == (f"The image greet:latest already exists, renaming the old one with ID {sha(first)} "
                     "to empty string\nLoaded image: greet:latest\nLoaded image: greet:latest\n")
    assert docker("images -q -f dangling=true").out == sha(first)[7:19] + "\n"


def test_loading_the_same_archive_again_changes_nothing(load, engine):
    load(docker_archive([GREETING]))
    before = state(engine)
    assert load(docker_archive([GREETING])).out == "Loaded image: greet:latest\n"
    assert state(engine) == before


def test_loaded_image_ids_only_when_the_last_image_has_no_tag(load):
    # moby counts the tags of the last manifest item only, and then lists every image's ID
    one, two = config([sha(GREETING)]), config([sha(GREETING)], cmd=("/bin/true",))
    items = [{"Config": sha(one)[7:] + ".json", "RepoTags": ["a:1"], "Layers": ["l/layer.tar"]},
             {"Config": sha(two)[7:] + ".json", "RepoTags": [], "Layers": ["l/layer.tar"]}]
    data = tar([(sha(one)[7:] + ".json", "file", one), (sha(two)[7:] + ".json", "file", two),
                ("l/layer.tar", "file", GREETING), ("manifest.json", "file", json.dumps(items).encode())])
    assert load(data).out == f"Loaded image: a:1\nLoaded image ID: {sha(one)}\nLoaded image ID: {sha(two)}\n"
    assert load(tar([("manifest.json", "file", b"[]")])).out == "\n"


def test_compressed_archives_and_layers(load, docker):
    assert load(gzip.compress(docker_archive([GREETING]))).out == "Loaded image: greet:latest\n"
    cfg = config([sha(GREETING_V2)])
    r = load(docker_archive([gzip.compress(GREETING_V2)], tags=("gz:1",), cfg=cfg))
    assert r.out == "Loaded image: gz:1\n"
    assert docker("image inspect --format '{{.Id}}' gz:1").out == sha(cfg) + "\n"


def test_a_known_chain_is_not_read_again(load, engine):
    # moby looks the chain up first: a layer file it does not need may be missing
    load(docker_archive([GREETING]))
    cfg = config([sha(GREETING)], cmd=("/bin/true",))
    items = [{"Config": "c.json", "RepoTags": ["again:1"], "Layers": ["missing/layer.tar"]}]
    r = load(tar([("c.json", "file", cfg), ("manifest.json", "file", json.dumps(items).encode())]))
    assert (r.exit, r.out) == (0, "Loaded image: again:1\n")


def test_run_a_container_from_a_loaded_image(load, docker):
    layer = tar([("etc/", "dir", None), ("etc/greeting", "file", b"hi from the archive\n")])
    load(docker_archive([TOOLS, layer], tags=("tools:1",)))
    r = docker("run --rm tools:1 cat /etc/greeting")
    assert (r.exit, r.out) == (0, "hi from the archive\n")
    r = docker(["run", "--rm", "tools:1", "sh", "-c", "cat /bin/cat; echo $0"])
    assert r.out == "\x7fELF busybox stand-in\nsh\n"   # /bin/cat -> /bin/busybox, inside the root
    assert docker("run --rm tools:1").exit == 0  # Cmd ["/bin/sh"] through the relative link


# -- OCI image layouts ------------------------------------------------------------------------------
def test_oci_layout_with_a_containerd_name(load, docker):
    cfg = config([sha(GREETING)])
    r = load(oci_layout([GREETING], {"io.containerd.image.name": "docker.io/library/ocigreet:1",
                                     "org.opencontainers.image.ref.name": "1"}))
    assert (r.exit, r.out) == (0, "Loaded image: ocigreet:1\n")
    assert docker("image inspect --format '{{.Id}}' ocigreet:1").out == sha(cfg) + "\n"


def test_oci_ref_name_annotation(load):
    assert load(oci_layout([GREETING], {"org.opencontainers.image.ref.name": "reg.io/x/app:2"})).out == \
        "Loaded image: reg.io/x/app:2\n"
    bare = load(oci_layout([GREETING_V2], {"org.opencontainers.image.ref.name": "latest"}, gz=False))
    assert bare.out == f"Loaded image ID: {sha(config([sha(GREETING_V2)]))}\n"   # a tag names no repository


def test_oci_nested_index_takes_linux_amd64(load, docker):
    r = load(oci_layout([GREETING], {"io.containerd.image.name": "multi:1"}, nested=True))
    assert r.out == "Loaded image: multi:1\n"
    assert docker("image inspect --format '{{.RootFS.Layers}}' multi:1").out == f"[{sha(GREETING)}]\n"


def test_oci_blob_that_does_not_match_its_digest(load, engine):
    before = state(engine)
    edited = GREETING.replace(b"hello", b"HELLO")
    flipped = load(oci_layout([GREETING], gz=False, blob_edit=lambda name, data: edited if data == GREETING else data))
    assert (flipped.exit, flipped.err) == (1, f"invalid OCI layout: blob {sha(GREETING)} has digest {sha(edited)}\n")
    assert state(engine) == before


def test_oci_layer_diff_id_is_checked(load):
    r = load(oci_layout([GREETING], cfg=config([sha(GREETING_V2)])))
    assert r.err == f'invalid diffID for layer 0: expected "{sha(GREETING_V2)}", got "{sha(GREETING)}"\n'


def test_oci_layout_version(load):
    data = tar([("oci-layout", "file", b'{"imageLayoutVersion":"2.0.0"}'), ("index.json", "file", b"{}")])
    assert load(data).err == "unsupported OCI version 2.0.0\n"


# -- archive errors, in Docker's words ----------------------------------------------------------------
@pytest.mark.parametrize("data, message", [
    (b"this is not a tar archive\n", "Error processing tar file(exit status 1): unexpected EOF"),
    (b"not a tar\n" * 200, "Error processing tar file(exit status 1): archive/tar: invalid tar header"),
    (docker_archive([GREETING])[:1500], "Error processing tar file(exit status 1): unexpected EOF"),
    (gzip.compress(docker_archive([GREETING]))[:200], "Error processing tar file(exit status 1): unexpected EOF"),
    (gzip.compress(docker_archive([GREETING])) + b"garbage" * 10, "Error processing tar file(gzip: invalid header): "),
    (b"\x1f\x8b\x08\x00" + b"garbage" * 100, "Error processing tar file(flate: corrupt input before offset 8): "),
    (docker_archive([GREETING], cfg=config([sha(b"x")])),
     f'invalid diffID for layer 0: expected "{sha(b"x")}", got "{sha(GREETING)}"'),
    (docker_archive([GREETING, GREETING], cfg=config([sha(GREETING)])),
     "invalid manifest, layers length mismatch: expected 2, got 1"),
    (docker_archive([GREETING], cfg=config([sha(GREETING)], os="windows")), "cannot load windows image on linux"),
    (docker_archive([GREETING], tags=("greet",)), 'invalid tag "greet"'),
    (docker_archive([GREETING], tags=("Greet:1",)), "invalid reference format: repository name must be lowercase"),
    (docker_archive([], cfg=json.dumps({"os": "linux"}).encode()), "invalid image JSON, no RootFS key"),
    (docker_archive([], cfg=config([], history=[{"created": CREATED, "created_by": "RUN x"}])),
     "too many non-empty layers in History section"),
    (tar([("manifest.json", "file", b"{nope")]), "invalid character 'n' looking for beginning of object key string"),
    (tar([("manifest.json", "file", b'[{"Config": 5}]')]),
     "json: cannot unmarshal number into Go struct field manifestItem.Config of type string"),
    (docker_archive([GREETING], cfg=config([sha(GREETING)], created="garbage")),
     'parsing time "\\"garbage\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "garbage\\"" as "2006"'),
    (docker_archive([GREETING], cfg=config([sha(GREETING)], config={"Env": "x"})),
     "json: cannot unmarshal string into Go struct field Config.config.Env of type []string"),
], ids=lambda value: value[:40] if isinstance(value, str) else "archive")
def test_archive_errors(load, engine, data, message):
    before = state(engine)
    r = load(data)
    assert (r.exit, r.out, r.err) == (1, "", message + "\n")
    assert state(engine) == before


@pytest.mark.parametrize("data, path", [
    (b"", "repositories"),                                          # an empty stream is an empty archive
    (bytes(1024), "repositories"),
    (tar([("manifest.json", "symlink", "/etc/hostname")]), "repositories"),   # a link resolves in the archive
    (tar([("manifest.json", "symlink", "../../../../etc/hostname")]), "repositories"),
    (tar([("blobs/", "dir", None)]), "blobs/json"),   # legacy: a folder per image
    (docker_archive([GREETING], manifest=[{"Config": "nope.json", "Layers": []}]), "nope.json"),
], ids=["empty", "zero-blocks", "absolute-link", "escaping-link", "legacy-folder", "missing-config"])
def test_missing_files_name_the_daemon_s_temporary_folder(load, data, path):
    r = load(data)
    assert r.exit == 1
    assert TMP.sub("<tmp>", r.err) == f"open <tmp>/{path}: no such file or directory\n"


def test_archive_names_stay_inside_the_archive(load, engine):
    # `..` and absolute member names are unpacked at the archive's root, as moby's chroot does
    extra = [("../../escape", "file", b"x"), ("/abs", "file", b"y")]
    assert load(docker_archive([GREETING], extra=extra)).out == "Loaded image: greet:latest\n"


def test_archive_symlinks_resolve_inside_the_archive(load, docker):
    # docker save links a repeated layer to the first copy; an escaping link stays inside too
    cfg = config([sha(GREETING), sha(GREETING)])
    items = [{"Config": "c.json", "RepoTags": ["twice:1"], "Layers": ["a/layer.tar", "b/layer.tar"]}]
    data = tar([("c.json", "file", cfg), ("a/", "dir", None), ("a/layer.tar", "file", GREETING),
                ("b/", "dir", None), ("b/layer.tar", "symlink", "../../../../a/layer.tar"),
                ("manifest.json", "file", json.dumps(items).encode())])
    assert load(data).out == "Loaded image: twice:1\n"


def test_later_member_replaces_an_earlier_one(load):
    # as when unpacking: the second manifest.json wins
    data = docker_archive([GREETING], extra=[("manifest.json", "file", b"[]")])
    assert load(data).out == "\n"


@pytest.mark.parametrize("layer, message", [
    (tar([("a", "file", b"1"), ("./a", "file", b"2")]),
     "Error processing tar file(duplicates of file paths not supported): "),
    (tar([("b", "hardlink", "nope")]), "Error processing tar file(exit status 1): link /nope /b: no such file or directory"),
    (b"garbage", "Error processing tar file(exit status 1): unexpected EOF"),
], ids=["duplicate", "hardlink", "not-a-tar"])
def test_layer_errors_in_docker_s_words(load, engine, layer, message):
    before = state(engine)
    r = load(docker_archive([layer], tags=("bad:1",)))
    assert r.err == message + "\n"
    assert state(engine) == before


@pytest.mark.parametrize("layer, reason", [
    (tar([("../x", "file", b"x")]), "../x: path escapes the root of the layer"),
    (tar([("/abs", "file", b"x")]), "/abs: path escapes the root of the layer"),
    (tar([("dev/", "dir", None), ("dev/null", "char", None)]), "dev/null: device nodes and FIFOs are not supported"),
    (tar([(".wh..", "file", b"")]), "invalid whiteout name '.wh..'"),
    (tar([("link", "symlink", "/etc"), ("link/evil", "file", b"x")]), "/link/evil lies below the symbolic link /link"),
], ids=["dotdot", "absolute", "device", "whiteout", "below-link"])
def test_layers_the_model_refuses(load, engine, layer, reason):
    before = state(engine)
    r = load(docker_archive([layer], tags=("bad:1",)))
    assert r.err == f"simulator: cannot load this layer: {reason} (see docs/fidelity.md)\n"
    assert state(engine) == before


def test_absolute_symlink_targets_are_kept(load, engine):
    layer = tar([("bin/", "dir", None), ("bin/sh", "symlink", "/bin/busybox"), ("up", "symlink", "../../..")])
    load(docker_archive([layer], tags=("links:1",)))
    entries = engine.images.layers[sha(layer)].entries
    assert (entries["/bin/sh"].target, entries["/up"].target) == ("/bin/busybox", "../../..")


# -- all or nothing ----------------------------------------------------------------------------------
def test_a_bad_second_image_stores_nothing(load, engine):
    # Docker 20.10 would keep a:1 (and its layer) before failing on the second item
    good, bad = config([sha(GREETING)]), config([sha(b"not this")])
    items = [{"Config": "good.json", "RepoTags": ["a:1"], "Layers": ["l/layer.tar"]},
             {"Config": "bad.json", "RepoTags": ["b:1"], "Layers": ["m/layer.tar"]}]
    data = tar([("good.json", "file", good), ("bad.json", "file", bad), ("l/layer.tar", "file", GREETING),
                ("m/layer.tar", "file", GREETING_V2), ("manifest.json", "file", json.dumps(items).encode())])
    before, events = state(engine), len(engine.events.log)
    r = load(data)
    assert r.exit == 1 and r.out == ""
    assert state(engine) == before
    assert [e.kind for e in engine.events.log[events:]] == []


def test_an_invalid_tag_stores_nothing(load, engine):
    before = state(engine)
    assert load(docker_archive([GREETING], tags=("ok:1", "Nope:1"))).exit == 1
    assert state(engine) == before


def test_events_tell_what_was_loaded(load, engine):
    load(docker_archive([GREETING]))
    loaded = [e for e in engine.events.log if e.kind == "image.loaded"]
    assert len(loaded) == 1 and loaded[0].data["refs"] == ["greet:latest"]
    assert loaded[0].data["new_layers"] == [sha(GREETING)]
    created = [e for e in engine.events.log if e.kind == "layer.created"]
    assert created[-1].message.endswith("in the archive")


# -- the command line ------------------------------------------------------------------------------
def test_input_errors(docker, tmp_path):
    assert (docker("load -i nosuch.tar").exit, docker("load -i nosuch.tar").err) == (
        1, "open nosuch.tar: no such file or directory\n")
    (tmp_path / "folder").mkdir()
    assert docker("load -i folder").err == ('error during connect: Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.41/'
                                            'images/load?quiet=1": read folder: is a directory\n')
    arity = docker("load extra")
    assert arity.exit == 1 and arity.err.startswith('"docker load" accepts no arguments.\n')


class _Stdin(io.BytesIO):
    def __init__(self, data: bytes, tty: bool = False):
        super().__init__(data)
        self.buffer = self
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def _load_stdin(engine, stdin):
    from simulator.cli import app, commands  # noqa: F401
    out, err = [], []
    status = app.run(engine, ["load"], ".", out.append, err.append, stdin=stdin)
    return status, "".join(out), "".join(err)


def test_standard_input(engine):
    assert _load_stdin(engine, _Stdin(docker_archive([GREETING]))) == (0, "Loaded image: greet:latest\n", "")
    assert _load_stdin(engine, _Stdin(b"", tty=True)) == (1, "", "requested load from stdin, but stdin is empty\n")
    status, _, err = _load_stdin(engine, None)   # play: no input, as an empty pipe
    assert status == 1 and TMP.sub("<tmp>", err) == "open <tmp>/repositories: no such file or directory\n"


def test_quiet_and_image_load(load, docker):
    assert load(docker_archive([GREETING]), "-q").out == "Loaded image: greet:latest\n"
    r = docker("image load -q -i image.tar")
    assert r.out == "Loaded image: greet:latest\n"
    assert "Usage:  docker image load [OPTIONS]" in docker("image load --help").out


def test_scenario_archives_are_the_committed_files():
    from pathlib import Path

    from load_archives import scenario_archives
    folder = Path(__file__).parent / "conformance" / "scenarios" / "load-archive"
    for name, data in scenario_archives().items():
        assert (folder / name).read_bytes() == data, name
