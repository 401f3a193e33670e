"""Restart policies: parsing and validation, the decision on exit, and the back-off delay.

Sources (Docker Engine 20.10): the CLI parses `--restart name[:N]` (`opts/parse.go
ParseRestartPolicy`: `maximum retry count must be an integer`); the daemon validates it
(`runconfig/hostconfig_unix.go validateRestartPolicy`: `invalid restart policy '<x>'`,
`maximum retry count cannot be used with restart policy '<x>'`, `maximum retry count
cannot be negative`), wording confirmed by tests/conformance/scenarios/restart-policies.
The decision and the delay follow `restartmanager/restartmanager.go`: 100 ms doubling,
capped at 1 minute, back to 100 ms after a run of 10 s or more.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidParameter

FIRST_DELAY = 0.1         # seconds
MAX_DELAY = 60.0
RESET_AFTER = 10.0        # a run at least this long resets the delay
POLICIES = ("no", "always", "on-failure", "unless-stopped")


class PolicySyntaxError(ValueError):
    """Rejected by the CLI before anything reaches the daemon (printed as `docker: <msg>.`)."""


@dataclass(frozen=True)
class RestartPolicy:
    name: str = "no"
    maximum_retry_count: int = 0

    @staticmethod
    def parse(text: str) -> "RestartPolicy":
        """`always`, `on-failure:3`, ... -> a policy (not yet validated by the daemon rules)."""
        name, sep, count = text.partition(":")
        if not sep:
            return RestartPolicy(name, 0)
        try:
            return RestartPolicy(name, int(count))
        except ValueError:
            raise PolicySyntaxError("maximum retry count must be an integer") from None

    def validate(self) -> "RestartPolicy":
        """The daemon's check; InvalidParameter with its message."""
        if self.name in ("always", "unless-stopped", "no") and self.maximum_retry_count:
            raise InvalidParameter(
                f"maximum retry count cannot be used with restart policy '{self.name}'")
        if self.name == "on-failure" and self.maximum_retry_count < 0:
            raise InvalidParameter("maximum retry count cannot be negative")
        if self.name not in POLICIES and self.name != "":
            raise InvalidParameter(f"invalid restart policy '{self.name}'")
        return self

    def as_json(self) -> dict:
        return {"Name": self.name, "MaximumRetryCount": self.maximum_retry_count}


@dataclass
class RestartManager:
    """Per-container memory of the policy: the current delay and the automatic restarts so far."""

    policy: RestartPolicy
    delay: float = 0.0
    count: int = 0

    def should_restart(self, exit_code: int, manually_stopped: bool, ran_for: float) -> float | None:
        """The delay before the restart (seconds), or None when the container stays exited.
        Counts the restart when there is one."""
        if manually_stopped:
            return None
        name = self.policy.name
        if name == "always":
            restart = True
        elif name == "unless-stopped":
            restart = True
        elif name == "on-failure":
            limit = self.policy.maximum_retry_count
            restart = exit_code != 0 and (limit == 0 or self.count < limit)
        else:
            restart = False
        if not restart:
            return None
        if ran_for >= RESET_AFTER:
            self.delay = 0.0
        self.delay = FIRST_DELAY if self.delay == 0 else min(self.delay * 2, MAX_DELAY)
        self.count += 1
        return self.delay

    def reset(self) -> None:
        """A manual start or restart: the count and the delay start again."""
        self.delay = 0.0
        self.count = 0
