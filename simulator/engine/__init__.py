"""The engine: the one place where operations happen. See `Engine`."""

from .engine import Engine

__all__ = ["Engine"]
