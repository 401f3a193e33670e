"""`docker inspect --format`: docker/cli 20.10 `cli/command/inspect/inspector.go`.

The template runs first on the typed object (Go structs: a missing field is an error, a
missing key of a map field prints `<no value>`); if that fails, it runs again on the raw
JSON decoded as maps with `missingkey=error` (`tryRawInspectFallback`), and if that fails
too the error is `Template parsing error: <the raw run's error>`.
"""

from __future__ import annotations

import copy

from .gotemplate import Struct, Template, TemplateError


def execute(template: Template, typed, raw: dict) -> str:
    """The template's text for one object; TemplateError with the inspector's wording."""
    try:
        return template.execute(typed)
    except TemplateError:
        pass
    strict = copy.copy(template)
    strict.missing_key_error = True
    try:
        return strict.execute(raw)
    except TemplateError as err:
        raise TemplateError(f"Template parsing error: {err}") from None


# types.ContainerJSON's struct fields (moby api/types): everything else is a map, slice or value.
_CONTAINER_STRUCTS = {"State": "*types.ContainerState", "HostConfig": "*container.HostConfig",
                      "GraphDriver": "types.GraphDriverData", "Config": "*container.Config",
                      "NetworkSettings": "*types.NetworkSettings"}


def container_typed(raw: dict) -> Struct:
    """A container's inspect dict as Go sees it: types.ContainerJSON and its struct fields."""
    out = Struct("types.ContainerJSON")
    for key, value in raw.items():
        is_struct = key in _CONTAINER_STRUCTS and isinstance(value, dict)
        out[key] = Struct(_CONTAINER_STRUCTS[key], value) if is_struct else value
    if isinstance(raw.get("Mounts"), list):   # []types.MountPoint: `json` keeps the field order
        out["Mounts"] = [Struct("types.MountPoint", m) for m in raw["Mounts"]]
    return out
