"""Small tools to write base images down as data.

A layer is written as a table of files (`files("usr/bin: bash=1265648 dash=125560")`),
literal text files, symlinks and directories, padded to the real layer's size with a few
bulk files (shared libraries, docs) so that `docker images` shows realistic sizes.
An image is a list of `Step`s (a Dockerfile line and the layer it made, if any) with a
config, from which `build` writes an OCI config whose history mirrors the real image's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from ....model.image import EMPTY_RUN_CONFIG, Image
from ....model.layer import Content, Entry, Kind, Layer, directory, file, normpath, parents, symlink

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def files(table: str, mode: int = 0o755) -> dict[str, Entry]:
    """Synthetic files from a table: `dir: name=size name=size ...` per line; the label of
    each file is its name (the program it stands for)."""
    out: dict[str, Entry] = {}
    for line in table.strip().splitlines():
        folder, _, items = line.partition(":")
        for item in items.split():
            name, _, size = item.partition("=")
            out[normpath(f"{folder.strip()}/{name}")] = Entry(
                Kind.FILE, mode, content=Content.synthetic(int(size), name))
    return out


def links(table: str) -> dict[str, Entry]:
    """Symlinks from a table: `dir: name->target name->target ...` per line."""
    out: dict[str, Entry] = {}
    for line in table.strip().splitlines():
        folder, _, items = line.partition(":")
        for item in items.split():
            name, _, target = item.partition("->")
            out[normpath(f"{folder.strip()}/{name}")] = symlink(target)
    return out


def texts(mapping: Mapping[str, str], mode: int = 0o644) -> dict[str, Entry]:
    return {normpath(path): file(text, mode=mode) for path, text in mapping.items()}


def dirs(paths: Iterable[str], mode: int = 0o755) -> dict[str, Entry]:
    return {normpath(p): directory(mode) for p in paths}


def layer(*parts: Mapping[str, Entry], size: int = 0, bulk: str = "/usr/lib/x86_64-linux-gnu",
          label: str = "data") -> Layer:
    """A layer of `parts` (later parts win), with every missing parent directory added
    (as in a real layer tar) and, if `size` is given, padded up to exactly `size` bytes
    of DiffSize with four bulk files `<bulk>/<label>-<n>.so` (or the nearest files)."""
    entries: dict[str, Entry] = {}
    for part in parts:
        entries.update(part)
    if size:
        missing = size - sum(e.size for e in entries.values())
        if missing < 0:
            raise ValueError(f"layer content is {-missing} bytes over its size {size}")
        share, extra = divmod(missing, 4)
        for n in range(4):
            amount = share + (extra if n == 0 else 0)
            if amount:
                path = f"{bulk}/{label}-{n}.so"
                entries[path] = Entry(Kind.FILE, 0o644, content=Content.synthetic(amount, f"{label}-{n}"))
    for path in list(entries):
        for parent in parents(path):
            entries.setdefault(parent, directory())
    return Layer.of(entries)


@dataclass(frozen=True)
class Step:
    """One line of the image's build: `created_by` as `docker history` shows it, the layer it
    made (None for a metadata-only step) and when."""

    created_by: str
    layer: Layer | None = None
    created: str = ""
    comment: str = ""


def nop(instruction: str, created: str = "") -> Step:
    """A metadata step as the classic builder records it: `/bin/sh -c #(nop)  CMD [...]`."""
    return Step(f"/bin/sh -c #(nop)  {instruction}", None, created)


def build(steps: list[Step], config: Mapping, created: str,
          docker_version: str = "20.10.23") -> tuple[Image, list[Layer]]:
    """The image config (and its layers, base first) of a pulled image built from `steps`.

    `config` overrides fields of the empty run config (`Env`, `Cmd`, ...); steps without a
    time are dated `created`, the image's own time (the last step's)."""
    history, layers = [], []
    for step in steps:
        entry = {"created": step.created or created, "created_by": step.created_by}
        if step.comment:
            entry["comment"] = step.comment
        if step.layer is None:
            entry["empty_layer"] = True
        else:
            layers.append(step.layer)
        history.append(entry)
    image = Image.from_config({
        "architecture": "amd64",
        "config": dict(EMPTY_RUN_CONFIG, **config),
        "created": created,
        "docker_version": docker_version,
        "history": history,
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [l.diff_id for l in layers]},
    })
    return image, layers
