"""Recursive descent from tokens to the syntax tree, one complete line at a time, with ash's
syntax-error wording."""

from __future__ import annotations

from .lexer import KEYWORDS, Lexer, SyntaxErr, Tok, literal
from .syntax import AndOr, Case, CmdList, For, FuncDef, Group, If, Loop, Pipeline, Redir, Simple


class Parser:
    """Recursive descent over the tokens; `next_line()` returns one complete line."""

    def __init__(self, src: str, offset: int = 0):
        self.lexer = Lexer(src)
        self.lexer.i = offset
        self.toks = self.lexer.tokens()
        self.tok_from = offset
        self.tok = next(self.toks)

    def unparsed(self) -> int:
        """Where the source not yet parsed (from the current token on) begins: after
        `next_line()`, where the lines it has not returned begin."""
        return self.tok_from

    def advance(self) -> Tok:
        tok = self.tok
        self.tok_from = self.lexer.i
        self.tok = next(self.toks, Tok("eof", None, "end of file"))
        return tok

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.value in ops

    def is_kw(self, *kws: str) -> bool:
        return self.tok.kind == "word" and literal(self.tok.value) in kws

    def unexpected(self, expecting: str | None = None) -> SyntaxErr:
        t = self.tok
        if t.kind == "eof":
            what = "end of file"
        elif t.kind == "op" and t.value == "\n":
            what = "newline"
        elif t.kind == "word" and literal(t.value) not in KEYWORDS:
            what = "word"
        else:
            what = f'"{t.text}"'
        return SyntaxErr(f"unexpected {what}" + (f' (expecting "{expecting}")' if expecting else ""))

    def skip_newlines(self) -> None:
        while self.is_op("\n"):
            self.advance()

    def next_line(self) -> CmdList | None:
        """The next complete line, or None at the end of the script."""
        self.skip_newlines()
        if self.tok.kind == "eof":
            return None
        body = self.cmd_list(stop=(), top=True)
        if not (self.is_op("\n") or self.tok.kind == "eof"):
            raise self.unexpected()
        return body

    def cmd_list(self, stop: tuple[str, ...], top: bool = False) -> CmdList:
        items: list[tuple[AndOr, bool]] = []
        while True:
            if not top:
                self.skip_newlines()
            if self.tok.kind == "eof" or self.is_kw(*stop) or self.is_op(")", ";;"):
                break
            if top and self.is_op("\n"):
                break
            node = self.and_or()
            bg = False
            if self.is_op("&", ";"):
                bg = self.advance().value == "&"
                items.append((node, bg))
                continue
            items.append((node, bg))
            if self.is_op("\n"):
                if top:
                    break
                continue
            break
        return CmdList(items)

    def body(self, stop: tuple[str, ...], expecting: str) -> CmdList:
        body = self.cmd_list(stop)
        if not body.items:
            raise self.unexpected(None if self.tok.kind != "eof" else expecting)
        return body

    def expect(self, kw: str) -> None:
        if not self.is_kw(kw):
            raise self.unexpected(kw)
        self.advance()

    def and_or(self) -> AndOr:
        first = self.pipeline()
        rest = []
        while self.is_op("&&", "||"):
            op = self.advance().value
            self.skip_newlines()
            rest.append((op, self.pipeline()))
        return AndOr(first, rest)

    def pipeline(self) -> Pipeline:
        negate = False
        if self.is_kw("!"):
            self.advance()
            negate = True
        cmds = [self.command()]
        while self.is_op("|"):
            self.advance()
            self.skip_newlines()
            cmds.append(self.command())
        return Pipeline(cmds, negate)

    def redirs(self) -> list[Redir]:
        out = []
        while self.tok.kind == "fd" or self.is_op(">", ">>", "<", ">&", "<&", ">|"):
            out.append(self.redir())
        return out

    def redir(self) -> Redir:
        fd = None
        if self.tok.kind == "fd":
            fd = self.advance().value
        op = self.advance().value
        if op == "<<":
            raise SyntaxErr('unexpected "<<"')
        if self.tok.kind != "word":
            raise self.unexpected()
        target = self.advance().value
        op = ">" if op == ">|" else op
        return Redir(fd if fd is not None else (0 if op.startswith("<") else 1), op, target)

    def command(self):
        t = self.tok
        if t.kind == "word":
            kw = literal(t.value)
            if kw == "if":
                return self.if_()
            if kw in ("while", "until"):
                self.advance()
                cond = self.body(("do",), "do")
                self.expect("do")
                body = self.body(("done",), "done")
                self.expect("done")
                return Loop(cond, body, kw == "until", self.redirs())
            if kw == "for":
                return self.for_()
            if kw == "case":
                return self.case()
            if kw == "{":
                self.advance()
                body = self.body(("}",), "}")
                self.expect("}")
                return Group(body, False, self.redirs())
            if kw in KEYWORDS:
                raise self.unexpected()
        if self.is_op("("):
            self.advance()
            body = self.cmd_list(())
            if not self.is_op(")"):
                raise self.unexpected(")")
            self.advance()
            return Group(body, True, self.redirs())
        return self.simple()

    def if_(self) -> If:
        self.advance()
        arms = []
        otherwise = None
        while True:
            cond = self.body(("then",), "then")
            self.expect("then")
            arms.append((cond, self.body(("elif", "else", "fi"), "fi")))
            if self.is_kw("elif"):
                self.advance()
                continue
            if self.is_kw("else"):
                self.advance()
                otherwise = self.body(("fi",), "fi")
            self.expect("fi")
            return If(arms, otherwise, self.redirs())

    def for_(self) -> For:
        self.advance()
        if self.tok.kind != "word":
            raise self.unexpected()
        var = literal(self.advance().value) or ""
        words = None
        self.skip_newlines()
        if self.is_kw("in"):
            self.advance()
            words = []
            while self.tok.kind == "word":
                words.append(self.advance().value)
            if not self.is_op(";", "\n"):
                raise self.unexpected("do")
            self.advance()
        elif self.is_op(";"):
            self.advance()
        self.skip_newlines()
        self.expect("do")
        body = self.body(("done",), "done")
        self.expect("done")
        return For(var, words, body, self.redirs())

    def case(self) -> Case:
        self.advance()
        word = self.advance().value
        self.skip_newlines()
        self.expect("in")
        arms = []
        while True:
            self.skip_newlines()
            if self.is_kw("esac"):
                self.advance()
                return Case(word, arms, self.redirs())
            if self.is_op("("):
                self.advance()
            patterns = []
            while True:
                if self.tok.kind != "word":
                    raise self.unexpected()
                patterns.append(self.advance().value)
                if self.is_op("|"):
                    self.advance()
                    continue
                break
            if not self.is_op(")"):
                raise self.unexpected(")")
            self.advance()
            body = self.cmd_list(("esac",))
            arms.append((patterns, body))
            if self.is_op(";;"):
                self.advance()
            elif not self.is_kw("esac"):
                raise self.unexpected("esac")

    def simple(self):
        line = self.tok.line
        assigns, words, redirs = [], [], []
        while True:
            if self.tok.kind == "fd" or self.is_op(">", ">>", "<", ">&", "<&", ">|"):
                redirs.append(self.redir())
            elif self.tok.kind == "word":
                parts = self.tok.value
                lit0 = parts[0][1] if parts and parts[0][0] == "u" else ""
                if not words and "=" in lit0 and lit0.split("=", 1)[0].isidentifier():
                    name, first = lit0.split("=", 1)
                    value = ((("u", first),) if first else ()) + tuple(parts[1:])
                    assigns.append((name, value))
                    self.advance()
                else:
                    words.append(self.advance().value)
                    if len(words) == 1 and not assigns and self.is_op("("):
                        return self.funcdef(words[0])
            else:
                break
        if not (assigns or words or redirs):
            raise self.unexpected()
        return Simple(assigns, words, redirs, line)

    def funcdef(self, name_word: tuple) -> FuncDef:
        self.advance()
        if not self.is_op(")"):
            raise self.unexpected()
        self.advance()
        self.skip_newlines()
        return FuncDef(literal(name_word) or "", self.command())
