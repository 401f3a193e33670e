"""Step-through: the engine's events recorded with a snapshot of the state after each one."""

from .trace import Cursor, DetachedBus, Step, Trace, snapshot

__all__ = ["Cursor", "DetachedBus", "Step", "Trace", "snapshot"]
