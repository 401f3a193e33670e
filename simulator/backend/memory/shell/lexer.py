"""The shell's lexer: source text to tokens, each word as a tuple of parts.

A word is a tuple of parts: ("u", text) unquoted literal, ("q", text) quoted literal,
("var", name, op, word|None, quoted), ("cmd", source, quoted), ("arith", text, quoted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

KEYWORDS = {"if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "in",
            "case", "esac", "{", "}", "!"}
OPERATORS = ("&&", "||", ";;", ">>", "<<", ">&", "<&", ">|", "&", "|", ";", "(", ")", "<", ">", "\n")
SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}


class SyntaxErr(Exception):
    """`sh: syntax error: <message>` (exit 2)."""


@dataclass
class Tok:
    kind: str            # "word", "op", "fd", "eof"
    value: object        # the parts of a word, the operator text, or the fd number
    text: str = ""       # the source text (for keywords and error messages)
    line: int = 1


def literal(word: tuple) -> str | None:
    """The text of a word made only of unquoted literal parts (keywords, names)."""
    if all(p[0] == "u" for p in word):
        return "".join(p[1] for p in word)
    return None


class Lexer:
    """Turns shell source into tokens, lazily (so a later syntax error does not stop
    earlier lines from running)."""

    def __init__(self, src: str):
        self.src = src
        self.i = 0

    def tokens(self) -> Iterator[Tok]:
        s = self.src
        while True:
            while self.i < len(s) and s[self.i] in " \t":
                self.i += 1
            line = s.count("\n", 0, self.i) + 1
            if self.i >= len(s):
                yield Tok("eof", None, "end of file", line)
                return
            c = s[self.i]
            if c == "#":
                while self.i < len(s) and s[self.i] != "\n":
                    self.i += 1
                continue
            if c == "\\" and s[self.i:self.i + 2] == "\\\n":
                self.i += 2
                continue
            op = next((o for o in OPERATORS if s.startswith(o, self.i)), None)
            if op:
                self.i += len(op)
                yield Tok("op", op, op, line)
                continue
            start = self.i
            parts = self.word()
            text = s[start:self.i]
            if text.isdigit() and self.i < len(s) and s[self.i] in "<>":
                yield Tok("fd", int(text), text, line)
                continue
            yield Tok("word", parts, text, line)

    def word(self) -> tuple:
        s = self.src
        parts: list[tuple] = []
        buf: list[str] = []

        def flush(kind: str = "u") -> None:
            if buf:
                parts.append((kind, "".join(buf)))
                buf.clear()

        while self.i < len(s):
            c = s[self.i]
            if c in " \t\n;&|()<>":
                break
            if c == "\\":
                flush()
                if s[self.i + 1:self.i + 2] == "\n":
                    self.i += 2
                    continue
                parts.append(("q", s[self.i + 1:self.i + 2]))
                self.i += 2
            elif c == "'":
                flush()
                end = s.find("'", self.i + 1)
                if end < 0:
                    raise SyntaxErr("unterminated quoted string")
                parts.append(("q", s[self.i + 1:end]))
                self.i = end + 1
            elif c == '"':
                flush()
                self.i += 1
                parts.extend(self.double_quoted())
            elif c == "$" or c == "`":
                flush()
                parts.append(self.dollar(quoted=False))
            else:
                buf.append(c)
                self.i += 1
        flush()
        return tuple(parts)

    def double_quoted(self) -> list[tuple]:
        s = self.src
        parts: list[tuple] = []
        buf: list[str] = []
        while True:
            if self.i >= len(s):
                raise SyntaxErr("unterminated quoted string")
            c = s[self.i]
            if c == '"':
                self.i += 1
                break
            if c == "\\" and s[self.i + 1:self.i + 2] in ("$", "`", '"', "\\", "\n"):
                if s[self.i + 1] != "\n":
                    buf.append(s[self.i + 1])
                self.i += 2
            elif c in "$`":
                if buf:
                    parts.append(("q", "".join(buf)))
                    buf = []
                parts.append(self.dollar(quoted=True))
            else:
                buf.append(c)
                self.i += 1
        if buf or not parts:
            parts.append(("q", "".join(buf)))
        return parts

    def _balanced(self, start: int, open_: str, close: str) -> int:
        """Index of the `close` matching an `open_` just before `start` (quotes skipped)."""
        s, depth, i = self.src, 1, start
        while i < len(s):
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c == "'":
                i = s.find("'", i + 1)
                if i < 0:
                    break
            elif c == '"':
                i += 1
                while i < len(s) and s[i] != '"':
                    i += 2 if s[i] == "\\" else 1
            elif c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        raise SyntaxErr(f'unexpected end of file (expecting "{close}")')

    def dollar(self, quoted: bool) -> tuple:
        s = self.src
        if s[self.i] == "`":
            end = s.find("`", self.i + 1)
            if end < 0:
                raise SyntaxErr("unterminated quoted string")
            src = s[self.i + 1:end]
            self.i = end + 1
            return ("cmd", src, quoted)
        nxt = s[self.i + 1:self.i + 2]
        if s.startswith("$((", self.i):
            end = self._balanced(self.i + 3, "(", ")")
            text = s[self.i + 3:end]
            self.i = end + 2
            return ("arith", text, quoted)
        if nxt == "(":
            end = self._balanced(self.i + 2, "(", ")")
            src = s[self.i + 2:end]
            self.i = end + 1
            return ("cmd", src, quoted)
        if nxt == "{":
            end = self._balanced(self.i + 2, "{", "}")
            body = s[self.i + 2:end]
            self.i = end + 1
            return self.braced(body, quoted)
        if nxt and (nxt.isalpha() or nxt == "_"):
            j = self.i + 1
            while j < len(s) and (s[j].isalnum() or s[j] == "_"):
                j += 1
            name = s[self.i + 1:j]
            self.i = j
            return ("var", name, "", None, quoted)
        if nxt and nxt in "?#@*$!0123456789-":
            self.i += 2
            return ("var", nxt, "", None, quoted)
        self.i += 1
        return ("q" if quoted else "u", "$")

    @staticmethod
    def braced(body: str, quoted: bool) -> tuple:
        if body.startswith("#") and len(body) > 1:
            return ("var", body[1:], "#", None, quoted)
        j = 0
        while j < len(body) and (body[j].isalnum() or body[j] == "_" or (j == 0 and body[j] in "?#@*$!")):
            j += 1
        name, rest = body[:j], body[j:]
        if not name:
            raise SyntaxErr("bad substitution")
        for op in (":-", ":=", ":+", ":?", "-", "=", "+", "?", "%%", "%", "##", "#"):
            if rest.startswith(op):
                arg = Lexer(rest[len(op):]).word_in_brace()
                return ("var", name, op, arg, quoted)
        if rest:
            raise SyntaxErr("bad substitution")
        return ("var", name, "", None, quoted)

    def word_in_brace(self) -> tuple:
        """The word after `${VAR:-`: spaces are part of it."""
        parts: list[tuple] = []
        while self.i < len(self.src):
            start = self.i
            while self.i < len(self.src) and self.src[self.i] in " \t":
                self.i += 1
            if self.i > start:
                parts.append(("q", self.src[start:self.i]))
            if self.i >= len(self.src):
                break
            before = self.i
            parts.extend(self.word())
            if self.i == before:
                parts.append(("u", self.src[self.i]))
                self.i += 1
        return tuple(parts)
