"""How Go prints template values: fmt's %v (`go_print`) and encoding/json (`go_json`)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .values import NO_VALUE, FormatterContext, NilMap, NilSlice, Struct


def _digits(v: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |v| and the decimal point position: v = 0.DIGITS x 10^dp."""
    _, digits, exponent = Decimal(repr(abs(v))).as_tuple()
    text = "".join(map(str, digits))
    return text.rstrip("0"), len(text) + exponent


def _format_float(v: float, exp_low: int, exp_high: int) -> str:
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    sign = "-" if (v < 0 or (v == 0 and str(v).startswith("-"))) else ""
    if v == 0:
        return sign + "0"
    digits, dp = _digits(v)
    exp = dp - 1
    if exp < exp_low or exp >= exp_high:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return "%s%se%s%02d" % (sign, mantissa, "-" if exp < 0 else "+", abs(exp))
    if dp <= 0:
        return sign + "0." + "0" * (-dp) + digits
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return sign + digits[:dp] + "." + digits[dp:]


def go_print(v: Any) -> str:
    """How text/template prints a value (fmt's %v)."""
    if v is NO_VALUE:
        return "<no value>"
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _format_float(v, -4, 6)
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(go_print(x) for x in v) + "]"
    if isinstance(v, Struct):
        return "{" + " ".join(go_print(x) for x in v.values()) + "}"
    if isinstance(v, dict):
        return "map[" + " ".join("%s:%s" % (go_print(k), go_print(v[k])) for k in sorted(v)) + "]"
    return str(v)


_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def json_string(s: str, escape_html: bool = False) -> str:
    """`s` as an encoding/json string literal."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append("\\u%04x" % ord(ch))
        elif escape_html and ch in _HTML_ESCAPES:
            out.append(_HTML_ESCAPES[ch])
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_json(v: Any, escape_html: bool = False) -> str:
    """encoding/json's compact encoding; docker's `json` function uses SetEscapeHTML(false),
    json.Marshal (escape_html=True) writes `<`, `>`, `&` as `\\u003c`, `\\u003e`, `\\u0026`.
    A MarshalJSON result (FormatterContext, `__go_json__`) is always json.Marshal's."""
    if v is None or v is NO_VALUE or isinstance(v, (NilSlice, NilMap)):
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        text = _format_float(v, -6, 21)
        return re.sub(r"e([+-])0(\d)$", r"e\1\2", text)
    if isinstance(v, str):
        return json_string(v, escape_html)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(go_json(x, escape_html) for x in v) + "]"
    if isinstance(v, FormatterContext):
        return go_json(dict(v), escape_html=True)
    if isinstance(v, dict):
        keys = list(v) if isinstance(v, Struct) else sorted(v)
        return "{" + ",".join("%s:%s" % (json_string(str(k), escape_html), go_json(v[k], escape_html))
                              for k in keys) + "}"
    if hasattr(v, "__go_json__"):
        return go_json(v.__go_json__(), escape_html=True)
    return json_string(str(v), escape_html)
