"""`test` / `[` as busybox ash evaluates it: unary file and string tests, binary string
and integer comparisons, `!`, `-a`, `-o`. Errors: `missing ]`, `X: unknown operand`,
`X: bad number` (status 2)."""

from __future__ import annotations

from typing import Callable

from ....model.fs import FSError
from ....model.layer import Kind
from .runtime import Ctx

UNARY = set("bcdefghLprsSuwxznkGOt")
INT_OPS = {"-eq": int.__eq__, "-ne": int.__ne__, "-lt": int.__lt__, "-le": int.__le__,
           "-gt": int.__gt__, "-ge": int.__ge__}
STR_OPS = {"=": str.__eq__, "==": str.__eq__, "!=": str.__ne__, "<": str.__lt__, ">": str.__gt__}


class _Bad(Exception):
    pass


def run_test(ctx: Ctx, error: Callable[[str], None]) -> int:
    args = ctx.argv[1:]
    if ctx.argv[0] == "[":
        if not args or args[-1] != "]":
            error("missing ]")
            return 2
        args = args[:-1]
    try:
        return 0 if _Eval(ctx, args).run() else 1
    except _Bad as e:
        error(str(e))
        return 2


class _Eval:
    def __init__(self, ctx: Ctx, args: list[str]):
        self.ctx, self.args, self.i = ctx, args, 0

    def run(self) -> bool:
        if not self.args:
            return False
        value = self.or_()
        if self.i < len(self.args):
            raise _Bad(f"{self.args[self.i]}: unknown operand")
        return value

    def or_(self) -> bool:
        value = self.and_()
        while self.peek() == "-o":
            self.i += 1
            value = self.and_() or value
        return value

    def and_(self) -> bool:
        value = self.not_()
        while self.peek() == "-a":
            self.i += 1
            value = self.not_() and value
        return value

    def peek(self, k: int = 0) -> str | None:
        return self.args[self.i + k] if self.i + k < len(self.args) else None

    def not_(self) -> bool:
        if self.peek() == "!" and self.i + 1 < len(self.args):
            self.i += 1
            return not self.not_()
        return self.primary()

    def primary(self) -> bool:
        a, op, b = self.peek(), self.peek(1), self.peek(2)
        if op in INT_OPS and b is not None:
            self.i += 3
            return INT_OPS[op](self.number(a), self.number(b))
        if op in STR_OPS and b is not None:
            self.i += 3
            return STR_OPS[op](a, b)
        if a and len(a) == 2 and a[0] == "-" and a[1] in UNARY and op is not None:
            self.i += 2
            return self.unary(a[1], op)
        self.i += 1
        return bool(a)

    @staticmethod
    def number(text: str) -> int:
        try:
            return int(text.strip())
        except ValueError:
            raise _Bad(f"{text}: bad number") from None

    def unary(self, flag: str, operand: str) -> bool:
        if flag == "z":
            return operand == ""
        if flag == "n":
            return operand != ""
        if flag == "t":
            return False
        fs = self.ctx.fs
        path = self.ctx.path(operand)
        try:
            entry = fs.stat(path, follow=flag not in "hL")
        except FSError:
            return False
        if flag in "hL":
            return entry.kind is Kind.SYMLINK
        if flag == "e":
            return True
        if flag == "f":
            return entry.kind is Kind.FILE
        if flag == "d":
            return entry.kind is Kind.DIR
        if flag == "s":
            return entry.size > 0
        if flag in "rwx":
            bit = {"r": 4, "w": 2, "x": 1}[flag]
            if self.ctx.uid == 0:
                return flag != "x" or bool(entry.mode & 0o111) or entry.kind is Kind.DIR
            shift = 6 if entry.uid == self.ctx.uid else 3 if entry.gid == self.ctx.gid else 0
            return bool(entry.mode >> shift & bit)
        if flag == "u":
            return bool(entry.mode & 0o4000)
        if flag == "g":
            return bool(entry.mode & 0o2000)
        if flag == "k":
            return bool(entry.mode & 0o1000)
        return False
