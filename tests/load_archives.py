"""Image archives built by hand for `docker load` tests: `docker save` archives and OCI layouts.

Everything here is plain `tarfile` and `json`, independent of the simulator, so the tests can
compute what the daemon must answer (image ID = sha256 of the config bytes, diffID = sha256 of
the uncompressed layer tar) from the same bytes. The conformance scenario `load-archive` uses
`write_scenario_archives(folder)`; its committed files must equal what this module writes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

MTIME = 1600000000            # 2020-09-13T12:26:40Z, the members' mtime
CREATED = "2020-09-13T12:26:40Z"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar(members: list[tuple]) -> bytes:
    """A PAX tar of (name, kind, value[, mode]) members: kind "file" (bytes), "dir", "symlink"
    (target), "hardlink" (target), "char" (a /dev/null-like device)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, value, *mode in members:
            info = tarfile.TarInfo(name)
            info.mtime = MTIME
            if kind == "file":
                info.size, info.mode = len(value), (mode[0] if mode else 0o644)
                t.addfile(info, io.BytesIO(value))
                continue
            info.type, info.mode = {"dir": (tarfile.DIRTYPE, 0o755), "symlink": (tarfile.SYMTYPE, 0o777),
                                    "hardlink": (tarfile.LNKTYPE, 0o644), "char": (tarfile.CHRTYPE, 0o666)}[kind]
            if kind in ("symlink", "hardlink"):
                info.linkname = value
            if kind == "char":
                info.devmajor, info.devminor = 1, 3
            t.addfile(info)
    return buf.getvalue()


GREETING = tar([("etc/", "dir", None), ("etc/greeting", "file", b"hello from a loaded image\n")])
GREETING_V2 = tar([("etc/", "dir", None), ("etc/greeting", "file", b"hello again\n")])
# A layer with programs the in-memory backend runs (by their names): busybox and two applet links,
# one of them absolute (a link resolves inside the container's root).
TOOLS = tar([("bin/", "dir", None), ("bin/busybox", "file", b"\x7fELF busybox stand-in\n", 0o755),
             ("bin/sh", "symlink", "busybox"), ("bin/cat", "symlink", "/bin/busybox")])


def config(diff_ids: list[str], cmd=("/bin/sh",), created: str = CREATED, history=None, **extra) -> bytes:
    """Config JSON bytes in Go's field order for the keys given (the ID is their sha256)."""
    body = {"architecture": "amd64", "os": "linux", "created": created,
            "config": {"Cmd": list(cmd), "Env": ["PATH=/usr/bin:/bin"]},
            "history": history if history is not None else [{"created": created, "created_by": "hand-built layer"}
                                                            for _ in diff_ids],
            "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    body.update(extra)
    return json.dumps(body, separators=(",", ":")).encode()


def docker_archive(layers: list[bytes], tags=("greet:latest",), cfg: bytes | None = None,
                   manifest=None, extra: list[tuple] = ()) -> bytes:
    """A `docker save` archive: `<id>.json`, `<v1 id>/layer.tar` per layer, `manifest.json`,
    `repositories`; `manifest` replaces the generated manifest list, `extra` adds members."""
    cfg = cfg if cfg is not None else config([sha(layer) for layer in layers])
    cfg_name = sha(cfg)[7:] + ".json"
    members: list[tuple] = [(cfg_name, "file", cfg)]
    names = []
    for n, layer in enumerate(layers):
        folder = hashlib.sha256(b"v1 %d " % n + layer).hexdigest()
        members += [(folder + "/", "dir", None), (folder + "/VERSION", "file", b"1.0"),
                    (folder + "/layer.tar", "file", layer)]
        names.append(folder + "/layer.tar")
    items = manifest if manifest is not None else [{"Config": cfg_name, "RepoTags": list(tags), "Layers": names}]
    members.append(("manifest.json", "file", json.dumps(items).encode()))
    repos = {}
    for text in tags:
        repo, _, tag = text.rpartition(":")
        repos.setdefault(repo, {})[tag] = names[-1].split("/")[0] if names else ""
    members.append(("repositories", "file", json.dumps(repos).encode()))
    return tar(members + list(extra))


def descriptor(media_type: str, data: bytes, annotations: dict | None = None, **extra) -> dict:
    out = {"mediaType": media_type, "digest": sha(data), "size": len(data), **extra}
    if annotations:
        out["annotations"] = annotations
    return out


OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def oci_layout(layers: list[bytes], annotations: dict | None = None, gz: bool = True,
               cfg: bytes | None = None, nested: bool = False, blob_edit=None) -> bytes:
    """An OCI image layout archive with one image; `nested` puts its manifest in an index with
    a linux/arm64 decoy; `blob_edit(name, data) -> data` changes a blob's stored bytes."""
    cfg = cfg if cfg is not None else config([sha(layer) for layer in layers])
    blobs = [gzip.compress(layer, mtime=0) if gz else layer for layer in layers]
    layer_type = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else "")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": descriptor("application/vnd.oci.image.config.v1+json", cfg),
                           "layers": [descriptor(layer_type, b) for b in blobs]}).encode()
    stored = [cfg, manifest, *blobs]
    top = descriptor(OCI_MANIFEST, manifest, annotations)
    if nested:
        decoy = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {}, "layers": []}).encode()
        inner = json.dumps({"schemaVersion": 2, "manifests": [
            descriptor(OCI_MANIFEST, decoy, platform={"architecture": "arm64", "os": "linux"}),
            descriptor(OCI_MANIFEST, manifest, platform={"architecture": "amd64", "os": "linux"})]}).encode()
        stored += [decoy, inner]
        top = descriptor(OCI_INDEX, inner, annotations)
    index = json.dumps({"schemaVersion": 2, "manifests": [top]}).encode()
    members: list[tuple] = [("oci-layout", "file", b'{"imageLayoutVersion":"1.0.0"}'),
                            ("index.json", "file", index), ("blobs/", "dir", None), ("blobs/sha256/", "dir", None)]
    for data in stored:
        name = "blobs/sha256/" + sha(data)[7:]
        members.append((name, "file", blob_edit(name, data) if blob_edit else data))
    return tar(members)


# -- the conformance scenario's archives ------------------------------------------------------------
def scenario_archives() -> dict[str, bytes]:
    """File name -> bytes of the archives tests/conformance/scenarios/load-archive loads."""
    greet_cfg = config([sha(GREETING)])
    return {
        "greet.tar": docker_archive([GREETING]),
        "greet-v2.tar": docker_archive([GREETING_V2], tags=("greet:latest", "greet:2")),
        "greet-untagged.tar": docker_archive([GREETING], tags=(), cfg=config([sha(GREETING)], cmd=("/bin/true",))),
        "greet.tar.gz": gzip.compress(docker_archive([GREETING], tags=("greet:gz",)), mtime=0),
        "not-a-tar.txt": b"this is not a tar archive\n",
        "truncated.tar": docker_archive([GREETING])[:1500],
        "bad-diffid.tar": docker_archive([GREETING], cfg=config([sha(b"something else")])),
        "layers-mismatch.tar": docker_archive([GREETING, GREETING_V2], cfg=greet_cfg),
        "windows.tar": docker_archive([GREETING], cfg=config([sha(GREETING)], os="windows")),
        "bad-tag.tar": docker_archive([GREETING], tags=("greet",)),
    }


def write_scenario_archives(folder) -> None:
    for name, data in scenario_archives().items():
        with open(f"{folder}/{name}", "wb") as f:
            f.write(data)
