"""text/template's lexer: source text to tokens (text, action delimiters, the action's items)."""

from __future__ import annotations

import re

from .values import TemplateError

_KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}
_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|"
                     r"(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Tok:
    """One token: `kind` ("text", "{{", "field", "number"...), its source text `val`, its offset `pos`."""

    __slots__ = ("kind", "val", "pos")

    def __init__(self, kind: str, val: str, pos: int):
        self.kind, self.val, self.pos = kind, val, pos

    def __repr__(self):
        return "%s(%r)" % (self.kind, self.val)


def line_number(text: str, pos: int) -> int:
    """The 1-based line of offset `pos`, as Go's errors count lines."""
    return 1 + text.count("\n", 0, pos)


def lex(text: str) -> list[Tok]:
    """Tokens: text, '{{' ... '}}' actions as token runs, 'eof'."""
    toks: list[Tok] = []
    i = 0
    n = len(text)
    while i < n:
        start = text.find("{{", i)
        if start < 0:
            toks.append(Tok("text", text[i:], i))
            break
        trim_left = text.startswith("{{- ", start) or text.startswith("{{-\t", start) \
            or text.startswith("{{-\n", start) or text.startswith("{{-\r", start)
        body = start + (3 if trim_left else 2)
        chunk = text[i:start]
        if trim_left:
            chunk = chunk.rstrip(" \t\r\n")
        if chunk:
            toks.append(Tok("text", chunk, i))
        if text.startswith("/*", body):
            close = text.find("*/", body)
            if close < 0:
                raise TemplateError("template: :%d: unclosed comment" % line_number(text, start))
            j = close + 2
            trim_right = text.startswith(" -}}", j)
            if trim_right:
                j += 4
            elif text.startswith("}}", j):
                j += 2
            else:
                raise TemplateError("template: :%d: comment ends before closing delimiter"
                                    % line_number(text, start))
            i = _skip_space(text, j) if trim_right else j
            continue
        toks.append(Tok("{{", "{{", start))
        i, trim_right = _lex_action(text, body, toks)
        toks.append(Tok("}}", "}}", i))
        if trim_right:
            i = _skip_space(text, i)
    toks.append(Tok("eof", "", n))
    return toks


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _lex_action(text: str, i: int, toks: list[Tok]) -> tuple[int, bool]:
    """Lex one action's inside from `i`; return (index after the closing delimiter, trimmed)."""
    n = len(text)
    depth = 0
    while True:
        if i >= n:
            raise TemplateError("template: :%d: unclosed action" % line_number(text, i))
        c = text[i]
        if text.startswith("}}", i):
            if depth:
                raise TemplateError("template: :%d: unclosed left paren" % line_number(text, i))
            return i + 2, False
        if c in " \t\r\n":
            j = _skip_space(text, i)
            if text.startswith("-}}", j):
                return j + 3, True
            toks.append(Tok("space", " ", i))
            i = j
        elif c == "\n":
            raise TemplateError("template: :%d: unclosed action" % line_number(text, i))
        elif c == "|":
            toks.append(Tok("|", c, i))
            i += 1
        elif c == "(":
            depth += 1
            toks.append(Tok("(", c, i))
            i += 1
        elif c == ")":
            if not depth:
                raise TemplateError("template: :%d: unexpected right paren" % line_number(text, i))
            depth -= 1
            toks.append(Tok(")", c, i))
            i += 1
        elif c == ",":
            toks.append(Tok(",", c, i))
            i += 1
        elif text.startswith(":=", i):
            toks.append(Tok(":=", ":=", i))
            i += 2
        elif c == "=":
            toks.append(Tok("=", c, i))
            i += 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    j += 1
                if j >= n or text[j] == "\n":
                    raise TemplateError("template: :%d: unterminated quoted string" % line_number(text, i))
                j += 1
            if j >= n:
                raise TemplateError("template: :%d: unterminated quoted string" % line_number(text, i))
            toks.append(Tok("string", text[i:j + 1], i))
            i = j + 1
        elif c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise TemplateError("template: :%d: unterminated raw quoted string" % line_number(text, i))
            toks.append(Tok("rawstring", text[i:j + 1], i))
            i = j + 1
        elif c == "$":
            m = _IDENT.match(text, i + 1)
            name = "$" + (m.group(0) if m else "")
            toks.append(Tok("variable", name, i))
            i += len(name)
        elif c == ".":
            m = _IDENT.match(text, i + 1)
            if m:
                toks.append(Tok("field", "." + m.group(0), i))
                i = m.end()
            elif i + 1 < n and text[i + 1].isdigit():
                m = _NUMBER.match(text, i)
                toks.append(Tok("number", m.group(0), i))
                i = m.end()
            else:
                toks.append(Tok("dot", ".", i))
                i += 1
        elif c.isdigit() or (c in "+-" and i + 1 < n and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            toks.append(Tok("number", m.group(0), i))
            i = m.end()
        elif c.isalpha() or c == "_":
            m = _IDENT.match(text, i)
            word = m.group(0)
            kind = "keyword" if word in _KEYWORDS else "bool" if word in ("true", "false") \
                else "nil" if word == "nil" else "identifier"
            toks.append(Tok(kind, word, i))
            i = m.end()
        else:
            raise TemplateError("template: :%d: unexpected %s in command" % (line_number(text, i), _quote_char(c)))


def _quote_char(c: str) -> str:
    return '"%s"' % c if c.isprintable() else "<%r>" % c
