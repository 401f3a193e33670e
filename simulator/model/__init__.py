"""The data model: immutable layers and images, references, units, the clock and events.

Nothing in this package knows about commands, backends or display.
"""
