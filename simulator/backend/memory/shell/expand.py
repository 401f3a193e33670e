"""Word expansion: parameters, command substitution, arithmetic, field splitting, globbing."""

from __future__ import annotations

import fnmatch
import posixpath
from typing import TYPE_CHECKING

from ....model.fs import FSError
from ....model.layer import normpath
from ..programs.runtime import Buffer, ExitShell
from .arith import Arith
from .lexer import Lexer

if TYPE_CHECKING:
    from .interpreter import Shell


class Expansion:
    """The expansion half of `Shell` (mixed into it): reads its `vars`, `params`, `status`,
    `ctx`, and runs command substitutions through its `subshell` and `run_nested`."""

    def expand_words(self, words: list[tuple]) -> list[str]:
        out: list[str] = []
        for w in words:
            out.extend(self.expand_word(w))
        return out

    def expand_pattern(self, word: tuple) -> str:
        """A `case` pattern: quoted parts match literally."""
        out = []
        for part in word:
            if part[0] == "u":
                out.append(part[1])
            else:
                text = self.expand_word((part,), split=False, glob=False)[0]
                out.append(_quote_glob(text))
        return "".join(out)

    def expand_word(self, word: tuple, split: bool = True, glob: bool = True) -> list[str]:
        """Fields of a word: parameter, command and arithmetic expansion, then field
        splitting of unquoted results, then pathname expansion."""
        fields: list[list] = [[[], [], False]]   # [text chars, pattern chars, has glob]
        quoted_any = False
        ifs = self.vars.get("IFS", " \t\n")

        def add(text: str, quoted: bool, splittable: bool) -> None:
            if splittable and split:
                pieces = _split(text, ifs)
                if text and text[0] in ifs and fields[-1][0]:
                    fields.append([[], [], False])
                for k, piece in enumerate(pieces):
                    if k:
                        fields.append([[], [], False])
                    add(piece, True, False)
                if text and text[-1] in ifs and pieces:
                    fields.append([[], [], False])
                return
            f = fields[-1]
            f[0].append(text)
            if quoted:
                f[1].append(_quote_glob(text))
            else:
                f[1].append(text)
                f[2] = f[2] or any(c in text for c in "*?[")

        for i, part in enumerate(word):
            kind = part[0]
            if kind == "u":
                text = part[1]
                if i == 0 and text.startswith("~") and (len(text) == 1 or text[1] == "/"):
                    text = self.vars.get("HOME", "/root") + text[1:]
                add(text, False, False)
            elif kind == "q":
                quoted_any = True
                add(part[1], True, False)
            elif kind == "var":
                quoted = part[4]
                quoted_any = quoted_any or quoted
                if part[1] == "@" and quoted:
                    for k, p in enumerate(self.params):
                        if k:
                            fields.append([[], [], False])
                        add(p, True, False)
                    continue
                add(self.param(part), quoted, not quoted)
            elif kind == "cmd":
                quoted_any = quoted_any or part[2]
                add(self.command_subst(part[1]), part[2], not part[2])
            elif kind == "arith":
                quoted_any = quoted_any or part[2]
                add(str(self.arith(part[1])), part[2], not part[2])
        out: list[str] = []
        for text, pattern, has_glob in fields:
            t = "".join(text)
            if has_glob and glob:
                matches = self.glob("".join(pattern))
                if matches:
                    out.extend(matches)
                    continue
            out.append(t)
        if out == [""] and not quoted_any and split:
            return []
        if not split and not out:
            return [""]
        return out

    def param(self, part: tuple) -> str:
        _, name, op, arg, _quoted = part
        value = self.lookup(name)
        if op == "#" and arg is None:   # ${#VAR}; ${VAR#pattern} has an arg
            return str(len(value or ""))
        if not op:
            return value or ""
        empty = value is None or (op.startswith(":") and value == "")
        argv = lambda: self.expand_word(arg, split=False)[0] if arg is not None else ""
        if op in (":-", "-"):
            return argv() if empty else value
        if op in (":=", "="):
            if empty:
                self.vars[name] = argv()
            return self.vars[name]
        if op in (":+", "+"):
            return "" if empty else argv()
        if op in (":?", "?"):
            if empty:
                msg = argv() or "parameter not set"
                self.error(f"{name}: {msg}")
                raise ExitShell(1)
            return value
        pat = self.expand_pattern(arg)
        value = value or ""
        if op in ("%", "%%"):
            cuts = range(len(value), -1, -1) if op == "%" else range(0, len(value) + 1)
            for k in cuts:
                if fnmatch.fnmatchcase(value[k:], pat):
                    return value[:k]
            return value
        # `#` strips the shortest matching prefix, `##` the longest
        cuts = range(0, len(value) + 1) if op == "#" else range(len(value), -1, -1)
        for k in cuts:
            if fnmatch.fnmatchcase(value[:k], pat):
                return value[k:]
        return value

    def lookup(self, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "#":
            return str(len(self.params))
        if name in ("@", "*"):
            return " ".join(self.params)
        if name == "$":
            return "1"
        if name == "!":
            return ""
        if name == "-":
            return "e" if self.errexit else ""
        if name.isdigit():
            n = int(name)
            if n == 0:
                return self.name
            return self.params[n - 1] if n <= len(self.params) else None
        return self.vars.get(name)

    def command_subst(self, src: str) -> str:
        buf = Buffer()

        def body(sh: Shell) -> int:
            sh.ctx.fds[1] = buf
            return sh.run_nested(src)

        self.subst_status = self.subshell(body)
        return buf.text().rstrip("\n")

    def arith(self, text: str) -> int:
        expanded = self.expand_word(Lexer(text).word_in_brace(), split=False, glob=False)[0]
        try:
            return Arith(self).eval(expanded)
        except (SyntaxError, ValueError, ZeroDivisionError, KeyError):
            self.error("arithmetic syntax error")
            raise ExitShell(2)

    def glob(self, pattern: str) -> list[str]:
        absolute = pattern.startswith("/")
        base = "/" if absolute else self.ctx.cwd
        found = [("" if not absolute else "/", base)]
        parts = [p for p in pattern.split("/") if p]
        for k, comp in enumerate(parts):
            nxt = []
            for shown, real in found:
                if not any(c in comp for c in "*?["):
                    lit = comp.replace("[*]", "*").replace("[?]", "?").replace("[[]", "[")
                    path = normpath(posixpath.join(real, lit))
                    if self.ctx.fs.exists(path):
                        nxt.append((shown + lit + ("/" if k < len(parts) - 1 else ""), path))
                    continue
                try:
                    names = self.ctx.fs.listdir(real)
                except FSError:
                    continue
                for n in names:
                    if n.startswith(".") and not comp.startswith("."):
                        continue
                    if fnmatch.fnmatchcase(n, comp):
                        nxt.append((shown + n + ("/" if k < len(parts) - 1 else ""), posixpath.join(real, n)))
            found = nxt
        return sorted(s for s, _ in found)


def _quote_glob(text: str) -> str:
    """`text` as a pattern that matches only itself (quoted text is not a glob)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _split(text: str, ifs: str) -> list[str]:
    out, cur = [], []
    for c in text:
        if c in ifs:
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(c)
    if cur:
        out.append("".join(cur))
    return out
