"""Redirections: the file descriptors a command runs with."""

from __future__ import annotations

from ....model.fs import FSError
from ..programs.runtime import EndlessInput, Null, Sink, StdinText
from .syntax import Redir


class Redirections:
    """The redirection half of `Shell` (mixed into it): expands targets with its `expand_word`,
    opens files through its `ctx`, reports failures with its `error`."""

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
