"""JSON decoded as Go's `encoding/json` decodes it into a typed value, with Go's error texts.

`docker load` hands the archive's `manifest.json` and image configs to Go's decoder, and prints
its errors as they are (`invalid character 'n' looking for beginning of object key string`,
`json: cannot unmarshal string into Go struct field Config.config.Env of type []string`).
`decode(data, schema, stream=...)` returns the parsed value (Python's `json`), or raises
GoJSONError with the message Go 1.19 gives for the same input:

- syntax, checked first over the whole input as Go's scanner does (`encoding/json/scanner.go`):
  `invalid character 'x' <context>`; a value cut short is `unexpected EOF` for a
  `json.Decoder` (stream=True, which also ignores what follows the first value and says `EOF`
  for an empty input) and `unexpected end of JSON input` for `json.Unmarshal` (stream=False,
  which refuses anything but spaces after the value: `... after top-level value`);
- types (`decode.go`): the first value of the wrong JSON kind, in document order, gives
  `json: cannot unmarshal <kind> into Go struct field <Struct>.<json.path> of type <type>`
  (`Go value of type <type>` outside any struct); Go goes on decoding after it, so a later
  error from a type's own decoder (a `time.Time`, a `strslice.StrSlice`) wins over it;
- `null` leaves the zero value, never an error; object keys match struct fields exactly or
  else case-insensitively; unknown keys are ignored.

Schemas are built from `Str`, `Bool`, `Int`, `Time`, `StrSlice`, `List`, `Map`, `Struct` and
`ANY`, each naming its Go type as the messages print it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .gostrings import go_quote


class GoJSONError(ValueError):
    """The error Go's encoding/json reports; str() is its exact text."""


# -- syntax -------------------------------------------------------------------------------------
_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"


class _Truncated(Exception):
    """The input ended inside a value."""


def quote_char(c: int) -> str:
    """encoding/json `quoteChar`: a byte as Go's scanner names it in `invalid character ...`."""
    if c == ord("'"):
        return "'\\''"
    if c == ord('"'):
        return "'\"'"
    return "'" + go_quote(chr(c))[1:-1] + "'"


class _Scanner:
    """Go's scanner state machine, as a recursive reader over bytes."""

    def __init__(self, data: bytes):
        self.data = data
        self.i = 0

    def peek(self) -> int:
        if self.i >= len(self.data):
            raise _Truncated
        return self.data[self.i]

    def fail(self, context: str):
        raise GoJSONError(f"invalid character {quote_char(self.data[self.i])} {context}")

    def space(self) -> None:
        while self.i < len(self.data) and self.data[self.i] in _SPACE:
            self.i += 1

    def value(self) -> None:
        self.space()
        c = self.peek()
        if c == ord("{"):
            self.obj()
        elif c == ord("["):
            self.array()
        elif c == ord('"'):
            self.string()
        elif c == ord("-") or c in _DIGITS:
            self.number()
        elif c in b"tfn":
            self.literal({ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}[c])
        else:
            self.fail("looking for beginning of value")

    def obj(self) -> None:
        self.i += 1
        self.space()
        if self.peek() == ord("}"):
            self.i += 1
            return
        while True:
            self.space()
            if self.peek() != ord('"'):
                self.fail("looking for beginning of object key string")
            self.string()
            self.space()
            if self.peek() != ord(":"):
                self.fail("after object key")
            self.i += 1
            self.value()
            self.space()
            c = self.peek()
            if c == ord(","):
                self.i += 1
                continue
            if c == ord("}"):
                self.i += 1
                return
            self.fail("after object key:value pair")

    def array(self) -> None:
        self.i += 1
        self.space()
        if self.peek() == ord("]"):
            self.i += 1
            return
        while True:
            self.value()
            self.space()
            c = self.peek()
            if c == ord(","):
                self.i += 1
                continue
            if c == ord("]"):
                self.i += 1
                return
            self.fail("after array element")

    def string(self) -> None:
        self.i += 1
        while True:
            c = self.peek()
            if c == ord('"'):
                self.i += 1
                return
            if c == ord("\\"):
                self.i += 1
                e = self.peek()
                if e == ord("u"):
                    self.i += 1
                    for _ in range(4):
                        if self.peek() not in _HEX:
                            self.fail("in \\u hexadecimal character escape")
                        self.i += 1
                    continue
                if e not in b'"\\/bfnrt':
                    self.fail("in string escape code")
            elif c < 0x20:
                self.fail("in string literal")
            self.i += 1

    def _at_end(self) -> bool:
        return self.i >= len(self.data)

    def number(self) -> None:
        # A number may end the input: Go's scanner then ends the value (stateEndValue).
        if self.data[self.i] == ord("-"):
            self.i += 1
            if self.peek() not in _DIGITS:
                self.fail("in numeric literal")
        if self.data[self.i] == ord("0"):
            self.i += 1
        else:
            while not self._at_end() and self.data[self.i] in _DIGITS:
                self.i += 1
        if not self._at_end() and self.data[self.i] == ord("."):
            self.i += 1
            if self.peek() not in _DIGITS:
                self.fail("after decimal point in numeric literal")
            while not self._at_end() and self.data[self.i] in _DIGITS:
                self.i += 1
        if not self._at_end() and self.data[self.i] in b"eE":
            self.i += 1
            if self.peek() in b"+-":
                self.i += 1
            if self.peek() not in _DIGITS:
                self.fail("in exponent of numeric literal")
            while not self._at_end() and self.data[self.i] in _DIGITS:
                self.i += 1

    def literal(self, word: bytes) -> None:
        self.i += 1
        for expected in word[1:]:
            if self.peek() != expected:
                self.fail(f"in literal {word.decode()} (expecting {quote_char(expected)})")
            self.i += 1


def check_syntax(data: bytes, stream: bool) -> int:
    """Raise GoJSONError for input Go would refuse; return where the first value ends."""
    scanner = _Scanner(data)
    scanner.space()
    if stream and scanner.i == len(data):
        raise GoJSONError("EOF")
    try:
        scanner.value()
    except _Truncated:
        raise GoJSONError("unexpected EOF" if stream else "unexpected end of JSON input") from None
    end = scanner.i
    if not stream:
        scanner.space()
        if scanner.i < len(data):
            scanner.fail("after top-level value")
    return end


# -- types --------------------------------------------------------------------------------------
class _Num(float):
    """A JSON number that keeps its text (Go names a non-integer for an int as `number 1.5`)."""

    text: str = ""


def _number(text: str) -> _Num:
    n = _Num(text)
    n.text = text
    return n


def _kind(value) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    return "number"


@dataclass(frozen=True)
class Type:
    """A Go type: `go` is its name in messages; `kind` the JSON kind it takes."""

    go: str
    kind: str = "any"


@dataclass(frozen=True)
class List(Type):
    elem: Type = None
    kind: str = "array"


@dataclass(frozen=True)
class Map(Type):
    elem: Type = None
    kind: str = "object"


@dataclass(frozen=True)
class Struct(Type):
    """`name` is the struct's own type name, which Go puts before the field path."""

    name: str = ""
    fields: dict = field(default_factory=dict)
    kind: str = "object"


def Str(go: str = "string") -> Type:
    return Type(go, "string")


BOOL = Type("bool", "bool")
INT = Type("int64", "int")
TIME = Type("time.Time", "time")          # time.Time.UnmarshalJSON: RFC 3339 in a string
STR_SLICE = Type("strslice.StrSlice", "strslice")   # a string or an array of strings
ANY = Type("interface {}")


class _Walk:
    """Go's decoder over an already parsed value: the first saved type error, or the
    immediate error of a type's own UnmarshalJSON."""

    def __init__(self):
        self.saved: GoJSONError | None = None

    def mismatch(self, value, go: str, struct: str, path: list[str]) -> None:
        if self.saved is None:
            self.saved = _type_error(_kind(value), go, struct, path)

    def walk(self, value, t: Type, struct: str, path: list[str]) -> None:
        if value is None or t.kind == "any":
            return
        if t.kind == "time":
            raw = value.text if isinstance(value, _Num) else json.dumps(value, ensure_ascii=False)
            problem = go_time_error(raw)
            if problem:
                raise GoJSONError(problem)
            return
        if t.kind == "strslice":
            if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) or v is None
                                                                          for v in value)):
                return
            raise _type_error(_kind(value), "string", struct, path)
        if t.kind == "int":
            if not isinstance(value, _Num):
                self.mismatch(value, t.go, struct, path)
            elif not re.fullmatch(r"-?\d+", value.text) and self.saved is None:
                self.saved = _type_error("number " + value.text, t.go, struct, path)
            return
        if t.kind != _kind(value):
            self.mismatch(value, t.go, struct, path)
            return
        if isinstance(t, List):
            for item in value:
                self.walk(item, t.elem, struct, path)
        elif isinstance(t, Map):
            for item in value.values():
                self.walk(item, t.elem, struct, path)
        elif isinstance(t, Struct):
            folded = {k.lower(): k for k in t.fields}
            for key, item in value.items():
                name = key if key in t.fields else folded.get(key.lower())
                if name is not None:
                    self.walk(item, t.fields[name], t.name, path + [name])


def _type_error(kind: str, go: str, struct: str, path: list[str]) -> GoJSONError:
    if struct or path:
        return GoJSONError(f"json: cannot unmarshal {kind} into Go struct field {struct}.{'.'.join(path)} "
                           f"of type {go}")
    return GoJSONError(f"json: cannot unmarshal {kind} into Go value of type {go}")


def _pairs(pairs):
    """Objects keep their keys in document order; a repeated key keeps its last value (Go's
    decoder stores each in turn) but is checked at its first place."""
    out: dict = {}
    for key, value in pairs:
        out[key] = value
    return out


def decode(data: bytes, schema: Type, stream: bool = False):
    """The value of `data` decoded as Go decodes it into `schema` (see the module docstring).
    Invalid UTF-8 is read as U+FFFD, as Go does."""
    end = check_syntax(data, stream)
    text = data[:end].decode("utf-8", "replace")
    value = json.loads(text, object_pairs_hook=_pairs, parse_float=_number, parse_int=_number)
    walk = _Walk()
    walk.walk(value, schema, "", [])
    if walk.saved is not None:
        raise walk.saved
    return _plain(value)


def _plain(value):
    """Numbers back to int/float now that their text is no longer needed."""
    if isinstance(value, _Num):
        return int(value.text) if re.fullmatch(r"-?\d+", value.text) else float(value.text)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# -- time.Time ----------------------------------------------------------------------------------
_LAYOUT = '"2006-01-02T15:04:05Z07:00"'
_ELEMENTS = ('"', "2006", "-", "01", "-", "02", "T", "15", ":", "04", ":", "05", "Z07:00", '"')
_NUMBERS = {"2006": (4, None), "01": (2, ("month", 1, 12)), "02": (2, ("day", 0, 31)),
            "15": (2, ("hour", 0, 23)), "04": (2, ("minute", 0, 59)), "05": (2, ("second", 0, 59))}
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _time_quote(text: str) -> str:
    """The time package's `quote`: `"` and `\\` escaped, other bytes below space or above
    ASCII as `\\xHH` (each byte of the UTF-8)."""
    out = []
    for ch in text:
        if ch < " " or ord(ch) >= 0x80:
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    return '"' + "".join(out) + '"'


def go_time_error(raw: str) -> str:
    """The error of `time.Time.UnmarshalJSON` for the JSON text `raw` (a quoted RFC 3339
    time, or `null`), or "" when it parses. `time.Parse` walks the layout
    `"2006-01-02T15:04:05Z07:00"` element by element and names the first that does not match
    (`cannot parse "<rest>" as "<element>"`), a field out of range (`month out of range`), text
    left over (`extra text: ...`), then a day the month does not have. Fields are taken as
    exactly two digits and fractions after a `.` only: the forms the engine reads back (Go 1.19
    also takes a one-digit hour and a `,` fraction)."""
    if raw == "null":
        return ""
    head = "parsing time " + _time_quote(raw)

    def cannot(rest: str, element: str) -> str:
        return f"{head} as {_time_quote(_LAYOUT)}: cannot parse {_time_quote(rest)} as {_time_quote(element)}"

    rest, fields = raw, {}
    for element in _ELEMENTS:
        if element in _NUMBERS:
            width, limits = _NUMBERS[element]
            digits = re.match(rf"[0-9]{{{width}}}", rest)
            if not digits:
                return cannot(rest, element)
            fields[element] = number = int(digits.group(0))
            if limits and not limits[1] <= number <= limits[2]:
                return f"{head}: {limits[0]} out of range"
            rest = rest[digits.end():]
            if element == "05":
                fraction = re.match(r"\.[0-9]+", rest)
                rest = rest[fraction.end():] if fraction else rest
        elif element == "Z07:00":
            zone = re.match(r"Z|[+-][0-9]{2}:[0-9]{2}", rest)
            if not zone:
                return cannot(rest, element)
            rest = rest[zone.end():]
        elif rest.startswith(element):
            rest = rest[len(element):]
        else:
            return cannot(rest, element)
    if rest:
        return f"{head}: extra text: {_time_quote(rest)}"
    year, month, day = fields["2006"], fields["01"], fields["02"]
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day < 1 or day > _MONTH_DAYS[month - 1] + (1 if month == 2 and leap else 0):
        return f"{head}: day out of range"
    return ""


def field_value(obj: dict, name: str, default=None):
    """The value Go decodes into struct field `name` from `obj`: the last key equal to it or
    equal but for case (each such key is stored in turn), or `default` when none is there or
    it is `null`."""
    found = default
    for key, value in obj.items():
        if key.lower() == name.lower() and value is not None:
            found = value
    return found
