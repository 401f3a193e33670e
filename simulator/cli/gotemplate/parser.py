"""text/template's parser: tokens to a tree of nodes, with Go's parse-error wording."""

from __future__ import annotations

import re
from typing import Callable

from .lexer import Tok, lex, line_number
from .nodes import Action, Branch, Command, Dot, Field, Ident, Literal, Node, ParenPipe, Pipe, Text, Var
from .values import TemplateError


class Parser:
    def __init__(self, source: str, funcs: dict[str, Callable]):
        self.source = source
        self.funcs = funcs
        self.toks = lex(source)
        self.i = 0
        self.vars = [["$"]]

    def error(self, msg: str, tok: Tok | None = None):
        tok = tok or self.toks[self.i]
        raise TemplateError("template: :%d: %s" % (line_number(self.source, tok.pos), msg))

    def peek(self) -> Tok:
        return self.toks[self.i]

    def next(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def next_non_space(self) -> Tok:
        tok = self.next()
        while tok.kind == "space":
            tok = self.next()
        return tok

    def peek_non_space(self) -> Tok:
        j = self.i
        while self.toks[j].kind == "space":
            j += 1
        return self.toks[j]

    def parse(self) -> list[Node]:
        body, end = self.list_until()
        if end is not None:
            self.error("unexpected {{%s}}" % end, None)
        return body

    def list_until(self) -> tuple[list[Node], str | None]:
        """Parse nodes until {{end}}/{{else}} (returned) or EOF (None)."""
        nodes: list[Node] = []
        while True:
            tok = self.next()
            if tok.kind == "eof":
                return nodes, None
            if tok.kind == "text":
                nodes.append(Text(tok.val))
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
                nodes.append(Action(pipe))

    def control(self, kw: Tok) -> Node:
        if kw.val not in ("if", "range", "with"):
            self.error("unexpected <%s> in command" % kw.val if kw.val in ("break", "continue")
                       else "%s is not supported by docker --format" % kw.val, kw)
        self.vars.append(list(self.vars[-1]))
        pipe = self.pipeline(kw.val, end="}}")
        body, end = self.list_until()
        orelse: list[Node] = []
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
        return Branch(kw.val, pipe, body, orelse)

    def pipeline(self, context: str, end: str) -> Pipe:
        start = self.peek_non_space()
        decl: list[str] = []
        assign = False
        # declarations: $x := / $x = / $i, $v :=
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
            break
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
            if isinstance(cmd.args[0], (Literal, Dot)):
                self.error("non executable command in pipeline stage 2")
        return Pipe(decl, assign, cmds, start.pos)

    def command(self, end: str) -> Command:
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
        return Command(args, start.pos)

    def operand(self, tok: Tok) -> Node:
        node = self.term(tok)
        names = []
        while self.peek().kind == "field":
            names.append(self.next().val[1:])
        if names:
            if isinstance(node, Field):
                return Field(node.receiver, node.names + names, node.pos, node.text + "." + ".".join(names))
            if isinstance(node, (Literal, Dot)):
                self.error("unexpected . after term %s" % node.text)
            return Field(node, names, node.pos, node.text + "." + ".".join(names))
        return node

    def term(self, tok: Tok) -> Node:
        if tok.kind == "field":
            return Field(None, [tok.val[1:]], tok.pos, tok.val)
        if tok.kind == "dot":
            return Dot(tok.pos)
        if tok.kind == "variable":
            if tok.val not in self.vars[-1]:
                self.error('undefined variable "%s"' % tok.val, tok)
            return Var(tok.val, tok.pos)
        if tok.kind == "identifier":
            if tok.val not in self.funcs:
                self.error('function "%s" not defined' % tok.val, tok)
            return Ident(tok.val, tok.pos)
        if tok.kind == "string":
            return Literal(_unquote(tok.val), tok.pos, tok.val)
        if tok.kind == "rawstring":
            return Literal(tok.val[1:-1], tok.pos, tok.val)
        if tok.kind == "number":
            return Literal(_number(tok.val, self, tok), tok.pos, tok.val)
        if tok.kind == "bool":
            return Literal(tok.val == "true", tok.pos, tok.val)
        if tok.kind == "nil":
            return Literal(None, tok.pos, "nil")
        if tok.kind == "(":
            pipe = self.pipeline("parenthesized pipeline", end=")")
            return ParenPipe(pipe)
        self.error("unexpected %s in operand" % _describe(tok), tok)


def _describe(tok: Tok) -> str:
    return '"%s"' % tok.val if tok.kind != "eof" else "EOF"


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


def _number(text: str, parser: Parser, tok: Tok):
    clean = text.replace("_", "")
    try:
        if re.fullmatch(r"[+-]?0[xXbBoO].*", clean):
            return int(clean, 0)
        if re.fullmatch(r"[+-]?\d+", clean):
            return int(clean, 10)
        return float(clean)
    except ValueError:
        parser.error('bad number syntax: "%s"' % text, tok)
