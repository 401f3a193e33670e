"""A simulated POSIX `sh`, in the flavour of busybox ash.

Supported: quoting (single, double, backslash), `;` `&` `&&` `||` `|` `!`, redirections
(`>` `>>` `<` `N>&M`, `N>file`), `$VAR` `${VAR}` `${VAR:-w}` `${VAR:=w}` `${VAR:+w}`
`${#VAR}` `$?` `$#` `$@` `$*` `$0..9` `$$`, `$(...)` and backquotes, `$((...))`, `~`,
globbing against the union view, assignments, `if` `while` `until` `for` `case`,
`{ }` and `( )`, functions, and the builtins below. Errors use busybox's wording
(`sh: X: not found`, `sh: syntax error: unexpected "fi"`).

As ash does, the script is parsed one line (one complete command list) at a time, and
each line runs before the next is parsed: a syntax error stops the script there (exit 2).

Simplifications (declared in docs/fidelity.md): commands in a pipeline or in the
background run one after the other, not concurrently; a `while`/`until` loop that
comes back to the same state (same files, same variables, no output) is polling: it
blocks until the files change, and the shell is described as `Waiting` data so that the
backend can run it again from that loop; a loop still going after an hour of virtual
time or 10000 iterations blocks for good; a trap runs against a throwaway copy of the
filesystem.
"""

from __future__ import annotations

import ast
import fnmatch
import operator
import posixpath
from dataclasses import dataclass, field
from typing import Iterator

from ...model.fs import FSError
from ...model.layer import Kind, normpath
from .programs.runtime import Buffer, Ctx, EndlessInput, ExitShell, Forever, Null, Polling, Sink, StdinText

LOOP_HORIZON = 3600.0
LOOP_MAX = 10000
KEYWORDS = {"if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "in",
            "case", "esac", "{", "}", "!"}
OPERATORS = ("&&", "||", ";;", ">>", "<<", ">&", "<&", ">|", "&", "|", ";", "(", ")", "<", ">", "\n")
SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}


class SyntaxErr(Exception):
    """`sh: syntax error: <message>` (exit 2)."""


# -- words -----------------------------------------------------------------------------
# A word is a tuple of parts: ("u", text) unquoted literal, ("q", text) quoted literal,
# ("var", name, op, word|None, quoted), ("cmd", source, quoted), ("arith", text, quoted).

@dataclass
class Tok:
    kind: str            # "word", "op", "fd", "eof"
    value: object        # the parts of a word, the operator text, or the fd number
    text: str = ""       # the source text (for keywords and error messages)
    line: int = 1


def _literal(word: tuple) -> str | None:
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


# -- syntax tree -----------------------------------------------------------------------

@dataclass
class Redir:
    fd: int
    op: str          # ">", ">>", "<", ">&", "<&"
    target: tuple    # a word


@dataclass
class Simple:
    assigns: list[tuple[str, tuple]]
    words: list[tuple]
    redirs: list[Redir]
    line: int = 1


@dataclass
class Pipeline:
    cmds: list
    negate: bool = False


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


@dataclass
class CmdList:
    items: list[tuple[AndOr, bool]]     # (command, run in background)


@dataclass
class If:
    arms: list[tuple[CmdList, CmdList]]
    otherwise: CmdList | None
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class Loop:
    cond: CmdList
    body: CmdList
    until: bool
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class For:
    var: str
    words: list[tuple] | None
    body: CmdList
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class Case:
    word: tuple
    arms: list[tuple[list[tuple], CmdList]]
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class Group:
    body: CmdList
    subshell: bool
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class FuncDef:
    name: str
    body: object


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
        return self.tok.kind == "word" and _literal(self.tok.value) in kws

    def unexpected(self, expecting: str | None = None) -> SyntaxErr:
        t = self.tok
        if t.kind == "eof":
            what = "end of file"
        elif t.kind == "op" and t.value == "\n":
            what = "newline"
        elif t.kind == "word" and _literal(t.value) not in KEYWORDS:
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
            kw = _literal(t.value)
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
        var = _literal(self.advance().value) or ""
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
        return FuncDef(_literal(name_word) or "", self.command())


# -- the interpreter -------------------------------------------------------------------

@dataclass
class Waiting:
    """A shell blocked in a polling loop, as plain data (picklable): enough to run it
    again from that loop when the files may have changed.

    rest: the (and-or list, background) items to run first: the loop, then what the
      commands around it still have to run, up to the end of its line. src, offset: the script and where its unparsed lines
      begin. state: the shell's own attributes (variables, functions, traps, `$@`, ...).
    argv, env, cwd, uid, gid, stdin: the process's invocation. since: seconds from the
    process start at which the loop settled. pid1: whether signals follow PID 1 rules.
    """

    rest: list
    src: str
    offset: int
    state: dict
    argv: list[str]
    env: dict[str, str]
    cwd: str
    uid: int
    gid: int
    stdin: str
    since: float
    pid1: bool


class ReturnFromFunction(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class LoopControl(Exception):
    def __init__(self, kind: str, levels: int):
        super().__init__(kind)
        self.kind, self.levels = kind, levels


class Shell:
    """One shell process: variables, functions, traps, and the line-by-line executor."""

    def __init__(self, ctx: Ctx, name: str = "sh", args: list[str] | None = None,
                 from_file: bool = False, named: bool = False):
        self.ctx = ctx
        self.from_file = from_file
        self.named = named        # $0 given (a script file, or `sh -c CMD NAME`)
        self.line = 1
        self.vars: dict[str, str] = dict(ctx.env)
        self.exported: set[str] = set(ctx.env)
        self.vars.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        self.vars.setdefault("IFS", " \t\n")
        self.vars["PWD"] = ctx.cwd
        self.exported.add("PWD")
        self.name = name
        self.params = list(args or [])
        self.status = 0
        self.functions: dict[str, object] = {}
        self.traps: dict[str, str] = {}
        self.errexit = False
        self.conditional = 0
        self.background_forever = False
        self.background_end = 0.0

    def error(self, message: str, builtin: str | None = None) -> None:
        """Print an error as ash does: `$0: msg` for an unnamed `-c` script (with $0 as the
        shell was invoked: `/bin/sh: x: not found` in a RUN step), else
        `$0: [builtin: ]line N: msg` (busybox 1.35 counts `-c` lines from 0)."""
        if not self.from_file and not self.named and builtin is None:
            self.ctx.err(f"{self.name}: {message}\n")
            return
        line = self.line if self.from_file else self.line - 1
        where = f"{builtin}: " if builtin else ""
        self.ctx.err(f"{self.name}: {where}line {line}: {message}\n")

    # -- running scripts ---------------------------------------------------------------
    def run_script(self, src: str, offset: int = 0, first: CmdList | None = None) -> int:
        """Run a script from `offset` (after the line `first`, if given); returns the exit
        status. Raises Forever if it blocks (Polling, with `waiting` set, in a polling loop)."""
        try:
            try:
                parser = Parser(src, offset)
                line = first
                while True:
                    if line is None:
                        try:
                            line = parser.next_line()
                        except SyntaxErr as e:
                            self.error(f"syntax error: {e}")
                            self.status = 2
                            break
                        if line is None:
                            break
                    try:
                        self.status = self.run_list(line, self.ctx.fds)
                    except Polling as e:
                        if e.at is not self:   # else `exec` handed it a program's wait
                            e.waiting = self.waiting(e, src, parser) if e.at is line else None
                            e.at = self
                        raise
                    line = None
            except ExitShell as e:
                self.status = e.code
            except Forever as e:
                raise self.blocked(e)
            self.run_trap("EXIT")
        except ExitShell as e:
            self.status = e.code
        return self.status & 0xFF

    def waiting(self, polling: Polling, src: str, parser: Parser) -> Waiting:
        """This shell, blocked in a polling loop, as data (see `resume_sh`)."""
        c = self.ctx
        state = {k: v for k, v in vars(self).items() if k != "ctx"}
        return Waiting(polling.rest, src, parser.unparsed(), state, list(c.argv), dict(c.env), c.cwd,
                       c.uid, c.gid, c.stdin, polling.since, c.run.pid1)

    def blocked(self, forever: Forever) -> Forever:
        """The shell blocks for good: work out what each trapped signal would do then.

        A trap acts only while the shell waits interruptibly (a loop of short sleeps,
        `wait`); during a long foreground command ash runs it after that command ends.
        The trap runs against a copy of the view; a trap that exits gives the handler's exit
        status, one that returns gives None (the shell prints and goes on blocking).
        """
        run = self.ctx.run
        if not forever.interruptible:
            return forever
        from ...model.fs import UnionFS
        for sig in sorted(s for s in self.traps if s in SIGNALS):
            saved = (run.fs, run.output, run.time)
            run.fs = UnionFS(saved[0].lower, dict(saved[0].upper), saved[0].now)
            run.output, run.time = [], 0.0
            try:
                self.run_nested(self.traps[sig])
                run.handlers[sig] = None
                run.signal_output[sig] = run.output
            except ExitShell as e:
                run.handlers[sig] = e.code & 0xFF
                run.signal_output[sig] = run.output
            except Forever:
                pass
            finally:
                run.fs, run.output, run.time = saved
        return forever

    def run_trap(self, sig: str) -> None:
        src = self.traps.pop(sig, None)
        if src:
            Shell.run_nested(self, src)

    def run_nested(self, src: str) -> int:
        parser = Parser(src)
        status = 0
        while True:
            line = parser.next_line()
            if line is None:
                return status
            status = self.status = self.run_list(line, self.ctx.fds)

    # -- lists and pipelines -----------------------------------------------------------
    def run_list(self, node: CmdList, fds: dict[int, Sink]) -> int:
        status = 0
        for i, (item, background) in enumerate(node.items):
            if background:
                status = self.run_background(item, fds)
                continue
            try:
                status = self.run_and_or(item, fds)
            except Polling as e:
                e.left(item, node, node.items[i + 1:])
                raise
        return status

    def run_background(self, item: AndOr, fds: dict[int, Sink]) -> int:
        """`cmd &`: runs now with its own clock; `wait` waits for its end."""
        run = self.ctx.run
        start = run.time
        try:
            self.conditional += 1
            self.run_and_or(item, fds)
            self.background_end = max(self.background_end, run.time)
        except Forever:
            self.background_forever = True
        except ExitShell:
            self.background_end = max(self.background_end, run.time)
        finally:
            self.conditional -= 1
            run.time = start
        self.status = 0
        return 0

    def run_and_or(self, node: AndOr, fds: dict[int, Sink]) -> int:
        if node.rest:
            self.conditional += 1
        try:
            try:
                status = self.run_pipeline(node.first, fds)
            except Polling as e:
                if not node.rest:
                    e.left(node.first, node)
                raise
            for i, (op, pipe) in enumerate(node.rest):
                if (op == "&&") == (status == 0):
                    if i == len(node.rest) - 1:
                        self.conditional -= 1
                        try:
                            status = self.run_pipeline(pipe, fds)
                        finally:
                            self.conditional += 1
                        self.check_errexit(status, pipe)
                        return status
                    status = self.run_pipeline(pipe, fds)
            if not node.rest:
                self.check_errexit(status, node.first)
            return status
        finally:
            if node.rest:
                self.conditional -= 1

    def check_errexit(self, status: int, pipe: Pipeline) -> None:
        if self.errexit and status and not self.conditional and not pipe.negate:
            raise ExitShell(status)

    def run_pipeline(self, node: Pipeline, fds: dict[int, Sink]) -> int:
        stdin = None
        status = 0
        for i, cmd in enumerate(node.cmds):
            last = i == len(node.cmds) - 1
            pipe_fds = dict(fds)
            if stdin is not None:
                pipe_fds[0] = StdinText(stdin)
            buf = None
            if not last:
                buf = Buffer()
                pipe_fds[1] = buf
            if node.negate:
                self.conditional += 1
            try:
                status = self.run_command(cmd, pipe_fds, stdin)
            except Polling as e:
                if len(node.cmds) == 1 and not node.negate:
                    e.left(cmd, node)
                raise
            finally:
                if node.negate:
                    self.conditional -= 1
            stdin = buf.text() if buf else None
        if node.negate:
            status = 0 if status else 1
        self.status = status
        return status

    # -- commands ----------------------------------------------------------------------
    def run_command(self, node, fds: dict[int, Sink], stdin: str | None) -> int:
        if isinstance(node, Simple):
            return self.run_simple(node, fds, stdin)
        if isinstance(node, FuncDef):
            self.functions[node.name] = node.body
            return 0
        fds = self.redirect(node.redirs, fds)
        if fds is None:
            return 1
        if isinstance(node, If):
            for cond, body in node.arms:
                if self.run_condition(cond, fds) == 0:
                    return self.run_last(node, body, fds)
            return self.run_last(node, node.otherwise, fds) if node.otherwise else 0
        if isinstance(node, Loop):
            return self.run_loop(node, fds)
        if isinstance(node, For):
            words = self.expand_words(node.words) if node.words is not None else list(self.params)
            status = 0
            for w in words:
                self.vars[node.var] = w
                try:
                    status = self.run_list(node.body, fds)
                except LoopControl as c:
                    if c.levels > 1:
                        raise LoopControl(c.kind, c.levels - 1)
                    if c.kind == "break":
                        break
            return status
        if isinstance(node, Case):
            subject = self.expand_word(node.word, split=False)[0]
            for patterns, body in node.arms:
                if any(fnmatch.fnmatchcase(subject, self.expand_pattern(p)) for p in patterns):
                    return self.run_last(node, body, fds)
            return 0
        if isinstance(node, Group):
            if node.subshell:
                return self.subshell(lambda sh: sh.run_list(node.body, fds))
            return self.run_last(node, node.body, fds)
        raise TypeError(node)

    def run_last(self, node, body: CmdList, fds: dict[int, Sink]) -> int:
        """Run `body`, the part of compound command `node` that runs last: a loop waiting
        in it goes on after `node` (unless `node` redirects: its fds are not kept)."""
        try:
            return self.run_list(body, fds)
        except Polling as e:
            if not node.redirs:
                e.left(body, node)
            raise

    def run_condition(self, cond: CmdList, fds: dict[int, Sink]) -> int:
        self.conditional += 1
        try:
            return self.run_list(cond, fds)
        finally:
            self.conditional -= 1

    def run_loop(self, node: Loop, fds: dict[int, Sink]) -> int:
        run = self.ctx.run
        status = 0
        start = settled = run.time
        previous = self.loop_state()
        for _ in range(LOOP_MAX):
            if (self.run_condition(node.cond, fds) == 0) == node.until:
                return status
            try:
                status = self.run_list(node.body, fds)
            except LoopControl as c:
                if c.levels > 1:
                    raise LoopControl(c.kind, c.levels - 1)
                if c.kind == "break":
                    return status
            except Polling as e:
                if not node.redirs:   # an inner loop waits: then the rest of the body, then this loop
                    e.left(node.body, node, [(AndOr(Pipeline([node]), []), False)])
                raise
            state = self.loop_state()
            if state == previous and not node.redirs:   # it polls, the same since `settled`
                raise Polling(node, [(AndOr(Pipeline([node]), []), False)], settled)
            if state == previous or run.time - start > LOOP_HORIZON:
                raise Forever(interruptible=True)
            previous, settled = state, run.time
        raise Forever(interruptible=True)

    def loop_state(self) -> tuple:
        """What a loop iteration can change: the files, the variables, the output."""
        run = self.ctx.run
        return dict(run.fs.upper), dict(self.vars), len(run.output)

    def subshell(self, body) -> int:
        """Run `body(shell)` in a copy of this shell: its variables and `exit` stay inside."""
        child = Shell.__new__(Shell)
        child.__dict__.update(self.__dict__)
        child.vars = dict(self.vars)
        child.exported = set(self.exported)
        child.functions = dict(self.functions)
        child.traps = {}
        child.ctx = Ctx(self.ctx.run, self.ctx.argv, self.ctx.env, self.ctx.cwd, self.ctx.uid,
                        self.ctx.gid, self.ctx.stdin, dict(self.ctx.fds))
        try:
            return body(child)
        except ExitShell as e:
            return e.code

    # -- simple commands ---------------------------------------------------------------
    def run_simple(self, node: Simple, fds: dict[int, Sink], stdin: str | None) -> int:
        self.subst_status = None
        self.line = node.line
        words = self.expand_words(node.words)
        assigns = {name: self.expand_word(value, split=False, glob=False)[0] for name, value in node.assigns}
        if not words:
            self.vars.update(assigns)
            if self.redirect(node.redirs, fds) is None:
                return 1
            return self.subst_status or 0
        fds = self.redirect(node.redirs, fds)
        if fds is None:
            return 1
        name, args = words[0], words[1:]
        if name in self.functions:
            saved = self.params
            self.params = args
            try:
                return self.run_command(self.functions[name], fds, stdin)
            except ReturnFromFunction as r:
                return r.code
            finally:
                self.params = saved
        from .programs.builtins import BUILTINS
        builtin = BUILTINS.get(name)
        ctx = self.child_ctx(words, fds, stdin, assigns)
        if builtin is not None:
            return builtin(self, ctx)
        return self.exec_external(ctx)

    def child_ctx(self, argv: list[str], fds: dict[int, Sink], stdin: str | None,
                  assigns: dict[str, str]) -> Ctx:
        env = {k: self.vars[k] for k in sorted(self.exported) if k in self.vars}
        env.update(assigns)
        c = self.ctx
        source = fds.get(0)
        if isinstance(source, StdinText):
            stdin = source.content
        return Ctx(c.run, argv, env, c.cwd, c.uid, c.gid, c.stdin if stdin is None else stdin, fds)

    def exec_external(self, ctx: Ctx) -> int:
        from .programs import execute, find_command
        name = ctx.argv[0]
        found = find_command(ctx.fs, name, ctx.env.get("PATH", self.vars.get("PATH", "")), ctx.cwd)
        if found is None:
            self.error(f"{name}: not found")
            return 127
        path, runnable = found
        if not runnable:
            self.error(f"{name}: Permission denied")
            return 126
        return execute(ctx, path)

    # -- redirections ------------------------------------------------------------------
    def redirect(self, redirs: list[Redir], fds: dict[int, Sink]) -> dict[int, Sink] | None:
        """The fds after `redirs`, or None (after printing ash's message) if one fails."""
        if not redirs:
            return fds
        fds = dict(fds)
        for r in redirs:
            target = self.expand_word(r.target, split=False)[0]
            if r.op in (">&", "<&"):
                if target == "-":
                    fds[r.fd] = Null()
                elif target.isdigit() and int(target) in fds:
                    fds[r.fd] = fds[int(target)]
                elif r.op == ">&" and not target.isdigit():
                    fds[r.fd] = fds[2] = self.open_write(target, False)
                else:
                    self.error(f"{target}: Bad file descriptor" if target.isdigit() else f"{target}: bad number")
                    return None
                if fds[r.fd] is None:
                    return None
                continue
            if r.op == "<":
                try:
                    text = self.ctx.read(target)
                except (FSError, EndlessInput):
                    self.error(f"can't open {target}: no such file")
                    return None
                fds[r.fd] = StdinText(text)
                continue
            sink = self.open_write(target, r.op == ">>")
            if sink is None:
                return None
            fds[r.fd] = sink
        return fds

    def open_write(self, target: str, append: bool) -> Sink | None:
        try:
            return self.ctx.sink(target, append)
        except FSError as e:
            reason = "nonexistent directory" if e.code == 2 else str(e).split(": ", 1)[-1]
            self.error(f"can't create {target}: {reason}")
            return None

    # -- expansion ---------------------------------------------------------------------
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
                out.append("".join(f"[{c}]" if c in "*?[" else c for c in text))
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
                f[1].append("".join(f"[{c}]" if c in "*?[" else c for c in text))
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
        if op == "#":
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
        cuts = range(0, len(value) + 1) if op == "#" or op == "#" else range(len(value), -1, -1)
        if op == "##":
            cuts = range(len(value), -1, -1)
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
            return _Arith(self).eval(expanded)
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


class _Arith:
    """`$((...))`: integer arithmetic on a Python expression tree of allowed nodes."""

    OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.LShift: operator.lshift,
           ast.RShift: operator.rshift, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
           ast.BitXor: operator.xor}
    CMP = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
           ast.Eq: operator.eq, ast.NotEq: operator.ne}

    def __init__(self, shell: Shell):
        self.shell = shell

    def eval(self, text: str) -> int:
        text = text.replace("&&", " and ").replace("||", " or ").replace("/", "//")
        text = text.replace("!=", "<>").replace("!", " not ").replace("<>", "!=")
        return int(self.node(ast.parse(text.strip() or "0", mode="eval").body))

    def node(self, n) -> int:
        if isinstance(n, ast.Constant) and isinstance(n.value, int):
            return n.value
        if isinstance(n, ast.Name):
            value = self.shell.vars.get(n.id, "0") or "0"
            return int(value)
        if isinstance(n, ast.BinOp) and type(n.op) in self.OPS:
            return self.OPS[type(n.op)](self.node(n.left), self.node(n.right))
        if isinstance(n, ast.UnaryOp):
            v = self.node(n.operand)
            return {ast.USub: -v, ast.UAdd: v, ast.Not: int(not v), ast.Invert: ~v}[type(n.op)]
        if isinstance(n, ast.Compare) and len(n.ops) == 1 and type(n.ops[0]) in self.CMP:
            return int(self.CMP[type(n.ops[0])](self.node(n.left), self.node(n.comparators[0])))
        if isinstance(n, ast.BoolOp):
            vals = [self.node(v) for v in n.values]
            return int(all(vals) if isinstance(n.op, ast.And) else any(vals))
        raise ValueError(n)


def run_sh(ctx: Ctx) -> int:
    """The `sh` program: `sh -c SCRIPT [NAME [ARGS]]`, `sh FILE [ARGS]`, or `sh` reading stdin."""
    args = ctx.argv[1:]
    errexit = False
    script = None
    while args and args[0].startswith("-") and len(args[0]) > 1:
        flag = args.pop(0)
        if flag == "--":
            break
        if "e" in flag[1:]:
            errexit = True
        if "c" in flag[1:]:
            if not args:
                ctx.err(f"{ctx.argv[0]}: -c requires an argument\n")
                return 2
            script = args.pop(0)
    name = ctx.argv[0]   # ash names itself as invoked: `sh`, `/bin/sh`
    from_file = named = False
    if script is None:
        if args:
            path = args.pop(0)
            from_file = named = True
            try:
                script = ctx.read(path)
            except FSError:
                ctx.err(f"{name}: can't open '{path}': No such file or directory\n")
                return 2
            name = path
        else:
            script = ctx.stdin
    elif args:
        name = args.pop(0)
        named = True
    shell = Shell(ctx, name, args, from_file=from_file, named=named)
    shell.errexit = errexit
    return _program(shell, ctx, script)


def resume_sh(ctx: Ctx, waiting: Waiting) -> int:
    """Run a `Waiting` shell again from its loop, as the program of `ctx` (a new run on
    the same view); raises Polling, as `run_sh` does, if it still waits."""
    shell = Shell.__new__(Shell)
    shell.__dict__.update(waiting.state)
    shell.ctx = ctx
    shell.background_end = 0.0   # its `&` jobs ran to their end while it waited
    return _program(shell, ctx, waiting.src, waiting.offset, CmdList(list(waiting.rest)))


def _program(shell: Shell, ctx: Ctx, src: str, offset: int = 0, first: CmdList | None = None) -> int:
    """`shell.run_script` as the program of `ctx`: a loop it waits in is `ctx`'s wait."""
    try:
        return shell.run_script(src, offset, first)
    except Polling as e:
        e.left(shell, ctx)
        raise
