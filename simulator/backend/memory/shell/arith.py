"""`$((...))` arithmetic."""

from __future__ import annotations

import ast
import operator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .interpreter import Shell


class Arith:
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
