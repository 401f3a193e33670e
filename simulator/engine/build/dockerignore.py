""".dockerignore: reading the file and matching paths against its patterns.

Follows Docker 20.10: `cli/command/image/build/dockerignore.go` (`ReadAll`) reads the
lines, and `pkg/fileutils.PatternMatcher` matches them. Each pattern becomes a regular
expression (`*` and `?` stop at `/`, `**` crosses directories, `\\` escapes, `[...]`
is a character class), a path matches when it or one of its parent directories
matches, and the last matching pattern wins (`!pattern` re-includes).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache

BOM = "\ufeff"


class PatternError(ValueError):
    """A pattern Docker rejects (`illegal exclusion pattern: "!"`, a bad `[` class)."""


def read_patterns(text: str) -> list[str]:
    """The patterns of a .dockerignore file, as `dockerignore.ReadAll` returns them:
    comments (`#` in column 0) and blank lines dropped, whitespace trimmed, each
    pattern cleaned and stripped of a leading `/`, `!` kept in front."""
    out = []
    for number, line in enumerate(text.splitlines()):
        if number == 0:
            line = line.removeprefix(BOM)
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = posixpath.normpath(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        out.append("!" + pattern if invert else pattern)
    return out


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern:
    """`fileutils.Pattern.compile`: the pattern as an anchored regular expression."""
    regex = "^"
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 1
                if i + 1 < n and pattern[i + 1] == "/":
                    i += 1
                regex += ".*" if i + 1 >= n else "(.*/)?"
            else:
                regex += "[^/]*"
        elif ch == "?":
            regex += "[^/]"
        elif ch in ".$":
            regex += "\\" + ch
        elif ch == "\\":
            if i + 1 < n:
                i += 1
                regex += "\\" + pattern[i]
            else:
                regex += "\\\\"
        else:
            regex += ch
        i += 1
    try:
        return re.compile(regex + "$", re.DOTALL)
    except re.error as err:
        raise PatternError(f"syntax error in pattern {pattern}: {err}") from None


@dataclass(frozen=True)
class Pattern:
    text: str           # cleaned, without the `!`
    exclusion: bool     # a `!` pattern: re-include what it matches

    @property
    def dirs(self) -> list[str]:
        return self.text.split("/")

    def match(self, path: str) -> bool:
        return _compile(self.text).match(path) is not None


class PatternMatcher:
    """`fileutils.PatternMatcher` over context-relative, slash-separated paths."""

    def __init__(self, patterns: list[str]):
        self.patterns: list[Pattern] = []
        for raw in patterns:
            text = raw.strip()
            if not text:
                continue
            text = posixpath.normpath(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise PatternError('illegal exclusion pattern: "!"')
                text = text[1:]
            _compile(text)
            self.patterns.append(Pattern(text, exclusion))

    @property
    def exclusions(self) -> bool:
        return any(p.exclusion for p in self.patterns)

    def matches(self, path: str) -> bool:
        """True when `path` is excluded: the last pattern matching it (or one of its
        parent directories, compared at the pattern's depth) is not a `!` pattern."""
        matched = False
        parent = posixpath.dirname(path) or "."
        parent_dirs = parent.split("/")
        for pattern in self.patterns:
            hit = pattern.match(path)
            if not hit and parent != "." and len(pattern.dirs) <= len(parent_dirs):
                hit = pattern.match("/".join(parent_dirs[: len(pattern.dirs)]))
            if hit:
                matched = not pattern.exclusion
        return matched


def matches(path: str, patterns: list[str]) -> bool:
    """`fileutils.Matches(file, patterns)`."""
    return PatternMatcher(patterns).matches(posixpath.normpath(path))
