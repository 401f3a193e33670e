"""Variable expansion in Dockerfile words, as the classic builder does it.

A port of the parts of moby/buildkit `frontend/dockerfile/shell/lex.go` (vendored in
Docker 20.10) that the builder uses: `ProcessWord` (one word: quotes removed, `$VAR`,
`${VAR}`, `${VAR:-word}`, `${VAR:+word}`, `${VAR:?msg}` expanded, the escape character
protecting the next one) and `ProcessWords` (the same, split into words on unquoted
blanks, for EXPOSE). Unset variables expand to nothing.
"""

from __future__ import annotations


class ExpansionError(ValueError):
    """A malformed substitution (`missing ':' in substitution`, ...)."""


def _lookup(env: list[str], name: str) -> tuple[str, bool]:
    for item in env:
        key, eq, value = item.partition("=")
        if key == name:
            return (value if eq else ""), True
    return "", False


class _Lexer:
    def __init__(self, text: str, env: list[str], escape: str):
        self.text, self.env, self.escape = text, env, escape
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        self.pos += 1 if ch else 0
        return ch

    def process(self, stop: str = "") -> tuple[str, list[str]]:
        """(the whole result, its words); stops before `stop` at top level when given."""
        result, word, words, in_word = [], [], [], False
        while self.peek():
            ch = self.peek()
            if stop and ch == stop:
                break
            if ch == "'":
                self.next()
                text = self.single_quoted()
                result.append(text), word.append(text)
                in_word = True
            elif ch == '"':
                self.next()
                text = self.double_quoted()
                result.append(text), word.append(text)
                in_word = True
            elif ch == "$":
                text = self.dollar()
                result.append(text)
                for c in text:
                    if c in " \t\n":
                        if word or in_word:
                            words.append("".join(word))
                        word, in_word = [], False
                    else:
                        word.append(c)
            else:
                self.next()
                if ch == self.escape:
                    if not self.peek():
                        continue
                    ch = self.next()
                    result.append(ch), word.append(ch)
                    in_word = True
                    continue
                result.append(ch)
                if ch in " \t\n":
                    if word or in_word:
                        words.append("".join(word))
                    word, in_word = [], False
                else:
                    word.append(ch)
        if word or in_word:
            words.append("".join(word))
        return "".join(result), words

    def single_quoted(self) -> str:
        out = []
        while True:
            ch = self.next()
            if not ch:
                raise ExpansionError("unexpected end of statement while looking for matching single-quote")
            if ch == "'":
                return "".join(out)
            out.append(ch)

    def double_quoted(self) -> str:
        out = []
        while True:
            ch = self.peek()
            if not ch:
                raise ExpansionError("unexpected end of statement while looking for matching double-quote")
            if ch == '"':
                self.next()
                return "".join(out)
            if ch == "$":
                out.append(self.dollar())
                continue
            self.next()
            if ch == self.escape:
                nxt = self.peek()
                if not nxt:
                    continue
                if nxt in ('"', "$", self.escape):
                    ch = self.next()
            out.append(ch)

    def name(self) -> str:
        out = []
        while self.peek() and (self.peek().isalnum() or self.peek() == "_"):
            out.append(self.next())
        return "".join(out)

    def dollar(self) -> str:
        self.next()  # the $
        if self.peek() != "{":
            name = self.name()
            if not name:
                return "$"
            return _lookup(self.env, name)[0]
        self.next()  # the {
        name = self.name()
        ch = self.next()
        if ch == "}":
            return _lookup(self.env, name)[0]
        if ch == ":":
            modifier = self.next()
            word, _ = self.process(stop="}")
            if self.next() != "}":
                raise ExpansionError("syntax error: missing '}'")
            value, found = _lookup(self.env, name)
            if modifier == "-":
                return value if found and value else word
            if modifier == "+":
                return word if value else value
            if modifier == "?":
                if not found or not value:
                    raise ExpansionError(f"{name}: {word or 'is not allowed to be empty'}")
                return value
            raise ExpansionError(f"unsupported modifier ({modifier}) in substitution")
        raise ExpansionError("missing ':' in substitution")


def process_word(text: str, env: list[str], escape: str = "\\") -> str:
    """`Lex.ProcessWord`: the expanded word, quotes removed."""
    return _Lexer(text, env, escape).process()[0]


def process_words(text: str, env: list[str], escape: str = "\\") -> list[str]:
    """`Lex.ProcessWords`: the expanded text split on unquoted blanks."""
    return _Lexer(text, env, escape).process()[1]
