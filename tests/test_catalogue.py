"""The offline catalogue: busybox matches the conformance engines' image entry by entry; the
other images have the layer counts, sizes, configs and key files of the official images
(sizes as `docker images` showed them for the dated images; configs from `docker inspect`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from simulator.backend.memory import catalogue
from simulator.backend.memory.catalogue import busybox
from simulator.model.fs import Tree, UnionFS
from simulator.model.layer import Kind
from simulator.model.units import human_size

ROOT = Path(__file__).resolve().parents[1]
# The project's shared reference lies beside the repository: always in CI, not in a learner's clone.
FILE_LIST = ROOT.parent / "shared/reference/busybox-files.txt"
KIND = {"d": Kind.DIR, "f": Kind.FILE, "h": Kind.HARDLINK, "l": Kind.SYMLINK}


def fs(ref: str) -> UnionFS:
    image, layers = catalogue.get(ref)
    return UnionFS(Tree.from_layers(layers))


def outside_file(path: Path) -> Path:
    """`path` (outside the repository) if it exists; else skip with one line, or fail when `CI` is set."""
    if not path.is_file():
        reason = f"{path} not found (the shared reference beside the repository)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI is set but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def test_busybox_layer_is_the_reference_file_list():
    rows = [line.split("\t") for line in outside_file(FILE_LIST).read_text().splitlines() if not line.startswith("#")]
    entries = dict(busybox.layer().entries)
    assert sorted(entries) == sorted(row[0] for row in rows)
    for path, kind, mode, size, owner, link in rows:
        entry = entries[path]
        uid, gid = map(int, owner.split(":"))
        assert (entry.kind, entry.mode, entry.uid, entry.gid) == (KIND[kind], int(mode, 8), uid, gid), path
        if kind == "f":
            assert entry.content.size == int(size), path
        if kind in "hl":
            assert entry.target == link, path


@pytest.mark.parametrize("ci, outcome", [(None, pytest.skip.Exception), ("true", pytest.fail.Exception)])
def test_a_missing_outside_file_skips_except_under_ci(monkeypatch, tmp_path, ci, outcome):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="busybox-files.txt not found"):
        outside_file(tmp_path / "busybox-files.txt")


def test_busybox_size_is_what_docker_images_shows():
    # 1982256 (busybox) + 340 (passwd) + 307 (group) + 244 (shadow), as `docker image inspect` reports
    image, layers = catalogue.imported_busybox("2026-01-01T12:00:00Z")
    size = sum(layer.size for layer in layers)
    assert size == 1_983_147
    assert human_size(size, 3) == "1.98MB"


def test_busybox_files_have_the_script_text():
    tree = fs("docker.io/library/busybox:latest")
    assert tree.read("/etc/passwd").decode().splitlines()[0] == "root:x:0:0:root:/root:/bin/sh"
    assert tree.read("/etc/group").decode().splitlines()[10] == "wheel:x:10:root"
    assert tree.read("/etc/shadow").decode().splitlines()[-1] == "nobody:*:10933:0:99999:7:::"
    assert tree.stat("/bin/sh").content.label == "busybox"


def test_imported_busybox_config_has_the_docker_import_shape():
    image, layers = catalogue.imported_busybox("2026-01-01T12:00:00Z")
    config = image.config
    assert config["config"]["Cmd"] == ["sh"]
    assert config["config"]["Env"] is None and config["config"]["Entrypoint"] is None
    assert config["comment"] == "Imported from -"
    assert config["history"] == [{"created": "2026-01-01T12:00:00Z", "comment": "Imported from -"}]
    assert config["docker_version"] == "20.10.24+dfsg1"
    assert image.diff_ids == [layers[0].diff_id]
    # created time is part of the config: another import is another image
    assert catalogue.imported_busybox("2026-01-01T12:00:01Z")[0].id != image.id


@pytest.mark.parametrize("ref, layer_count, shown", [
    ("busybox:latest", 1, "1.98MB"),
    ("alpine:latest", 1, "7.38MB"),
    ("alpine:3.19", 1, "7.38MB"),
    ("debian:latest", 1, "117MB"),
    ("ubuntu:latest", 1, "77.9MB"),
    ("nginx:latest", 6, "142MB"),
    ("node:14", 8, "912MB"),
    ("python:3.9", 8, "915MB"),
    ("python:latest", 7, "924MB"),
])
def test_layer_counts_and_sizes(ref, layer_count, shown):
    image, layers = catalogue.get(f"docker.io/library/{ref}")
    assert len(layers) == len(image.diff_ids) == layer_count
    assert image.diff_ids == [layer.diff_id for layer in layers]
    assert human_size(sum(layer.size for layer in layers), 3) == shown
    assert sum(1 for h in image.history if not h.get("empty_layer")) == layer_count


def test_tags_of_one_image_share_it_and_unknown_refs_are_none():
    assert catalogue.get("docker.io/library/alpine:3.19")[0].id == catalogue.get("docker.io/library/alpine:latest")[0].id
    assert catalogue.get("docker.io/library/alpine:2.0") is None
    assert catalogue.get("docker.io/library/nosuch:latest") is None
    assert catalogue.get("localhost:5000/alpine:latest") is None
    assert "docker.io/library/node:14" in catalogue.REFS
    assert catalogue.tags("docker.io/library/node") == ["14", "14.21.3", "fermium"]


def test_images_built_on_one_base_share_its_layers():
    debian = catalogue.get("docker.io/library/debian:latest")[0]
    py39 = catalogue.get("docker.io/library/python:3.9")[0]
    py312 = catalogue.get("docker.io/library/python:latest")[0]
    node = catalogue.get("docker.io/library/node:14")[0]
    assert py39.diff_ids[0] == debian.diff_ids[0]
    assert py39.diff_ids[:4] == py312.diff_ids[:4]          # debian + buildpack-deps' three
    assert py39.diff_ids[4] != py312.diff_ids[4]
    assert node.diff_ids[0] != debian.diff_ids[0]           # node:14 is on buster


def test_configs_resemble_the_official_images():
    nginx = catalogue.get("docker.io/library/nginx:latest")[0].run_config
    assert nginx["Entrypoint"] == ["/docker-entrypoint.sh"]
    assert nginx["Cmd"] == ["nginx", "-g", "daemon off;"]
    assert nginx["ExposedPorts"] == {"80/tcp": {}}
    assert nginx["StopSignal"] == "SIGQUIT"
    node = catalogue.get("docker.io/library/node:14")[0].run_config
    assert (node["Entrypoint"], node["Cmd"]) == (["docker-entrypoint.sh"], ["node"])
    assert "NODE_VERSION=14.21.3" in node["Env"]
    python = catalogue.get("docker.io/library/python:3.9")[0].run_config
    assert python["Env"][0] == "PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert python["Cmd"] == ["python3"]
    ubuntu = catalogue.get("docker.io/library/ubuntu:latest")[0]
    assert ubuntu.run_config["Cmd"] == ["/bin/bash"]
    assert ubuntu.run_config["Labels"]["org.opencontainers.image.version"] == "22.04"
    assert catalogue.get("docker.io/library/alpine:latest")[0].run_config["Cmd"] == ["/bin/sh"]
    assert catalogue.get("docker.io/library/debian:latest")[0].run_config["Cmd"] == ["bash"]


def test_history_mirrors_the_classic_builder():
    history = catalogue.get("docker.io/library/nginx:latest")[0].history
    assert history[0]["created_by"].startswith("/bin/sh -c #(nop) ADD file:")
    assert history[0]["created_by"].endswith(" in / ")
    assert history[-1] == {"created": history[-1]["created"], "empty_layer": True,
                           "created_by": '/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]'}
    assert [h["created_by"] for h in history if "EXPOSE" in h["created_by"]] == ["/bin/sh -c #(nop)  EXPOSE 80"]


@pytest.mark.parametrize("ref, paths", [
    ("alpine:latest", ["/bin/sh", "/bin/ls", "/sbin/apk", "/etc/alpine-release", "/usr/bin/env"]),
    ("debian:latest", ["/bin/sh", "/bin/bash", "/usr/bin/apt-get", "/bin/cat", "/usr/bin/dpkg"]),
    ("ubuntu:latest", ["/bin/sh", "/usr/bin/apt-get", "/bin/ls", "/etc/lsb-release"]),
    ("node:14", ["/usr/local/bin/node", "/usr/local/bin/npm", "/usr/local/bin/yarn",
                 "/usr/local/bin/docker-entrypoint.sh", "/bin/sh", "/usr/bin/git"]),
    ("python:3.9", ["/usr/local/bin/python3", "/usr/local/bin/python", "/usr/local/bin/pip",
                    "/usr/bin/gcc", "/usr/bin/apt-get"]),
    ("python:latest", ["/usr/local/bin/python3", "/usr/local/bin/python", "/usr/local/bin/pip"]),
    ("nginx:latest", ["/docker-entrypoint.sh", "/docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                      "/usr/sbin/nginx", "/etc/nginx/nginx.conf", "/usr/share/nginx/html/index.html"]),
])
def test_key_files_exist(ref, paths):
    tree = fs(f"docker.io/library/{ref}")
    for path in paths:
        assert tree.exists(path), path


def test_os_release_and_users():
    assert 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' in fs("docker.io/library/debian:latest").read("/etc/os-release").decode()
    assert "ID=alpine" in fs("docker.io/library/alpine:latest").read("/etc/os-release").decode().splitlines()
    assert 'VERSION_ID="22.04"' in fs("docker.io/library/ubuntu:latest").read("/etc/os-release").decode()
    node = fs("docker.io/library/node:14")
    assert "node:x:1000:1000::/home/node:/bin/bash" in node.read("/etc/passwd").decode().splitlines()
    assert node.stat("/home/node").uid == 1000
    nginx = fs("docker.io/library/nginx:latest")
    assert "nginx:x:101:" in nginx.read("/etc/group").decode().splitlines()
    assert b"Welcome to nginx!" in nginx.read("/usr/share/nginx/html/index.html")
    assert nginx.stat("/docker-entrypoint.sh").mode == 0o755
    assert nginx.stat("/var/log/nginx/access.log", follow=False).target == "/dev/stdout"


def test_merged_usr_layouts():
    for ref in ("debian:latest", "ubuntu:latest"):
        tree = fs(f"docker.io/library/{ref}")
        assert tree.stat("/bin", follow=False).target == "usr/bin"
        assert tree.resolve("/bin/sh") == "/usr/bin/dash"
    assert fs("docker.io/library/node:14").resolve("/bin/sh") == "/bin/dash"


def test_the_catalogue_is_deterministic():
    image, layers = catalogue.get("docker.io/library/nginx:latest")
    config = json.loads(image.raw)
    assert config["created"] == "2023-03-29T18:32:22.713011485Z"
    assert catalogue.get("docker.io/library/nginx:latest")[0].id == image.id
    assert all(layer.diff_id.startswith("sha256:") for layer in layers)


@pytest.mark.parametrize("ref", ["debian:latest", "ubuntu:22.04", "python:3.9",
                                 "node:14", "nginx:latest"])
def test_debian_family_var_run_and_var_lock_are_links_into_run(ref):
    # the official Debian and Ubuntu images (`ls -l /var`): run -> /run, lock -> /run/lock (mode 1777)
    tree = fs(f"docker.io/library/{ref}")
    assert tree.stat("/var/run", follow=False).target == "/run"
    assert tree.stat("/var/lock", follow=False).target == "/run/lock"
    assert tree.stat("/run/lock").mode == 0o1777
