"""A shell blocked in a polling loop, as data the backend keeps and runs again."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Waiting:
    """A shell blocked in a polling loop, as plain data (picklable): enough to run it
    again from that loop when the files may have changed.

    rest: the (and-or list, background) items to run first: the loop, then what the
      commands around it still have to run, up to the end of its line.
    src, offset: the script and where its unparsed lines begin.
    state: the shell's own attributes (variables, functions, traps, `$@`, ...).
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
