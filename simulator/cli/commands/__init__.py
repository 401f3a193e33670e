"""Docker's commands, one module per area; importing this package registers them all."""

from . import build, containers, image_load, images, registry, system, volumes  # noqa: F401  (registration)
