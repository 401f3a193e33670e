"""Time and identifiers that make every run reproducible.

The engine never reads the host's clock or random numbers: a `Clock` says what time it
is (`VirtualClock`; `RealClock` for the real executor), and an `IdSource` hands out container IDs, names and other would-be-random values
from a seeded counter. The real executor can plug in a wall clock instead.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta, timezone

EPOCH = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time, as Docker prints it


def rfc3339(instant: datetime | None) -> str:
    """RFC 3339 with nanoseconds, UTC, as Docker's JSON prints times (`...T12:00:00.000000001Z`)."""
    if instant is None:
        return ZERO_TIME
    text = instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{instant.microsecond:06d}000".rstrip("0")
    return f"{text}.{frac}Z" if frac else f"{text}Z"


def rfc3339_fixed(instant: datetime) -> str:
    """RFC 3339 with always nine fraction digits, UTC (moby `jsonmessage.RFC3339NanoFixed`),
    as `docker logs -t` prints each line's time (`...T12:00:00.000000000Z`)."""
    text = instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{instant.microsecond:06d}000Z"


class VirtualClock:
    """A clock that moves only when told to (`advance`), starting at a fixed instant.

    Every operation that would take time on a real host takes a few milliseconds here
    (`tick`), so that creation order is strict and timestamps are distinct.
    """

    def __init__(self, start: datetime = EPOCH):
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        self._now += timedelta(seconds=seconds)

    def tick(self) -> datetime:
        """Move one millisecond forward and return the new instant."""
        self._now += timedelta(milliseconds=1)
        return self._now

    def snapshot(self) -> datetime:
        return self._now

    def restore(self, instant: datetime) -> None:
        self._now = instant


class RealClock:
    """The host's clock (UTC, microseconds), for a backend whose processes are real:
    `advance` sleeps, and `tick` never returns the same instant twice, so creation order
    stays strict as on the virtual clock."""

    def __init__(self):
        self._last = datetime.now(timezone.utc)

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        time.sleep(seconds)

    def tick(self) -> datetime:
        self._last = max(self.now(), self._last + timedelta(microseconds=1))
        return self._last


class IdSource:
    """Deterministic stand-ins for Docker's random values (64-hex IDs, names).

    Each call to `hex64(kind)` returns sha256(seed/kind/n) for a per-kind counter n, so
    two runs of the same scenario give the same IDs, and a new container never reuses
    an old container's ID.
    """

    def __init__(self, seed: str = "simulator"):
        self.seed = seed
        self._counters: dict[str, int] = {}

    def hex64(self, kind: str) -> str:
        n = self._counters.get(kind, 0) + 1
        self._counters[kind] = n
        return hashlib.sha256(f"{self.seed}/{kind}/{n}".encode()).hexdigest()

    def state(self) -> dict[str, int]:
        return dict(self._counters)

    def restore(self, counters: dict[str, int]) -> None:
        self._counters = dict(counters)
