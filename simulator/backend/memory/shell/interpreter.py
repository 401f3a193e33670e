"""The shell process: variables, functions, traps, and the line-by-line executor."""

from __future__ import annotations

import fnmatch

from ..programs.runtime import Buffer, Ctx, ExitShell, Forever, Polling, Sink, StdinText
from .expand import Expansion
from .lexer import SyntaxErr
from .parser import Parser
from .redirect import Redirections
from .syntax import AndOr, Case, CmdList, For, FuncDef, Group, If, Loop, Pipeline, Simple
from .waiting import Waiting

LOOP_HORIZON = 3600.0
LOOP_MAX = 10000
SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}


class ReturnFromFunction(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class LoopControl(Exception):
    def __init__(self, kind: str, levels: int):
        super().__init__(kind)
        self.kind, self.levels = kind, levels


def _breaks(control: LoopControl) -> bool:
    """Whether `break`/`continue` `control` ends the innermost loop (else it goes on to the next
    iteration); one aimed at an outer loop is raised again, a level less."""
    if control.levels > 1:
        raise LoopControl(control.kind, control.levels - 1)
    return control.kind == "break"


class Shell(Expansion, Redirections):
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
        from ....model.fs import UnionFS
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
                    if _breaks(c):
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
                if _breaks(c):
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
        from ..programs.builtins import BUILTINS
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
        from ..programs import execute, find_command
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
