"""Go's text/template, as far as docker's `--format` uses it.

Supported: text and actions with `{{-`/`-}}` trimming and `{{/* comments */}}`; fields and
chains (`.Config.Cmd`, `$v.Name`, `(pipeline).Field`); variables (`$x := ...`, `$x = ...`,
`$` the data); pipelines (`.X | json`); `if`/`else if`/`else`/`end`, `range` (with
`$i, $v :=`), `with`; literals (strings, raw strings, numbers, true/false/nil); Go's builtins
and, or, not, len, index, print, printf, println, eq, ne, lt, le, gt, ge, slice; docker's
functions json, split, join, title, lower, upper, pad, truncate (docker/cli 20.10
`templates/templates.go`). Errors carry Go's wording (`template: :1: unclosed action`,
`template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type ...`).

Data model (how Python values stand for Go values):
- dict: a Go map[string]interface{} (a missing key gives `<no value>`); printed `map[k:v]`, keys sorted;
- Struct (a dict subclass with a Go type name): a Go struct; a missing field is an error;
  printed `{v1 v2}` in field order; `json` keeps the field order;
- FormatterContext (a Struct): one of docker/cli's formatter contexts (`*formatter.imageContext`...),
  whose MarshalJSON is `formatter.MarshalJSON`: `json` gives its fields as a map, keys sorted;
- other objects: a Go struct whose fields are attributes; callable attributes are methods
  (docker's formatter contexts: `.ID`, `.Names`); `go_type` names the type in errors;
  `__go_json__()` gives the value `json` encodes (docker's MarshalJSON, as formatter.MarshalJSON);
- list/tuple: a slice, printed `[a b]`; None: nil, printed `<nil>`; bool, int, float, str as Go's;
- NilSlice / NilMap: a typed nil slice or map, printed `[]` / `map[]`, `json` null.

`json` itself encodes with SetEscapeHTML(false), but a MarshalJSON result is spliced in as it
comes, and formatter.MarshalJSON uses json.Marshal, which escapes `<`, `>`, `&` as `\u003c`...:
so `{{json .Config.Cmd}}` keeps `<none>` while `{{json .}}` of an image row prints `\u003cnone\u003e`
(docker 20.10 recording, ps-format scenario).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable

__all__ = ["Template", "TemplateError", "Struct", "FormatterContext", "NilSlice", "NilMap", "parse", "go_print",
           "go_json", "NO_VALUE"]


class TemplateError(Exception):
    """A parse or execution error, worded as Go's text/template reports it."""


class Struct(dict):
    """A dict that behaves as a Go struct of type `go_type` (field order = insertion order)."""

    def __init__(self, go_type: str = "struct", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.go_type = go_type


class FormatterContext(Struct):
    """A Struct whose `json` is docker/cli `formatter.MarshalJSON`'s: a map (keys sorted), HTML escaped."""


class NilSlice(list):
    """A nil Go slice (a struct field never set): printed `[]`, length 0, `json` null."""


class NilMap(dict):
    """A nil Go map (a struct field never set): printed `map[]`, length 0, `json` null."""


class _NoValue:
    """An invalid reflect.Value: what a missing map key evaluates to."""

    def __repr__(self):
        return "<no value>"


NO_VALUE = _NoValue()

# ---------------------------------------------------------------------------- printing


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


def _json_string(s: str, escape_html: bool = False) -> str:
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
        return _json_string(v, escape_html)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(go_json(x, escape_html) for x in v) + "]"
    if isinstance(v, FormatterContext):
        return go_json(dict(v), escape_html=True)
    if isinstance(v, dict):
        keys = list(v) if isinstance(v, Struct) else sorted(v)
        return "{" + ",".join("%s:%s" % (_json_string(str(k), escape_html), go_json(v[k], escape_html))
                              for k in keys) + "}"
    if hasattr(v, "__go_json__"):
        return go_json(v.__go_json__(), escape_html=True)
    return _json_string(str(v), escape_html)


def _go_type(v: Any) -> str:
    if isinstance(v, Struct):
        return v.go_type
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if v is None:
        return "interface {}"
    return getattr(v, "go_type", type(v).__name__)


def _truth(v: Any) -> bool:
    if v is NO_VALUE or v is None:
        return False
    if isinstance(v, Struct) or not isinstance(v, (bool, int, float, str, list, tuple, dict)):
        return True
    return bool(v)

# ---------------------------------------------------------------------------- lexing

_KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}
_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|"
                     r"(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Tok:
    __slots__ = ("kind", "val", "pos")

    def __init__(self, kind: str, val: str, pos: int):
        self.kind, self.val, self.pos = kind, val, pos

    def __repr__(self):
        return "%s(%r)" % (self.kind, self.val)


def _line(text: str, pos: int) -> int:
    return 1 + text.count("\n", 0, pos)


def _lex(text: str) -> list[_Tok]:
    """Tokens: text, '{{' ... '}}' actions as token runs, 'eof'."""
    toks: list[_Tok] = []
    i = 0
    n = len(text)
    while i < n:
        start = text.find("{{", i)
        if start < 0:
            toks.append(_Tok("text", text[i:], i))
            break
        trim_left = text.startswith("{{- ", start) or text.startswith("{{-\t", start) \
            or text.startswith("{{-\n", start) or text.startswith("{{-\r", start)
        body = start + (3 if trim_left else 2)
        chunk = text[i:start]
        if trim_left:
            chunk = chunk.rstrip(" \t\r\n")
        if chunk:
            toks.append(_Tok("text", chunk, i))
        if text.startswith("/*", body):
            close = text.find("*/", body)
            if close < 0:
                raise TemplateError("template: :%d: unclosed comment" % _line(text, start))
            j = close + 2
            trim_right = text.startswith(" -}}", j)
            if trim_right:
                j += 4
            elif text.startswith("}}", j):
                j += 2
            else:
                raise TemplateError("template: :%d: comment ends before closing delimiter" % _line(text, start))
            i = _skip_space(text, j) if trim_right else j
            continue
        toks.append(_Tok("{{", "{{", start))
        i, trim_right = _lex_action(text, body, toks)
        toks.append(_Tok("}}", "}}", i))
        if trim_right:
            i = _skip_space(text, i)
    toks.append(_Tok("eof", "", n))
    return toks


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _lex_action(text: str, i: int, toks: list[_Tok]) -> tuple[int, bool]:
    """Lex one action's inside from `i`; return (index after the closing delimiter, trimmed)."""
    n = len(text)
    depth = 0
    while True:
        if i >= n:
            raise TemplateError("template: :%d: unclosed action" % _line(text, i))
        c = text[i]
        if text.startswith("}}", i):
            if depth:
                raise TemplateError("template: :%d: unclosed left paren" % _line(text, i))
            return i + 2, False
        if c in " \t\r\n":
            j = _skip_space(text, i)
            if text.startswith("-}}", j):
                return j + 3, True
            toks.append(_Tok("space", " ", i))
            i = j
        elif c == "\n":
            raise TemplateError("template: :%d: unclosed action" % _line(text, i))
        elif c == "|":
            toks.append(_Tok("|", c, i))
            i += 1
        elif c == "(":
            depth += 1
            toks.append(_Tok("(", c, i))
            i += 1
        elif c == ")":
            if not depth:
                raise TemplateError("template: :%d: unexpected right paren" % _line(text, i))
            depth -= 1
            toks.append(_Tok(")", c, i))
            i += 1
        elif c == ",":
            toks.append(_Tok(",", c, i))
            i += 1
        elif text.startswith(":=", i):
            toks.append(_Tok(":=", ":=", i))
            i += 2
        elif c == "=":
            toks.append(_Tok("=", c, i))
            i += 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    j += 1
                if j >= n or text[j] == "\n":
                    raise TemplateError("template: :%d: unterminated quoted string" % _line(text, i))
                j += 1
            if j >= n:
                raise TemplateError("template: :%d: unterminated quoted string" % _line(text, i))
            toks.append(_Tok("string", text[i:j + 1], i))
            i = j + 1
        elif c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise TemplateError("template: :%d: unterminated raw quoted string" % _line(text, i))
            toks.append(_Tok("rawstring", text[i:j + 1], i))
            i = j + 1
        elif c == "$":
            m = _IDENT.match(text, i + 1)
            name = "$" + (m.group(0) if m else "")
            toks.append(_Tok("variable", name, i))
            i += len(name)
        elif c == ".":
            m = _IDENT.match(text, i + 1)
            if m:
                toks.append(_Tok("field", "." + m.group(0), i))
                i = m.end()
            elif i + 1 < n and text[i + 1].isdigit():
                m = _NUMBER.match(text, i)
                toks.append(_Tok("number", m.group(0), i))
                i = m.end()
            else:
                toks.append(_Tok("dot", ".", i))
                i += 1
        elif c.isdigit() or (c in "+-" and i + 1 < n and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            toks.append(_Tok("number", m.group(0), i))
            i = m.end()
        elif c.isalpha() or c == "_":
            m = _IDENT.match(text, i)
            word = m.group(0)
            kind = "keyword" if word in _KEYWORDS else "bool" if word in ("true", "false") \
                else "nil" if word == "nil" else "identifier"
            toks.append(_Tok(kind, word, i))
            i = m.end()
        else:
            raise TemplateError("template: :%d: unexpected %s in command" % (_line(text, i), _quote_char(c)))


def _quote_char(c: str) -> str:
    return '"%s"' % c if c.isprintable() else "<%r>" % c

# ---------------------------------------------------------------------------- parsing


class _Node:
    pos = 0
    text = ""   # Go's node.String(), shown in execution errors


class _Text(_Node):
    def __init__(self, text):
        self.value = text


class _Field(_Node):
    """A chain of field names on a receiver: `.A.B` (receiver dot), `$x.A`, `(pipe).A`."""

    def __init__(self, receiver, names, pos, text):
        self.receiver, self.names, self.pos, self.text = receiver, names, pos, text


class _Var(_Node):
    def __init__(self, name, pos):
        self.name, self.pos, self.text = name, pos, name


class _Dot(_Node):
    def __init__(self, pos):
        self.pos, self.text = pos, "."


class _Literal(_Node):
    def __init__(self, value, pos, text):
        self.value, self.pos, self.text = value, pos, text


class _Ident(_Node):
    def __init__(self, name, pos):
        self.name, self.pos, self.text = name, pos, name


class _Command(_Node):
    def __init__(self, args, pos):
        self.args, self.pos = args, pos
        self.text = " ".join(a.text for a in args)


class _Pipe(_Node):
    def __init__(self, decl, assign, cmds, pos):
        self.decl, self.assign, self.cmds, self.pos = decl, assign, cmds, pos
        head = ", ".join(decl) + (" = " if assign else " := ") if decl else ""
        self.text = head + " | ".join(c.text for c in cmds)


class _ParenPipe(_Node):
    def __init__(self, pipe):
        self.pipe, self.pos, self.text = pipe, pipe.pos, "(" + pipe.text + ")"


class _Action(_Node):
    def __init__(self, pipe):
        self.pipe, self.pos, self.text = pipe, pipe.pos, "{{" + pipe.text + "}}"


class _Branch(_Node):
    def __init__(self, kind, pipe, body, orelse):
        self.kind, self.pipe, self.body, self.orelse, self.pos = kind, pipe, body, orelse, pipe.pos


class _Parser:
    def __init__(self, source: str, funcs: dict[str, Callable]):
        self.source = source
        self.funcs = funcs
        self.toks = _lex(source)
        self.i = 0
        self.vars = [["$"]]

    def error(self, msg: str, tok: _Tok | None = None):
        tok = tok or self.toks[self.i]
        raise TemplateError("template: :%d: %s" % (_line(self.source, tok.pos), msg))

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def next_non_space(self) -> _Tok:
        tok = self.next()
        while tok.kind == "space":
            tok = self.next()
        return tok

    def peek_non_space(self) -> _Tok:
        j = self.i
        while self.toks[j].kind == "space":
            j += 1
        return self.toks[j]

    def parse(self) -> list[_Node]:
        body, end = self.list_until()
        if end is not None:
            self.error("unexpected {{%s}}" % end, None)
        return body

    def list_until(self) -> tuple[list[_Node], str | None]:
        """Parse nodes until {{end}}/{{else}} (returned) or EOF (None)."""
        nodes: list[_Node] = []
        while True:
            tok = self.next()
            if tok.kind == "eof":
                return nodes, None
            if tok.kind == "text":
                nodes.append(_Text(tok.val))
                continue
            # an action
            kw = self.peek_non_space()
            if kw.kind == "keyword":
                self.next_non_space()
                if kw.val in ("end", "else"):
                    return nodes, kw.val
                nodes.append(self.control(kw))
            else:
                pipe = self.pipeline("command", end="}}")
                nodes.append(_Action(pipe))

    def control(self, kw: _Tok) -> _Node:
        if kw.val not in ("if", "range", "with"):
            self.error("unexpected <%s> in command" % kw.val if kw.val in ("break", "continue")
                       else "%s is not supported by docker --format" % kw.val, kw)
        self.vars.append(list(self.vars[-1]))
        pipe = self.pipeline(kw.val, end="}}")
        body, end = self.list_until()
        orelse: list[_Node] = []
        if end is None:
            self.error("unexpected EOF", self.toks[-1])
        if end == "else":
            nxt = self.peek_non_space()
            if nxt.kind == "keyword" and nxt.val in ("if", "with") and kw.val in ("if", "with"):
                self.next_non_space()
                orelse = [self.control(nxt)]   # `else if` ends with the outer {{end}}
            else:
                if self.next_non_space().kind != "}}":
                    self.error("unexpected %s in else" % self.toks[self.i - 1].val)
                orelse, end2 = self.list_until()
                if end2 != "end":
                    self.error("unexpected EOF" if end2 is None else "expected end; found {{else}}",
                               self.toks[-1])
                if self.next_non_space().kind != "}}":
                    self.error("unexpected %s in end" % self.toks[self.i - 1].val)
        else:
            if self.next_non_space().kind != "}}":
                self.error("unexpected %s in end" % self.toks[self.i - 1].val)
        self.vars.pop()
        return _Branch(kw.val, pipe, body, orelse)

    def pipeline(self, context: str, end: str) -> _Pipe:
        start = self.peek_non_space()
        decl: list[str] = []
        assign = False
        # declarations: $x := / $x = / $i, $v :=
        j = self.i
        save = self.i
        names = []
        while True:
            tok = self.peek_non_space()
            if tok.kind != "variable":
                break
            self.next_non_space()
            names.append(tok)
            after = self.peek_non_space()
            if after.kind in (":=", "="):
                self.next_non_space()
                decl = [t.val for t in names]
                assign = after.kind == "="
                break
            if after.kind == "," and context == "range" and len(names) == 1:
                self.next_non_space()
                continue
            self.i = save
            names = []
            break
        del j
        if decl:
            for name in decl:
                if assign and name not in self.vars[-1]:
                    self.error('undefined variable "%s"' % name)
                if not assign:
                    self.vars[-1].append(name)
        cmds = []
        while True:
            tok = self.peek_non_space()
            if tok.kind == end:
                self.next_non_space()
                break
            if tok.kind == "eof":
                self.error("unclosed action")
            cmds.append(self.command(end))
            tok = self.peek_non_space()
            if tok.kind == "|":
                self.next_non_space()
                if self.peek_non_space().kind in (end, "eof"):
                    self.error("missing command")
        if not cmds:
            self.error("missing value for %s" % context, start)
        for cmd in cmds[1:]:
            if isinstance(cmd.args[0], (_Literal, _Dot)) and not (
                    isinstance(cmd.args[0], _Literal) and cmd.args[0].value is None and False):
                self.error("non executable command in pipeline stage 2")
        return _Pipe(decl, assign, cmds, start.pos)

    def command(self, end: str) -> _Command:
        args = []
        start = self.peek_non_space()
        while True:
            tok = self.peek_non_space()
            if tok.kind in (end, "|", "eof", ")"):
                break
            self.next_non_space()
            args.append(self.operand(tok))
            nxt = self.peek()
            if nxt.kind not in ("space", end, "|", ")", "eof"):
                self.error("unexpected %s in operand" % _describe(nxt))
        if not args:
            self.error("missing value for command")
        return _Command(args, start.pos)

    def operand(self, tok: _Tok) -> _Node:
        node = self.term(tok)
        names = []
        while self.peek().kind == "field":
            names.append(self.next().val[1:])
        if names:
            if isinstance(node, _Field):
                return _Field(node.receiver, node.names + names, node.pos, node.text + "." + ".".join(names))
            if isinstance(node, (_Literal, _Dot, _Ident)) and not isinstance(node, _Ident):
                self.error("unexpected . after term %s" % node.text)
            return _Field(node, names, node.pos, node.text + "." + ".".join(names))
        return node

    def term(self, tok: _Tok) -> _Node:
        if tok.kind == "field":
            return _Field(None, [tok.val[1:]], tok.pos, tok.val)
        if tok.kind == "dot":
            return _Dot(tok.pos)
        if tok.kind == "variable":
            if tok.val not in self.vars[-1]:
                self.error('undefined variable "%s"' % tok.val, tok)
            return _Var(tok.val, tok.pos)
        if tok.kind == "identifier":
            if tok.val not in self.funcs:
                self.error('function "%s" not defined' % tok.val, tok)
            return _Ident(tok.val, tok.pos)
        if tok.kind == "string":
            return _Literal(_unquote(tok.val), tok.pos, tok.val)
        if tok.kind == "rawstring":
            return _Literal(tok.val[1:-1], tok.pos, tok.val)
        if tok.kind == "number":
            return _Literal(_number(tok.val, self, tok), tok.pos, tok.val)
        if tok.kind == "bool":
            return _Literal(tok.val == "true", tok.pos, tok.val)
        if tok.kind == "nil":
            return _Literal(None, tok.pos, "nil")
        if tok.kind == "(":
            pipe = self.pipeline("parenthesized pipeline", end=")")
            return _ParenPipe(pipe)
        self.error("unexpected %s in operand" % _describe(tok), tok)


def _describe(tok: _Tok) -> str:
    return '"%s"' % tok.val if tok.kind not in ("eof",) else "EOF"


_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.S)
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\", '"': '"', "'": "'"}


def _unquote(text: str) -> str:
    """The value of a Go interpreted string literal ("a\\tb\\u00e9")."""
    def one(m):
        e = m.group(1)
        if e[0] in "xuU":
            return chr(int(e[1:], 16))
        if e[0].isdigit():
            return chr(int(e, 8))
        return _SIMPLE_ESCAPES.get(e, "\\" + e)
    return _ESCAPE.sub(one, text[1:-1])


def _number(text: str, parser: _Parser, tok: _Tok):
    clean = text.replace("_", "")
    try:
        if re.fullmatch(r"[+-]?0[xXbBoO].*", clean):
            return int(clean, 0)
        if re.fullmatch(r"[+-]?\d+", clean):
            return int(clean, 10)
        return float(clean)
    except ValueError:
        parser.error('bad number syntax: "%s"' % text, tok)

# ---------------------------------------------------------------------------- builtins


class _FuncError(Exception):
    pass


def _len(v):
    if isinstance(v, (str, list, tuple, dict)):
        return len(v.encode() if isinstance(v, str) else v)
    raise _FuncError("len of type %s" % _go_type(v))


def _index(item, *indexes):
    for ix in indexes:
        if isinstance(item, dict) and not isinstance(item, Struct):
            item = item.get(ix)
        elif isinstance(item, (list, tuple, str)):
            if not isinstance(ix, int) or isinstance(ix, bool):
                raise _FuncError("cannot index slice/array with type %s" % _go_type(ix))
            seq = item.encode() if isinstance(item, str) else item
            if not 0 <= ix < len(seq):
                raise _FuncError("index out of range: %d" % ix)
            item = seq[ix]
        elif item is None:
            raise _FuncError("index of untyped nil")
        else:
            raise _FuncError("can't index item of type %s" % _go_type(item))
    return item


def _basic_kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return None


def _eq(a, *others):
    if not others:
        raise _FuncError("missing argument for comparison")
    for b in others:
        ka, kb = _basic_kind(a), _basic_kind(b)
        if ka is None or kb is None:
            if a is None or b is None:
                if a is b:
                    return True
                continue
            raise _FuncError("non-comparable type %s: %s" % (go_print(a if ka is None else b),
                                                              _go_type(a if ka is None else b)))
        if ka != kb:
            raise _FuncError("incompatible types for comparison")
        if a == b:
            return True
    return False


def _lt(a, b):
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka is None or kb is None or ka == "bool":
        raise _FuncError("invalid type for comparison")
    if ka != kb:
        raise _FuncError("incompatible types for comparison")
    return a < b


def _sprint(*args):
    out = []
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_print(a))
    return "".join(out)


_PRINTF = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([vsdqxXtfegTcob%])")


def _sprintf(fmt, *args):
    """fmt.Sprintf for the verbs formats use: %v %s %d %q %x %t %f %e %g with width/precision/flags."""
    args = list(args)

    def one(m):
        flags, width, prec, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if verb == "%":
            return "%"
        if not args:
            return "%!" + verb + "(MISSING)"
        a = args.pop(0)
        if verb in "vs":
            text = go_print(a)
            if prec is not None:
                text = text[:int(prec)]
        elif verb == "q":
            text = _json_string(go_print(a)) if isinstance(a, str) else go_print(a)
        elif verb == "T":
            text = _go_type(a)
        elif verb == "t" and isinstance(a, bool):
            text = go_print(a)
        elif verb in "dxXob" and isinstance(a, int) and not isinstance(a, bool):
            text = format(a, {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb])
            if "+" in flags and a >= 0:
                text = "+" + text
        elif verb in "xX" and isinstance(a, str):
            text = a.encode().hex()
            text = text.upper() if verb == "X" else text
        elif verb in "feg" and isinstance(a, (int, float)) and not isinstance(a, bool):
            text = go_print(float(a)) if verb == "g" and prec is None else \
                ("%" + ("." + prec if prec is not None else ".6") + verb) % a
        elif verb == "c" and isinstance(a, int):
            text = chr(a)
        else:
            return "%!" + verb + "(" + _go_type(a) + "=" + go_print(a) + ")"
        if width:
            w = int(width)
            if "-" in flags:
                text = text.ljust(w)
            elif "0" in flags and verb not in "sqvt":
                neg = text.startswith("-")
                text = ("-" if neg else "") + text[neg:].rjust(w - neg, "0")
            else:
                text = text.rjust(w)
        return text

    result = _PRINTF.sub(one, fmt)
    if args:
        result += "%!(EXTRA " + ", ".join("%s=%s" % (_go_type(a), go_print(a)) for a in args) + ")"
    return result


def _title(s):
    """strings.Title: upper-case the first letter of each word (words separated by non-letters)."""
    return re.sub(r"(?:(?<=[^\w'])|^)(\w)", lambda m: m.group(1).upper(), s)


def _split(s, sep):
    if sep == "":
        return list(s)
    return s.split(sep)


def _join(items, sep):
    if not isinstance(items, (list, tuple)) or not all(isinstance(x, str) for x in items):
        raise _FuncError("wrong type for value; expected []string; got %s" % _go_type(items))
    return sep.join(items)


def _pad(source, prefix, suffix):
    return source if source == "" else " " * prefix + source + " " * suffix


def _truncate(source, length):
    return source if len(source) < length else source[:length]


def _slice(item, *ix):
    if not isinstance(item, (str, list, tuple)):
        raise _FuncError("can't slice item of type %s" % _go_type(item))
    lo = ix[0] if ix else 0
    hi = ix[1] if len(ix) > 1 else len(item)
    if not 0 <= lo <= hi <= len(item):
        raise _FuncError("index out of range: %d" % (hi if hi > len(item) else lo))
    return item[lo:hi]


def _not_bool(v):
    return not _truth(v)


BUILTINS: dict[str, Callable] = {
    "and": None, "or": None,   # evaluated lazily by the executor
    "not": _not_bool,
    "len": _len, "index": _index, "slice": _slice,
    "print": _sprint, "printf": _sprintf, "println": lambda *a: " ".join(go_print(x) for x in a) + "\n",
    "eq": _eq, "ne": lambda a, b: not _eq(a, b), "lt": _lt, "le": lambda a, b: _lt(a, b) or _eq(a, b),
    "gt": lambda a, b: not (_lt(a, b) or _eq(a, b)), "ge": lambda a, b: not _lt(a, b),
}

DOCKER_FUNCS: dict[str, Callable] = {
    "json": go_json, "split": _split, "join": _join, "title": _title, "lower": str.lower,
    "upper": str.upper, "pad": _pad, "truncate": _truncate,
}

_ARG_TYPES = {"split": (str, str), "join": (None, str), "title": (str,), "lower": (str,), "upper": (str,),
              "pad": (str, int, int), "truncate": (str, int), "json": (None,)}

# ---------------------------------------------------------------------------- execution


class _ExecError(Exception):
    def __init__(self, node: _Node, message: str):
        super().__init__(message)
        self.node, self.message = node, message


class Template:
    """A parsed template; `execute(data)` returns the text."""

    def __init__(self, source: str, funcs: dict[str, Callable] | None = None):
        self.source = source
        self.funcs = {**BUILTINS, **DOCKER_FUNCS, **(funcs or {})}
        self.tree = _Parser(source, self.funcs).parse()
        # Go's Option("missingkey=error"): a missing map key is an error, not <no value>
        self.missing_key_error = False

    def execute(self, data: Any) -> str:
        out: list[str] = []
        try:
            self._walk(self.tree, data, [("$", data)], out)
        except _ExecError as e:
            text = self.source[:e.node.pos]
            line = 1 + text.count("\n")
            col = e.node.pos - (text.rfind("\n") + 1) if "\n" in text else e.node.pos
            raise TemplateError('template: :%d:%d: executing "" at <%s>: %s'
                                % (line, col, e.node.text, e.message)) from None
        return "".join(out)

    # -- statements

    def _walk(self, nodes, dot, vars_, out):
        for node in nodes:
            if isinstance(node, _Text):
                out.append(node.value)
            elif isinstance(node, _Action):
                value = self._pipe(node.pipe, dot, vars_)
                if not node.pipe.decl:
                    out.append(go_print(value))
            else:
                self._branch(node, dot, vars_, out)

    def _branch(self, node: _Branch, dot, vars_, out):
        mark = len(vars_)
        value = self._pipe(node.pipe, dot, vars_) if node.kind != "range" else \
            self._pipe(node.pipe, dot, vars_, range_decl=True)
        if node.kind == "range":
            items = self._range_items(node, value)
            for key, item in items:
                if node.pipe.decl:
                    if len(node.pipe.decl) == 1:
                        vars_.append((node.pipe.decl[0], item))
                    else:
                        vars_.append((node.pipe.decl[0], key))
                        vars_.append((node.pipe.decl[1], item))
                self._walk(node.body, item, vars_, out)
                del vars_[mark:]
            if not items:
                self._walk(node.orelse, dot, vars_, out)
        elif _truth(value):
            self._walk(node.body, value if node.kind == "with" else dot, vars_, out)
        else:
            self._walk(node.orelse, dot, vars_, out)
        del vars_[mark:]

    def _range_items(self, node, value):
        if value is None or value is NO_VALUE:
            return []
        if isinstance(value, dict) and not isinstance(value, Struct):
            return [(k, value[k]) for k in sorted(value)]
        if isinstance(value, (list, tuple)):
            return list(enumerate(value))
        if isinstance(value, int) and not isinstance(value, bool):
            return [(i, i) for i in range(value)]
        raise _ExecError(node.pipe, "range can't iterate over %s" % go_print(value))

    # -- pipelines and commands

    def _pipe(self, pipe: _Pipe, dot, vars_, range_decl=False):
        value = NO_VALUE
        final = None
        for i, cmd in enumerate(pipe.cmds):
            value = self._command(cmd, dot, vars_, final if i else None, has_final=i > 0)
            final = value
        if pipe.decl and not range_decl:
            for name in pipe.decl:
                if pipe.assign:
                    for k in range(len(vars_) - 1, -1, -1):
                        if vars_[k][0] == name:
                            vars_[k] = (name, value)
                            break
                else:
                    vars_.append((name, value))
        return value

    def _command(self, cmd: _Command, dot, vars_, final, has_final):
        first = cmd.args[0]
        if isinstance(first, _Ident):
            return self._call(first, cmd, dot, vars_, final, has_final)
        if len(cmd.args) > 1 or has_final:
            if isinstance(first, _Field):
                return self._field_chain(first, dot, vars_, cmd.args[1:], final, has_final)
            raise _ExecError(first, "can't give argument to non-function %s" % first.text)
        return self._arg(first, dot, vars_)

    def _arg(self, node, dot, vars_):
        if isinstance(node, _Dot):
            return dot
        if isinstance(node, _Literal):
            return node.value
        if isinstance(node, _Var):
            return self._var(node, vars_)
        if isinstance(node, _Field):
            return self._field_chain(node, dot, vars_, [], None, False)
        if isinstance(node, _ParenPipe):
            return self._pipe(node.pipe, dot, vars_)
        if isinstance(node, _Ident):
            return self._call(node, _Command([node], node.pos), dot, vars_, None, False)
        raise _ExecError(node, "can't handle %s" % node.text)

    def _var(self, node: _Var, vars_):
        for name, value in reversed(vars_):
            if name == node.name:
                return value
        raise _ExecError(node, 'undefined variable: %s' % node.name)

    def _field_chain(self, node: _Field, dot, vars_, args, final, has_final):
        if node.receiver is None:
            receiver = dot
        else:
            receiver = self._arg(node.receiver, dot, vars_)
        for i, name in enumerate(node.names):
            last = i == len(node.names) - 1
            receiver = self._field(node, receiver, name, args if last else [], final, has_final and last, dot, vars_)
        return receiver

    def _field(self, node, receiver, name, args, final, has_final, dot, vars_):
        if receiver is NO_VALUE:
            return NO_VALUE
        if receiver is None:
            raise _ExecError(node, "nil pointer evaluating interface {}.%s" % name)
        if isinstance(receiver, Struct):
            if name not in receiver:
                raise _ExecError(node, "can't evaluate field %s in type %s" % (name, receiver.go_type))
            value = receiver[name]
        elif isinstance(receiver, dict):
            if args or has_final:
                raise _ExecError(node, "%s is not a method but has arguments" % name)
            if name not in receiver and self.missing_key_error:
                raise _ExecError(node, 'map has no entry for key "%s"' % name)
            return receiver.get(name, NO_VALUE)
        elif isinstance(receiver, (str, int, float, bool, list, tuple)):
            raise _ExecError(node, "can't evaluate field %s in type %s" % (name, _go_type(receiver)))
        else:
            if name.startswith("_") or not hasattr(receiver, name):
                raise _ExecError(node, "can't evaluate field %s in type %s" % (name, _go_type(receiver)))
            value = getattr(receiver, name)
            if callable(value):
                values = [self._arg(a, dot, vars_) for a in args] + ([final] if has_final else [])
                return value(*values)
        if args or has_final:
            raise _ExecError(node, "%s has arguments but cannot be invoked as function" % name)
        return value

    def _call(self, ident: _Ident, cmd: _Command, dot, vars_, final, has_final):
        name = ident.name
        if name in ("and", "or"):
            arg_nodes = cmd.args[1:]
            if not arg_nodes and not has_final:
                raise _ExecError(ident, "wrong number of args for %s: want at least 1 got 0" % name)
            value = None
            for a in arg_nodes:
                value = self._arg(a, dot, vars_)
                if _truth(value) == (name == "or"):
                    return value
            if has_final:
                value = final
            return value
        func = self.funcs[name]
        values = [self._arg(a, dot, vars_) for a in cmd.args[1:]]
        if has_final:
            values.append(final)
        values = [None if v is NO_VALUE else v for v in values]
        expected = _ARG_TYPES.get(name)
        if expected is not None:
            if len(values) != len(expected):
                raise _ExecError(ident, "wrong number of args for %s: want %d got %d"
                                 % (name, len(expected), len(values)))
            for v, t in zip(values, expected):
                if t is not None and (not isinstance(v, t) or isinstance(v, bool)):
                    raise _ExecError(cmd, "wrong type for value; expected %s; got %s"
                                     % ({str: "string", int: "int"}[t], _go_type(v)))
        try:
            return func(*values)
        except _FuncError as e:
            raise _ExecError(cmd, "error calling %s: %s" % (name, e)) from None
        except TypeError:
            raise _ExecError(ident, "wrong number of args for %s: got %d" % (name, len(values))) from None


def parse(source: str, funcs: dict[str, Callable] | None = None) -> Template:
    """Parse `source` with docker's functions (plus `funcs`); raises TemplateError."""
    return Template(source, funcs)
