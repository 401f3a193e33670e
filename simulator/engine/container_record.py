"""One container as the daemon keeps it: config, host config, state flags, its runs.

The state is a set of flags, as in moby `container/state.go` (Running, Paused, Restarting,
OOMKilled, RemovalInProgress, Dead, Pid, ExitCode, Error, StartedAt, FinishedAt); the
status word and the `docker ps` STATUS text are derived from them with the daemon's
precedence (`StateString`, `String`). `inspect()` gives the JSON of `docker inspect`
(moby `api/types/types.go ContainerJSON`, filled as in `daemon/inspect.go`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..backend.base import Task
from ..model.clock import rfc3339
from ..model.units import human_duration
from . import states
from .restart import RestartManager, RestartPolicy


@dataclass
class Run:
    """One life of the container's main process: when it started, its task (the runtime's
    handle on the process), and when it ended (or None)."""

    started: datetime
    task: Task
    ended: datetime | None = None

    def output_until(self, instant: datetime) -> list[tuple[datetime, str, str]]:
        """(time, stream, text) written up to `instant` (and up to the end of the run)."""
        return self.task.output(min(instant, self.ended) if self.ended else instant)


@dataclass
class HostConfig:
    restart: RestartPolicy = field(default_factory=RestartPolicy)
    auto_remove: bool = False
    memory: int = 0
    memory_swap: int = 0        # -1: unlimited
    init: bool = False
    network_mode: str = "default"
    binds: list[str] = field(default_factory=list)
    port_specs: list[str] = field(default_factory=list)
    publish_all: bool = False
    nano_cpus: int = 0          # `--cpus` × 1e9
    pids_limit: int = 0         # `--pids-limit`; 0: none


@dataclass
class Container:
    id: str
    name: str                      # without the leading "/"
    image_id: str                  # sha256:...
    image_ref: str                 # as the user typed it (`docker ps` IMAGE)
    created: datetime
    config: dict[str, Any]         # Docker's container Config (Cmd, Env, Labels, ...)
    host: HostConfig
    # -- state flags (moby container/state.go)
    running: bool = False
    paused: bool = False
    restarting: bool = False
    oom_killed: bool = False
    removing: bool = False
    dead: bool = False
    pid: int = 0
    exit_code: int = 0
    error: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    manually_stopped: bool = False
    restarts: RestartManager | None = None
    restart_due: datetime | None = None   # when a scheduled restart fires
    runs: list[Run] = field(default_factory=list)
    paused_since: datetime | None = None
    image_chain: tuple[str, ...] = ()     # the image's chainIDs, top first (GraphDriver lowers)
    mounts: list[Any] = field(default_factory=list)      # engine.volumes Mount records
    ports: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.restarts is None:
            self.restarts = RestartManager(self.host.restart)

    # -- derived --------------------------------------------------------------------
    @property
    def state(self) -> str:
        """The status word (moby `StateString`)."""
        if self.running:
            if self.paused:
                return states.PAUSED
            if self.restarting:
                return states.RESTARTING
            return states.RUNNING
        if self.removing:
            return states.REMOVING
        if self.dead:
            return states.DEAD
        if self.started_at is None:
            return states.CREATED
        return states.EXITED

    @property
    def restart_count(self) -> int:
        return self.restarts.count

    @property
    def argv(self) -> list[str]:
        return list(self.config.get("Entrypoint") or []) + list(self.config.get("Cmd") or [])

    @property
    def current(self) -> Run | None:
        run = self.runs[-1] if self.runs else None
        return run if run and run.ended is None else None

    def status(self, now: datetime) -> str:
        """`docker ps` STATUS (moby `State.String`, go-units `HumanDuration`)."""
        if self.running:
            if self.paused:
                return f"Up {human_duration((now - self.started_at).total_seconds())} (Paused)"
            if self.restarting:
                ago = human_duration((now - self.finished_at).total_seconds())
                return f"Restarting ({self.exit_code}) {ago} ago"
            return f"Up {human_duration((now - self.started_at).total_seconds())}"
        if self.removing:
            return "Removal In Progress"
        if self.dead:
            return "Dead"
        if self.started_at is None:
            return "Created"
        if self.finished_at is None:
            return ""
        return f"Exited ({self.exit_code}) {human_duration((now - self.finished_at).total_seconds())} ago"

    def command_text(self) -> str:
        """`docker ps` COMMAND before the CLI cuts and quotes it: Path, then the Args joined by
        spaces, an arg that contains a space wrapped in single quotes (moby 20.10
        `daemon/list.go` `transformContainer`): `sh -c 'echo bye; exit 2'`."""
        path, *args = self.argv or [""]
        return " ".join([path] + [f"'{a}'" if " " in a else a for a in args])

    # -- inspect ------------------------------------------------------------------------
    def layer_paths(self) -> dict[str, str]:
        """overlay2-style GraphDriver.Data, from IDs derived from the container's ID."""
        root = "/var/lib/docker/overlay2"
        rw = self.id
        init = f"{rw}-init"
        lowers = [f"{root}/{init}/diff"] + [
            f"{root}/{hashlib.sha256(chain.encode()).hexdigest()}/diff" for chain in self.image_chain]
        return {"LowerDir": ":".join(lowers), "MergedDir": f"{root}/{rw}/merged",
                "UpperDir": f"{root}/{rw}/diff", "WorkDir": f"{root}/{rw}/work"}

    @property
    def network(self) -> str:
        """The network the container is attached to (`default` is the bridge)."""
        return "bridge" if self.host.network_mode == "default" else self.host.network_mode

    def inspect(self) -> dict[str, Any]:
        """`docker inspect` JSON for this container, but `NetworkSettings` (the engine's networks know it)."""
        argv = self.argv
        return {
            "Id": self.id,
            "Created": rfc3339(self.created),
            "Path": argv[0] if argv else "",
            "Args": argv[1:],
            "State": {
                "Status": self.state,
                "Running": self.running,
                "Paused": self.paused,
                "Restarting": self.restarting,
                "OOMKilled": self.oom_killed,
                "Dead": self.dead,
                "Pid": self.pid,
                "ExitCode": self.exit_code,
                "Error": self.error,
                "StartedAt": rfc3339(self.started_at),
                "FinishedAt": rfc3339(self.finished_at),
            },
            "Image": self.image_id,
            "ResolvConfPath": f"/var/lib/docker/containers/{self.id}/resolv.conf",
            "HostnamePath": f"/var/lib/docker/containers/{self.id}/hostname",
            "HostsPath": f"/var/lib/docker/containers/{self.id}/hosts",
            "LogPath": f"/var/lib/docker/containers/{self.id}/{self.id}-json.log",
            "Name": "/" + self.name,
            "RestartCount": self.restart_count,
            "Driver": "overlay2",
            "Platform": "linux",
            "MountLabel": "",
            "ProcessLabel": "",
            "AppArmorProfile": "",
            "ExecIDs": None,
            "HostConfig": {
                "Binds": list(self.host.binds) or None,
                "ContainerIDFile": "",
                "LogConfig": {"Type": "json-file", "Config": {}},
                "NetworkMode": self.host.network_mode,
                "PortBindings": {},
                "PublishAllPorts": self.host.publish_all,
                "RestartPolicy": self.host.restart.as_json(),
                "AutoRemove": self.host.auto_remove,
                "Init": self.host.init or None,
                "Memory": self.host.memory,
                "MemorySwap": self.host.memory_swap,
                "NanoCpus": self.host.nano_cpus,
                "PidsLimit": self.host.pids_limit or None,
            },
            "GraphDriver": {"Data": self.layer_paths(), "Name": "overlay2"},
            "Mounts": [m.inspect() for m in self.mounts],
            "Config": dict(self.config),
        }
