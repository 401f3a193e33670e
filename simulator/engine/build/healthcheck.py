"""HEALTHCHECK in the classic builder: recorded in the config, never run here.

Docker 20.10 `dispatchers.go` (`dispatchHealthcheck`) and buildkit `instructions/parse.go`
(`parseHealthcheck`): `NONE`, or `CMD` with a command (exec form, or shell form as
`CMD-SHELL`), options `--interval --timeout --start-period` (durations, stored in
nanoseconds) and `--retries`. The history text is Go's `%q` of the `*HealthConfig`.
"""

from __future__ import annotations

import re

from ..errors import BuildError

_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}


def parse_duration(text: str) -> int:
    """Go `time.ParseDuration` for the usual forms (`30s`, `1m30s`, `500ms`), in ns."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise BuildError(f'time: invalid duration "{text}"')
    return int(sum(float(n) * _UNITS[u] for n, u in parts))


def format_duration(ns: int) -> str:
    """Go `time.Duration.String` for whole seconds, minutes and hours (and `0s`)."""
    if ns == 0:
        return "0s"
    seconds = ns / 1e9
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    frac = seconds - int(seconds)
    text = f"{secs + frac:g}s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    if minutes:
        return f"{minutes}m{text}"
    return text


def parse_healthcheck(ins, shell: list[str]) -> tuple[dict, str]:
    """(the config's Healthcheck, its history text)."""
    kind = ins.args[0].upper() if ins.args else ""
    if kind == "NONE":
        if len(ins.args) > 1 or ins.flags:
            raise BuildError("HEALTHCHECK NONE takes no arguments")
        return {"Test": ["NONE"]}, '&{["NONE"] "0s" "0s" "0s" \'\\x00\'}'
    if kind != "CMD":
        raise BuildError(f'Unknown type "{kind}" in HEALTHCHECK (try CMD)')
    rest = list(ins.args[1:])
    test = (["CMD"] + rest) if ins.json else ["CMD-SHELL", " ".join(rest)]
    check: dict = {"Test": test}
    timings = []
    for flag, key in (("interval", "Interval"), ("timeout", "Timeout"), ("start-period", "StartPeriod")):
        ns = parse_duration(ins.flags[flag]) if flag in ins.flags else 0
        if ns:
            check[key] = ns
        timings.append(format_duration(ns))
    retries = int(ins.flags.get("retries", "0"))
    if retries:
        check["Retries"] = retries
    quoted = " ".join('"' + t.replace('"', '\\"') + '"' for t in test)
    text = f"&{{[{quoted}] " + " ".join(f'"{t}"' for t in timings) + f" '\\x{retries:02x}'}}"
    return check, text
