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

from .interpreter import LoopControl, ReturnFromFunction, Shell
from .program import resume_sh, run_sh
from .waiting import Waiting

__all__ = ["Shell", "Waiting", "LoopControl", "ReturnFromFunction", "run_sh", "resume_sh"]
