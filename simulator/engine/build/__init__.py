"""The classic Dockerfile builder (Docker 20.10 with `DOCKER_BUILDKIT=0`)."""

from .builder import Builder, BuildResult
from .context import ContextError

__all__ = ["Builder", "BuildResult", "ContextError"]
