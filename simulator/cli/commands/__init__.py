"""Docker's commands, one module per area; importing this package registers them all."""

import importlib

AREAS = ("images", "build", "containers", "volumes", "system", "registry")

for _area in AREAS:
    try:
        importlib.import_module("%s.%s" % (__name__, _area))
    except ModuleNotFoundError as _e:
        if _e.name != "%s.%s" % (__name__, _area):
            raise
