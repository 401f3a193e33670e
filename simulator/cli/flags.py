"""Command-line flags parsed the way the docker CLI's pflag library parses them.

Behaviour and error wording follow spf13/pflag 1.0.5 (`flag.go`: parseLongArg,
parseSingleShortArg) and Go's strconv messages, as docker 20.10 prints them:

- `--name value`, `--name=value`, `-n value`, `-nvalue`, `-n=value`, `-abc` (bools combined);
- bool flags take no separate value (`--all`, `--all=false`);
- `list` flags are repeatable and collect every value in order (docker's `opts.ListOpts`);
- `--` ends the flags; `-` alone is a positional argument;
- with `interspersed=False`, flags end at the first positional argument (`docker run IMAGE CMD -x`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Callable

_TYPE_NAMES = {bool: "", str: "string", int: "int", float: "float", list: "list"}
_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


class FlagError(Exception):
    """A flag could not be parsed; the message is pflag's (the CLI adds `See 'docker X --help'.`)."""


@dataclass(frozen=True)
class Flag:
    """One command-line flag.

    name: the long name (`no-trunc`; the option attribute is `no_trunc`).
    short: the one-letter shorthand or None.
    type: bool, str, int, float or list (repeatable, values in order).
    help: the usage text shown by `--help`.
    default: the value when the flag is absent (False, None, 0, 0.0 or [] by type when not given).
    metavar: the type word shown by `--help` (`filter`, `bytes`, `decimal`...); defaults by type.
    parse: for str/list flags, a function that checks and converts one value and raises
        ValueError(reason) when invalid; the CLI then prints
        `invalid argument "<value>" for "<flag>" flag: <reason>`.
    default_text: the default as `--help` shows it when it is not the plain value (`map[]`).
    hidden: parsed but not listed by `--help`.
    """

    name: str
    short: str | None
    type: type
    help: str
    default: Any = None
    metavar: str | None = None
    parse: Callable[[str], Any] | None = None
    default_text: str | None = None
    hidden: bool = False

    @property
    def attr(self) -> str:
        return self.name.replace("-", "_")

    @property
    def label(self) -> str:
        """How pflag names the flag in errors: `-t, --time` or `--cpus`."""
        return "-%s, --%s" % (self.short, self.name) if self.short else "--" + self.name

    def initial(self) -> Any:
        if self.type is list:
            return list(self.default or [])
        if self.default is not None:
            return self.default
        return {bool: False, int: 0, float: 0.0}.get(self.type)

    def convert(self, text: str) -> Any:
        """The value of `text` for this flag, or FlagError with pflag's wording."""
        try:
            if self.parse is not None:
                return self.parse(text)
            if self.type is bool:
                return _parse_bool(text)
            if self.type is int:
                return _parse_int(text)
            if self.type is float:
                return _parse_float(text)
            return text
        except ValueError as e:
            raise FlagError('invalid argument "%s" for "%s" flag: %s' % (text, self.label, e)) from None


def _parse_bool(text: str) -> bool:
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    raise ValueError('strconv.ParseBool: parsing "%s": invalid syntax' % text)


def _parse_int(text: str) -> int:
    """strconv.ParseInt(text, 0, 64): decimal, 0x hex, 0o/0 octal, 0b binary."""
    m = re.fullmatch(r"([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)", text)
    if not m:
        raise ValueError('strconv.ParseInt: parsing "%s": invalid syntax' % text)
    digits = m.group(2)
    if digits[:2].lower() in ("0x", "0b", "0o"):
        value = int(digits, 0)
    else:
        value = int(digits, 8 if digits.startswith("0") else 10)
    value = -value if m.group(1) == "-" else value
    if not -(1 << 63) <= value < (1 << 63):
        raise ValueError('strconv.ParseInt: parsing "%s": value out of range' % text)
    return value


def _parse_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError('strconv.ParseFloat: parsing "%s": invalid syntax' % text) from None


class HelpRequested(Exception):
    """`--help` (or the deprecated `-h`) was given; `deprecated_h` says which."""

    def __init__(self, deprecated_h: bool = False):
        super().__init__("help requested")
        self.deprecated_h = deprecated_h


@dataclass
class _Parser:
    flags: list[Flag]
    interspersed: bool = True
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.by_long = {f.name: f for f in self.flags}
        self.by_short = {f.short: f for f in self.flags if f.short}
        self.values = {f.attr: f.initial() for f in self.flags}

    def set(self, flag: Flag, text: str) -> None:
        value = flag.convert(text)
        if flag.type is list:
            self.values[flag.attr].append(value)
        else:
            self.values[flag.attr] = value

    def parse(self, argv: list[str]) -> list[str]:
        args: list[str] = []
        rest = list(argv)
        while rest:
            arg = rest.pop(0)
            if len(arg) < 2 or arg[0] != "-":
                args.append(arg)
                if not self.interspersed:
                    return args + rest
            elif arg == "--":
                return args + rest
            elif arg[1] == "-":
                self.long(arg[2:], rest)
            else:
                shorthands = arg[1:]
                while shorthands:
                    shorthands = self.short(shorthands, rest)
        return args

    def long(self, text: str, rest: list[str]) -> None:
        if not text or text[0] in "-=":
            raise FlagError("bad flag syntax: --%s" % text)
        name, eq, value = text.partition("=")
        flag = self.by_long.get(name)
        if flag is None:
            if name == "help":
                raise HelpRequested()
            raise FlagError("unknown flag: --%s" % name)
        if eq:
            self.set(flag, value)
        elif flag.type is bool:
            self.set(flag, "true")
        elif rest:
            self.set(flag, rest.pop(0))
        else:
            raise FlagError("flag needs an argument: --%s" % name)

    def short(self, shorthands: str, rest: list[str]) -> str:
        """Consume the first shorthand of `shorthands`; return what remains."""
        c = shorthands[0]
        flag = self.by_short.get(c)
        if flag is None:
            if c == "h":
                raise HelpRequested(deprecated_h=True)
            raise FlagError("unknown shorthand flag: '%s' in -%s" % (c, shorthands))
        if len(shorthands) > 2 and shorthands[1] == "=":
            self.set(flag, shorthands[2:])
            return ""
        if flag.type is bool:
            self.set(flag, "true")
            return shorthands[1:]
        if len(shorthands) > 1:
            self.set(flag, shorthands[1:])
            return ""
        if rest:
            self.set(flag, rest.pop(0))
            return ""
        raise FlagError("flag needs an argument: '%s' in -%s" % (c, shorthands))


def parse_flags(flags: list[Flag], argv: list[str], interspersed: bool = True
                ) -> tuple[SimpleNamespace, list[str]]:
    """Parse `argv` against `flags`: (options by attribute name, positional arguments).

    Raises FlagError (pflag's message) or HelpRequested.
    """
    parser = _Parser(flags, interspersed)
    args = parser.parse(argv)
    return SimpleNamespace(**parser.values), args


def _is_zero(flag: Flag) -> bool:
    value = flag.initial()
    return value in (None, "", 0, False, [], "0", "false", "<nil>")


def _wrap_n(i: int, slop: int, s: str) -> tuple[str, str]:
    if i + slop > len(s):
        return s, ""
    w = max(s.rfind(" ", 0, i), s.rfind("\t", 0, i), s.rfind("\n", 0, i))
    if w <= 0:
        return s, ""
    nl = s.rfind("\n", 0, i)
    if 0 < nl < w:
        return s[:nl], s[nl + 1:]
    return s[:w], s[w + 1:]


def _wrap(i: int, w: int, s: str) -> str:
    """pflag's `wrap`: text for a column starting at `i` in lines `w` wide."""
    width = w - i
    r = ""
    if width < 24:
        i = 16
        width = w - i
        r += "\n" + " " * i
    if width < 24:
        return s.replace("\n", r)
    slop = 5
    width -= slop
    line, s = _wrap_n(width, slop, s)
    r += line.replace("\n", "\n" + " " * i)
    while s:
        line, s = _wrap_n(width, slop, s)
        r += "\n" + " " * i + line.replace("\n", "\n" + " " * i)
    return r


def flag_usages(flags: list[Flag], columns: int = 79) -> str:
    """The Options table of `--help`, as pflag's FlagUsagesWrapped(79) prints it (docker sorts by name)."""
    lines = []
    maxlen = 0
    for flag in sorted((f for f in flags if not f.hidden), key=lambda f: f.name):
        line = "  -%s, --%s" % (flag.short, flag.name) if flag.short else "      --" + flag.name
        varname = flag.metavar if flag.metavar is not None else _TYPE_NAMES[flag.type]
        if varname:
            line += " " + varname
        line += "\x00"
        maxlen = max(maxlen, len(line))
        line += flag.help
        if flag.default_text is not None:
            line += " (default %s)" % flag.default_text
        elif not _is_zero(flag):
            default = flag.initial()
            if flag.type is str:
                line += ' (default "%s")' % default
            elif flag.type is bool:
                line += " (default true)"
            else:
                line += " (default %s)" % default
        lines.append(line)
    out = []
    for line in lines:
        sidx = line.index("\x00")
        out.append(line[:sidx] + " " + " " * (maxlen - sidx) + " " + _wrap(maxlen + 2, columns, line[sidx + 1:]))
    return "\n".join(out)
