"""Runtime backends: where filesystems are materialised and processes run.

The engine talks to a backend only through `Backend` (backend/base.py), modelled on
containerd's snapshotter (prepare / view / commit / remove) and an OCI runtime (start /
signal / state). `MemoryBackend` is the default: union views in memory, simulated
programs, virtual time.
"""
