"""The docker-compatible command line: `python -m simulator docker ...` and `python -m simulator play FILE`."""
