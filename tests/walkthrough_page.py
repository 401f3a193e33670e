"""The seed walkthrough played and exported once per test session (about 15 s), shared by
tests/test_html_export.py and tests/test_browser.py; plus a reader for the page's parts."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from simulator.viz import html

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGH = ROOT / "examples" / "seed-walkthrough" / "walkthrough.txt"


@functools.cache
def walkthrough() -> tuple[html.Walkthrough, html.Export]:
    page = html.record(str(WALKTHROUGH))
    return page, html.export(page)


def page_data(text: str) -> dict:
    """The JSON the page's script reads (steps, commands)."""
    found = re.search(r'<script type="application/json" id="steps-data">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def templates(text: str) -> dict[int, str]:
    """SVG number -> the content of its <template id="svg-N">."""
    return {int(n): body for n, body in re.findall(r'<template id="svg-(\d+)">(.*?)</template>', text, re.S)}
