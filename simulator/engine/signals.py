"""Linux signal names and numbers, parsed as the daemon does (moby `pkg/signal/parse.go
ParseSignal`, `signal_linux.go SignalMap`): a number, or a name with or without `SIG`, any
case; otherwise `Invalid signal: <text>`."""

from __future__ import annotations

from .errors import InvalidParameter

SIGNALS = {
    "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8,
    "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
    "STKFLT": 16, "CHLD": 17, "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22,
    "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29,
    "POLL": 29, "PWR": 30, "SYS": 31,
}
NAMES = {number: name for name, number in reversed(SIGNALS.items())}
# Signals whose default action is to do nothing (signal(7)): they never kill.
IGNORED_BY_DEFAULT = frozenset({"CHLD", "CONT", "URG", "WINCH"})


def parse(text: str) -> str:
    """The signal's canonical name (`TERM`); a number without a name stays a number
    (`99`: ParseSignal takes any number but 0, `supported` refuses it later);
    InvalidParameter(`Invalid signal: <text>`)."""
    if text.lstrip("-").isdigit():
        number = int(text)
        if number == 0:
            raise InvalidParameter(f"Invalid signal: {text}")
        return NAMES.get(number, str(number))
    name = text.upper()
    name = name[3:] if name.startswith("SIG") else name
    if name not in SIGNALS:
        raise InvalidParameter(f"Invalid signal: {text}")
    return name


def supported(name: str) -> str:
    """`name` if Linux has it; else InvalidParameter(`The linux daemon does not support
    signal N`) (moby daemon/kill.go, `signal.ValidSignalForPlatform`)."""
    if name not in SIGNALS:
        raise InvalidParameter(f"The linux daemon does not support signal {name}")
    return name


def number(name: str) -> int:
    return SIGNALS[name]
