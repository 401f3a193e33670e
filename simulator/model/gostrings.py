"""Go's way of quoting strings, which Docker's output shows in many places.

`go_quote` is Go's `strconv.Quote` (also `%q` of a string); `go_quote_list` is `%q` of a
`[]string`, as the classic builder writes CMD and ENTRYPOINT into history (`["a" "b"]`,
no commas).
"""

from __future__ import annotations

_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v", "\\": "\\\\", '"': '\\"'}


def go_quote(text: str) -> str:
    """strconv.Quote: double quotes, printable characters kept (unicode.IsPrint, which
    Python's isprintable follows), `\\n`-style escapes, else `\\xHH` below 0x80 and
    `\\uHHHH`/`\\UHHHHHHHH` above."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def go_quote_list(items: list[str]) -> str:
    """`%q` of a []string: `["a" "b"]`."""
    return "[" + " ".join(go_quote(s) for s in items) + "]"
