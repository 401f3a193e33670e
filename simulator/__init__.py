"""simulator: a deterministic in-memory model of Docker Engine 20.10 for teaching images and containers."""

__version__ = "0.1.0"
