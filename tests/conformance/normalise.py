"""Normalise a scenario transcript so a real engine's and the simulator's can be compared.

    normalise(text, scratch=("/tmp/scenario-x/demo",)) -> str

A transcript (see README.md) is `$ <command>` lines, each followed by the command's
merged output and an optional `[exit N]`.  Only what a real engine cannot reproduce
from one run to the next is normalised; every other difference is a real difference:

- 64-hex and 12-hex IDs become `<id1>`, `<id2>` ... numbered by first appearance; a
  12-hex short ID and the 64-hex ID it begins share a number (`sha256:` is kept), so
  repeated IDs and build-cache hits are still checked.
- Auto-generated container names (`<adjective>_<surname>`, moby
  pkg/namesgenerator) become `<name1>` ...; a name given on a command line is kept.
- Go `units.HumanDuration` phrases after `Up ` or before ` ago` become `<dur>`; RFC 3339
  times and Go `time.Time.String()` times become `<time>` (the zero time
  `0001-01-01T00:00:00Z` is kept: it means "never").
- Tables printed by the CLI's tabwriter (a header of upper-case column names
  separated by 2+ spaces) are split at the header's column starts and their cells
  joined with ` | `, since column widths follow the normalised cells; a row that does
  not line up with its header has its runs of 2+ spaces outside double quotes
  collapsed instead.
- Row orders the engine does not fix are sorted: `docker diff` lines, every listing of
  `docker images` / `docker image ls` and the image table of `docker system df -v`
  (rows are ordered by creation second, ties in map order, and durations are
  placeholders), the volume table of `docker system df -v` (map order), the
  `untagged:`/`deleted:` ... lines of each `Deleted ...:` section of a `prune` (map
  order), and push/pull per-layer progress lines (grouped per layer, each layer's lines
  kept in order).
- The `"Labels":"k=v,..."` string of a `{{json .}}` row, and a `k=v,...` list ending a
  line printed by a `--format` with `{{.Labels}}`, have their pairs sorted: docker/cli
  joins them while ranging over a Go map (formatter/container.go `Labels()`), so two
  listings of one container differ.
- Host artefacts go: `\\r`, pull progress `<layer>: Verifying Checksum` lines (printed or
  not, as the download's timing goes), runc's `time="..." level=error msg="error waiting for
  container: context canceled"` lines, the daemon's "IPv4 forwarding is disabled"
  warnings, the scratch folder (`<tmpdir>/scenario-XXXX/<name>` or a path in `scratch`)
  which becomes `<scratch>`, the private daemon's data root (`.../dockerconf-XXXX/data`),
  which becomes Docker's default `/var/lib/docker`, and the DNS resolver address in lookup errors, which
  becomes `<resolver>`.

ANSI colour escapes (the classic builder wraps RUN stderr in `\\x1b[91m` ... `\\x1b[0m`)
are kept.  Command lines (`$ ...`) are kept verbatim.
"""

from __future__ import annotations

import re
from typing import Iterable

ZERO_TIME = "0001-01-01T00:00:00Z"
CELL = " | "

_ID = re.compile(r"(?<![0-9A-Za-z])([0-9a-f]{64}|[0-9a-f]{12})(?![0-9A-Za-z])")
_NAME = re.compile(r"(?:(?<=^/)|(?<=[\s\"'\[]/)|(?<![\w./$:@-]))"   # `/name` as .Name prints it
                   r"([a-z]{2,}_[a-z]{2,}\d*)(?![\w./:@(-])")
_DURATION = (r"(?:Less than a second|About a minute|About an hour"
             r"|\d+ (?:second|minute|hour|day|week|month|year)s?)")
_UP = re.compile(r"\bUp " + _DURATION)
_AGO = re.compile(_DURATION + r" ago\b")
_RFC3339 = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_GO_TIME = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4} [A-Z]+\b")
_SCRATCH = re.compile(r"(?:/[\w.-]+)*/scenario-\w+/[\w.-]+")  # mkdtemp(prefix="scenario-")
# the private daemon's --data-root (realengine.py mkdtemp(prefix="dockerconf-") + /data)
_DATA_ROOT = re.compile(r"(?:/[\w.-]+)*/dockerconf-\w+/data(?=/)")
_RESOLVER = re.compile(r"\blookup \S+ on (\[[0-9a-fA-F:.]+\]:\d+|[0-9.]+:\d+)")
_NOISE = (
    re.compile(r'time="[^"]*" level=error msg="error waiting for container: context canceled"'),
    re.compile(r"(?: ---> \[Warning\] |WARNING: )IPv4 forwarding is disabled\. "
               r"Networking will not work\."),
    re.compile(r"[0-9a-f]{12}: Verifying Checksum"),  # printed or not, as the pull's timing goes
)
_LABELS = re.compile(r'("Labels":")((?:[^"\\]|\\.)*)"')  # a `{{json .}}` row's Labels
_LABELS_FIELD = re.compile(r"\{\{\s*\.Labels\s*\}\}")  # a --format with the joined labels
_LABEL_LIST = re.compile(r"[\w.-]+=[^,]*(?:,[\w.-]+=[^,]*)+$")
_HEADER = re.compile(r"[A-Z][A-Z0-9 %/.]*[A-Z0-9%]")
_PROGRESS = re.compile(r"([0-9a-f]{12}): ")
_DIFF = re.compile(r"docker (?:container )?diff\b")
_IMAGES = re.compile(r"docker (?:images|image ls|image list)\b")
_PRUNE = re.compile(r"docker (?:\w+ )?prune\b")
_DELETED = re.compile(r"Deleted [A-Z][\w ]*:")
_UNORDERED_TABLES = ("REPOSITORY", "VOLUME NAME")  # first header cell
_EXIT = re.compile(r"\[exit \d+\]")
_WORD = re.compile(r"[\w.-]+")


class Normaliser:
    """Numbering state shared by one transcript's commands."""

    def __init__(self, scratch: Iterable[str] = ()):
        self.ids: dict[str, int] = {}      # 12-hex prefix -> number
        self.names: dict[str, int] = {}
        self.chosen: set[str] = set()      # words typed on command lines
        self.scratch = sorted((p.rstrip("/") for p in scratch if p), key=len, reverse=True)

    # -- tokens -------------------------------------------------------------------------

    def _id(self, match: re.Match, assign: bool) -> str:
        key = match.group(1)[:12]
        if key not in self.ids:
            if not assign:
                return "<id?>"
            self.ids[key] = len(self.ids) + 1
        return "<id%d>" % self.ids[key]

    def _name(self, match: re.Match, assign: bool) -> str:
        name = match.group(1)
        if name in self.chosen:
            return name
        if name not in self.names:
            if not assign:
                return "<name?>"
            self.names[name] = len(self.names) + 1
        return "<name%d>" % self.names[name]

    def text(self, s: str, assign: bool = True) -> str:
        """Normalise the tokens of one line or cell (assign=False: unseen IDs -> `<id?>`)."""
        for path in self.scratch:
            s = s.replace(path, "<scratch>")
        s = _SCRATCH.sub("<scratch>", s)
        s = _DATA_ROOT.sub("/var/lib/docker", s)
        resolver = _RESOLVER.search(s)
        if resolver:
            s = s.replace(resolver.group(1), "<resolver>")
        s = _RFC3339.sub(lambda m: m.group(0) if m.group(0) == ZERO_TIME else "<time>", s)
        s = _GO_TIME.sub("<time>", s)
        s = _UP.sub("Up <dur>", s)
        s = _AGO.sub("<dur> ago", s)
        s = _LABELS.sub(lambda m: m.group(1) + ",".join(sorted(m.group(2).split(","))) + '"', s)
        s = _ID.sub(lambda m: self._id(m, assign), s)
        return _NAME.sub(lambda m: self._name(m, assign), s)

    # -- one command's output ---------------------------------------------------------------

    def command(self, line: str, output: list[str]) -> list[str]:
        """Normalise the output lines of command `line` (without its `$ `)."""
        self.chosen.update(_WORD.findall(line))
        output = [o for o in output if not any(n.fullmatch(o) for n in _NOISE)]
        if _LABELS_FIELD.search(line):
            output = [_LABEL_LIST.sub(lambda m: ",".join(sorted(m.group(0).split(","))), o)
                      for o in output]
        status = [output.pop()] if output and _EXIT.fullmatch(output[-1]) else []
        rows = _split_tables(output)        # str lines and (kind, cells) table rows
        sort_all = bool(_DIFF.match(line) or _IMAGES.match(line))
        prune = bool(_PRUNE.match(line))

        def deleted(row) -> bool:  # the head of a prune's `Deleted Images:` ... section
            return prune and isinstance(row, str) and bool(_DELETED.fullmatch(row))

        out: list[str] = []
        i = 0
        while i < len(rows):
            j = i
            if isinstance(rows[i], str) and _PROGRESS.match(rows[i]):
                while j < len(rows) and isinstance(rows[j], str) and _PROGRESS.match(rows[j]):
                    j += 1
                out += self._progress(rows[i:j])
            elif isinstance(rows[i], tuple) and rows[i][0] == "header":
                out.append(CELL.join(rows[i][1]))
                j = i + 1
                while j < len(rows) and isinstance(rows[j], tuple) and rows[j][0] == "row":
                    j += 1
                body = [CELL.join(cells).rstrip() for _, cells in rows[i + 1:j]]
                unordered = sort_all or rows[i][1][0] in _UNORDERED_TABLES
                out += self._sorted(body) if unordered else [self.text(b) for b in body]
            elif deleted(rows[i]):
                j = i + 1
                while j < len(rows) and isinstance(rows[j], str) and rows[j]:
                    j += 1
                out += [rows[i]] + self._sorted(rows[i + 1:j])
            else:
                while (j < len(rows) and isinstance(rows[j], str) and not _PROGRESS.match(rows[j])
                       and (j == i or not deleted(rows[j]))):
                    j += 1
                plain = rows[i:j]
                out += self._sorted(plain) if sort_all else [self.text(p) for p in plain]
            i = j
        return out + status

    def _sorted(self, lines: list[str]) -> list[str]:
        """Sort lines whose order is arbitrary; unseen IDs are numbered in sorted order."""
        ordered = sorted(lines, key=lambda s: self.text(s, assign=False))
        return sorted(self.text(s) for s in ordered)

    def _progress(self, lines: list[str]) -> list[str]:
        """Group per-layer progress lines by layer; new layers numbered by their statuses."""
        by_layer: dict[str, list[str]] = {}
        for s in lines:
            by_layer.setdefault(s[:12], []).append(s)
        known = [k for k in by_layer if k in self.ids]
        new = sorted((k for k in by_layer if k not in self.ids),
                     key=lambda k: [self.text(s[12:], assign=False) for s in by_layer[k]])
        for k in new:
            self.ids[k] = len(self.ids) + 1
        layers = sorted(known + new, key=lambda k: self.ids[k])
        return [self.text(s) for k in layers for s in by_layer[k]]


def _columns(header: str) -> list[int]:
    return [i for i, ch in enumerate(header)
            if ch != " " and (i == 0 or header[max(0, i - 2):i] == "  ")]


def _cells(row: str, starts: list[int]) -> list[str] | None:
    """Cut a tabwriter row at the header's column starts; None if it does not line up."""
    for s in starts[1:]:
        if len(row) > s and row[s - 2:s] != "  ":
            return None
    bounds = starts + [max(len(row), starts[-1])]
    return [row[a:b].rstrip() for a, b in zip(bounds, bounds[1:])]


def _collapse(row: str) -> list[str]:
    """Split a row at runs of 2+ spaces that are outside double quotes."""
    cells, current, quoted, k = [], "", False, 0
    row = row.rstrip()
    while k < len(row):
        ch = row[k]
        if ch == '"':
            quoted = not quoted
        if ch == " " and not quoted and row[k:k + 2] == "  ":
            while k < len(row) and row[k] == " ":
                k += 1
            cells.append(current)
            current = ""
            continue
        current += ch
        k += 1
    return cells + [current]


def _split_tables(lines: list[str]) -> list:
    """Mark table headers and rows: ("header", cells) / ("row", cells); other lines stay str."""
    out: list = []
    starts: list[int] | None = None
    for line in lines:
        if starts is not None and line.strip():
            out.append(("row", _cells(line, starts) or _collapse(line)))
            continue
        starts = None
        if _HEADER.fullmatch(line) and "  " in line:
            starts = _columns(line)
            out.append(("header", _cells(line, starts)))
        else:
            out.append(line)
    return out


def split_commands(text: str) -> list[tuple[str | None, list[str]]]:
    """[(command line without `$ `, output lines)]; output before any command has None."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.split("\n"):
        if line.startswith("$ "):
            blocks.append((line[2:], []))
        else:
            blocks[-1][1].append(line)
    if blocks[-1][1] and blocks[-1][1][-1] == "":
        blocks[-1][1].pop()
    return blocks if blocks[0][1] else blocks[1:]


def normalise(text: str, scratch: Iterable[str] = ()) -> str:
    """The normalised transcript (see the module docstring); ends with a newline."""
    state = Normaliser(scratch)
    out: list[str] = []
    for line, output in split_commands(text.replace("\r", "")):
        if line is not None:
            out.append("$ " + line)
        out += state.command(line or "", output)
    return "".join(s + "\n" for s in out)
