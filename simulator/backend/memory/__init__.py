"""The in-memory backend: union views in memory, a simulated shell and programs."""
