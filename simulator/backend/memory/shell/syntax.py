"""The syntax tree the parser builds and the interpreter runs (plain data: a `Waiting` shell
keeps parts of it)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
