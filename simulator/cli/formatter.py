"""Docker's output formatting: tables through Go's tabwriter and `--format` templates.

Follows docker/cli 20.10 `cli/command/formatter/formatter.go`: a format starting with `table`
prints a header row (the template executed over the field-name -> header mapping, with
docker's header functions passing their argument through) and rows through
`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`; literal `\\t` and `\\n` in a format are tabs and
newlines; each item's output is followed by a newline. Errors carry the CLI's wording:
`template parsing error: ...` and `failed to execute template: ...`.
"""

from __future__ import annotations

from typing import Any, Iterable

from .gotemplate import NO_VALUE, Template, TemplateError

__all__ = ["FormatError", "tabwrite", "render_table", "format_template", "format_items",
           "is_table"]

MINWIDTH, TABWIDTH, PADDING = 10, 1, 3


class FormatError(Exception):
    """A `--format` template that does not parse or execute; the message is what docker prints."""


def tabwrite(text: str, minwidth: int = MINWIDTH, padding: int = PADDING) -> str:
    """Align tab-terminated cells as Go's text/tabwriter does with padchar ' ' and no flags.

    A cell is text ended by a tab; the text after a line's last tab is not part of any column
    and is not padded. A column's width is its widest cell plus `padding` (at least
    `minwidth`), computed over each block of consecutive lines that have that column.
    """
    lines = text.split("\n")
    cells = [line.split("\t") for line in lines]
    widths: list[int] = []
    out: list[str] = []

    def write_lines(start: int, end: int) -> None:
        for i in range(start, end):
            line = cells[i]
            parts = []
            for j, cell in enumerate(line):
                parts.append(cell)
                if j < len(widths):
                    parts.append(" " * (widths[j] - len(cell)))
            out.append("".join(parts))

    def fmt(line0: int, line1: int) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(cells[this]) - 1:
                this += 1
                continue
            write_lines(line0, this)
            line0 = this
            width = minwidth
            while this < line1 and column < len(cells[this]) - 1:
                width = max(width, len(cells[this][column]) + padding)
                this += 1
            widths.append(width)
            fmt(line0, this)
            widths.pop()
            line0 = this
        write_lines(line0, line1)

    fmt(0, len(cells))
    return "\n".join(out)


def render_table(rows: Iterable[Iterable[str]], columns: Iterable[str]) -> str:
    """A header row and rows, cells tab-separated, through docker's tabwriter; ends with a newline."""
    lines = ["\t".join(columns)] + ["\t".join(row) for row in rows]
    return tabwrite("\n".join(lines) + "\n")


def is_table(format_: str) -> bool:
    """Whether a `--format` asks for a table (it starts with `table`, as docker's Format.IsTable)."""
    return format_.startswith("table")


def _prepare(format_: str) -> str:
    if is_table(format_):
        format_ = format_[len("table"):]
    return format_.strip(" ").replace("\\t", "\t").replace("\\n", "\n")


def _parse(text: str, funcs=None) -> Template:
    try:
        return Template(text, funcs)
    except TemplateError as e:
        raise FormatError("template parsing error: %s" % e) from None


def _execute(template: Template, obj: Any) -> str:
    try:
        return template.execute(obj)
    except TemplateError as e:
        raise FormatError("failed to execute template: %s" % e) from None


def format_template(format_: str, obj: Any) -> str:
    """Execute a `--format` on one object (after docker's `\\t`/`\\n` replacement), no newline added."""
    return _execute(_parse(_prepare(format_)), obj)


def _passthrough(v, *_):
    return "" if v is NO_VALUE else v


# docker/cli templates.HeaderFunctions: in a table's header row these return their argument.
HEADER_FUNCS = {name: _passthrough for name in
                ("json", "split", "join", "title", "lower", "upper", "pad", "truncate")}


def format_items(format_: str, items: Iterable[Any], headers: dict[str, str]) -> str:
    """Docker's formatter.Context: every item through the template, one per line.

    With a `table` format, a header row comes first (the template over `headers`, which maps
    each field name to its column title, e.g. {"ID": "CONTAINER ID"}) and the whole output is
    aligned by the tabwriter. Raises FormatError.
    """
    text = _prepare(format_)
    template = _parse(text)
    body = "".join(_execute(template, item) + "\n" for item in items)
    if not is_table(format_):
        return body
    header = _execute(_parse(text, HEADER_FUNCS), dict(headers))
    return tabwrite(header + "\n" + body)
