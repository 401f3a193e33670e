"""The offline catalogue of base images: what the simulated Docker Hub serves.

`get("docker.io/library/node:14")` -> `(Image, [Layer])` (layers base first), built on first
use and cached (a layer's diffID hashes its synthetic bytes: ~1 s per GB). `REFS` lists the
fully qualified references in the catalogue; `images()` builds them all.

The images are synthetic (declared in docs/fidelity.md): their layer counts, sizes, configs
(Env, Cmd, Entrypoint, ExposedPorts, StopSignal, Labels), history and key files follow the
official images of the date in each config, but file contents are stand-ins
(`Content.synthetic`), so IDs and digests differ from Docker Hub's. `busybox:latest` holds
exactly the file list of the conformance engines' imported image (see `busybox.py`), with
the Hub image's config and history; `imported_busybox` is that imported image itself.
"""

from __future__ import annotations

from typing import Callable

from ....model.image import Image
from ....model.layer import Content, Entry, Kind, Layer
from . import busybox as _busybox
from . import distros, stacks
from .recipe import DEFAULT_PATH, Step, build, nop

Built = tuple[Image, list[Layer]]

def imported_busybox(created: str, base: Layer | None = None) -> Built:
    """busybox:latest as `docker import --change 'CMD ["sh"]'` makes it at `created` (RFC 3339):
    the image every conformance engine starts with. `base`: its layer, if not the catalogue's."""
    base = base or _busybox.layer()
    return _busybox.imported(created, base.diff_id), [base]


def _busybox_hub(base: Layer | None = None) -> Built:
    """busybox:latest as Docker Hub serves it: the rootfs added by the official image's
    Dockerfile (`ADD file:<sha256> in / `, then `CMD ["sh"]`) with the default PATH.
    `base`: its layer, if not the catalogue's (the Linux executor's holds a real busybox)."""
    steps = [stacks.add_base(base or _busybox.layer(), "2023-07-18T23:19:33.538571854Z"), nop('CMD ["sh"]')]
    return build(steps, {"Env": [DEFAULT_PATH], "Cmd": ["sh"]}, "2023-07-18T23:19:33.655005962Z")


def _hello_world() -> Built:
    """hello-world:latest (May 2023, amd64): one layer holding the static `/hello` (13,256 bytes)."""
    hello = Layer.of({"/hello": Entry(Kind.FILE, 0o775, content=Content.synthetic(13_256, "hello"))})
    steps = [Step("/bin/sh -c #(nop) COPY file:201f8f1849e89d53be9f6aa76937f5e209d745abfd15a8552fcf2ba45ab267f9 in / ",
                  hello, "2023-05-02T16:49:27.734962707Z"),
             nop('CMD ["/hello"]')]
    return build(steps, {"Env": [DEFAULT_PATH], "Cmd": ["/hello"]}, "2023-05-02T16:49:27.904783885Z")


def _alpine() -> Built:
    base = distros.alpine()
    steps = [stacks.add_base(base, "2023-12-08T01:20:49.521423561Z"), nop('CMD ["/bin/sh"]')]
    return build(steps, {"Env": [DEFAULT_PATH], "Cmd": ["/bin/sh"]}, "2023-12-08T01:20:49.650316165Z")


def _debian() -> Built:
    steps = stacks.bookworm_buildpack()[:2]
    return build(steps, {"Env": [DEFAULT_PATH], "Cmd": ["bash"]}, "2024-01-11T01:20:40.547289734Z")


def _ubuntu() -> Built:
    created = "2024-01-11T17:40:27.578493283Z"
    labels = {"org.opencontainers.image.ref.name": "ubuntu", "org.opencontainers.image.version": "22.04"}
    steps = [nop("ARG RELEASE"), nop("ARG LAUNCHPAD_BUILD_ARCH"),
             nop("LABEL org.opencontainers.image.ref.name=ubuntu"),
             nop("LABEL org.opencontainers.image.version=22.04"),
             stacks.add_base(distros.ubuntu_jammy(), "2024-01-11T17:40:27.178342731Z"),
             nop('CMD ["/bin/bash"]')]
    return build(steps, {"Env": [DEFAULT_PATH], "Cmd": ["/bin/bash"], "Labels": labels}, created)


# repository -> {tag: recipe}; several tags may name one image, as on Docker Hub
_RECIPES: dict[str, dict[str, Callable[[], Built]]] = {
    "busybox": {"latest": _busybox_hub},
    "hello-world": {"latest": _hello_world},
    "alpine": dict.fromkeys(["latest", "3.19", "3.19.0"], _alpine),
    "debian": dict.fromkeys(["latest", "bookworm", "12"], _debian),
    "ubuntu": dict.fromkeys(["latest", "22.04", "jammy"], _ubuntu),
    "python": {**dict.fromkeys(["3.9", "3.9.18"], stacks.python39),
               **dict.fromkeys(["latest", "3", "3.12", "3.12.1"], stacks.python312)},
    "node": dict.fromkeys(["14", "14.21.3", "fermium"], stacks.node14),
    "nginx": dict.fromkeys(["latest", "1.23", "1.23.4"], stacks.nginx),
}

REFS: tuple[str, ...] = tuple(sorted(f"docker.io/library/{repo}:{tag}"
                                     for repo, tags in _RECIPES.items() for tag in tags))
_cache: dict[object, Built] = {}


def repositories() -> list[str]:
    """Fully qualified names of the catalogue's repositories: `docker.io/library/node`, ..."""
    return sorted(f"docker.io/library/{repo}" for repo in _RECIPES)


def tags(name: str) -> list[str]:
    """The tags of repository `name` (fully qualified), or [] if it is not in the catalogue."""
    prefix = "docker.io/library/"
    return sorted(_RECIPES.get(name[len(prefix):], {})) if name.startswith(prefix) else []


def get(ref: str, busybox: Layer | None = None) -> Built | None:
    """The image and layers of a fully qualified `repo:tag`, or None if not in the catalogue.
    `busybox`: the layer busybox:latest is made of, if not the catalogue's."""
    name, _, tag = ref.rpartition(":")
    prefix = "docker.io/library/"
    recipe = _RECIPES.get(name[len(prefix):], {}).get(tag) if name.startswith(prefix) else None
    if recipe is None:
        return None
    key = (recipe, busybox.diff_id) if busybox is not None and recipe is _busybox_hub else recipe
    if key not in _cache:
        _cache[key] = recipe(busybox) if key is not recipe else recipe()
    image, layers = _cache[key]
    return image, list(layers)


def images() -> dict[str, Built]:
    """Every catalogue image by fully qualified reference (builds all of them: a few seconds)."""
    return {ref: get(ref) for ref in REFS}


__all__ = ["REFS", "Built", "Step", "get", "images", "imported_busybox",
           "repositories", "tags"]
