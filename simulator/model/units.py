"""Human-readable sizes and durations, as Docker's go-units prints them.

Source: github.com/docker/go-units `size.go` (HumanSizeWithPrecision, decimal units
"B kB MB GB TB PB EB ZB YB", no space) and `duration.go` (HumanDuration).
"""

from __future__ import annotations

_DECIMAL = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def _go_g(value: float, precision: int) -> str:
    """Format like Go's `%.<precision>g` (no exponent for the magnitudes used here)."""
    text = f"{value:.{precision}g}"
    if "e" in text:  # Go switches to exponent form at the same threshold as Python
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{exp[0]}{int(exp[1:]):02d}"
    return text


def human_size(size: float, precision: int = 4) -> str:
    """`units.HumanSizeWithPrecision(size, precision)`: `1.98MB`, `0B`, `13.3kB`."""
    i = 0
    while size >= 1000.0 and i < len(_DECIMAL) - 1:
        size /= 1000.0
        i += 1
    return f"{_go_g(size, precision)}{_DECIMAL[i]}"


def human_duration(seconds: float) -> str:
    """`units.HumanDuration`: `Less than a second`, `5 seconds`, `About a minute`, ..."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600 / 24 / 365)} years"


_BINARY = {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def ram_in_bytes(text: str) -> int:
    """`units.RAMInBytes`: `512m` -> 536870912 (binary multiples; `b`/`kb`/`mb` suffixes too).

    Raises ValueError with go-units' message for an invalid size.
    """
    raw = text.strip()
    low = raw.lower()
    num = low.rstrip("bkmgtpi")
    suffix = low[len(num):]
    if suffix.endswith("b") and len(suffix) > 1:
        suffix = suffix[:-1]
    if suffix.endswith("i"):
        suffix = suffix[:-1]
    try:
        value = float(num)
    except ValueError:
        raise ValueError(f"invalid size: '{raw}'") from None
    if value < 0 or (suffix and suffix not in _BINARY):
        raise ValueError(f"invalid size: '{raw}'")
    return int(value * _BINARY.get(suffix or "b", 1))
