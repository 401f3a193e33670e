"""`Containers`: create, start, stop, kill, pause, restart, remove, exec, wait and logs.

Every state change is checked against the transition table in `states.py` (which also
holds the daemon's refusals) and reported as a `container.state` event. Processes are the
backend's tasks; the engine learns what they do only from the backend's exit events
(`backend.next_exit`), as moby learns it from containerd: `run_until(t)` lets processes
exit and restart policies fire in time order until `t` (moby `daemon/monitor.go`,
`restartmanager`), on whichever clock the engine has (virtual or real). `stop` follows
`daemon/stop.go` (stop signal, wait up to the timeout, then SIGKILL); what a signal does
to a process (handlers, the PID-1 rule of pid_namespaces(7), tini) is the backend's
business.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..backend.base import Exit, Limits, ProcessSpec, Task
from ..model.events import Event
from ..model.image import short_id
from ..model.units import ram_in_bytes
from . import container_names, ports, signals, states, working_dir
from .container_env import daemon_env
from .container_fs import ContainerFiles
from .container_network import Network
from .container_record import Container, HostConfig, Run
from .file_events import FileEvents
from .init_layer import hosts_file, init_layer
from .errors import Conflict, DockerError, InvalidParameter, NotFound, StartError
from .restart import RestartPolicy

MIN_MEMORY = 6 * 1024 * 1024   # moby daemon/daemon_unix.go linuxMinMemory
NETWORKS = ("default", "bridge", "host", "none")   # moby's predefined networks


class WouldBlockForever(DockerError):
    """The command would wait for a process that never ends (the simulator cannot block)."""


@dataclass
class CreateOptions:
    """What `docker create`/`run` pass to the daemon (CLI flags already parsed)."""

    command: list[str] = field(default_factory=list)
    name: str = ""
    env: list[str] = field(default_factory=list)
    workdir: str | None = None
    user: str | None = None
    entrypoint: str | None = None
    restart: str = "no"
    auto_remove: bool = False
    memory: str | None = None
    memory_swap: str | None = None   # `--memory-swap`: bytes, or "-1" for unlimited
    stop_signal: str = "SIGTERM"     # `--stop-signal` (the CLI's default)
    init: bool = False
    network: str = "default"
    volumes: list[str] = field(default_factory=list)
    ports: list[str] = field(default_factory=list)
    publish_all: bool = False
    expose: list[str] = field(default_factory=list)
    nano_cpus: int = 0
    pids_limit: int = 0        # `--pids-limit`; 0 or negative: unlimited
    labels: list[str] = field(default_factory=list)
    tty: bool = False
    interactive: bool = False
    attach: bool = True        # False for `run -d` (cli run.go clears the Attach* fields and StdinOnce)
    hostname: str = ""         # --hostname; the short ID when empty
    cwd: str | None = None     # where relative bind-mount sources live (the scenario folder)


def _memory_limits(memory: str | None, swap: str | None) -> tuple[int, int]:
    """(Memory, MemorySwap) in bytes from `-m` and `--memory-swap` (cli opts.go: "-1" is
    unlimited), checked and defaulted as moby daemon/daemon_unix.go does
    (`verifyPlatformContainerResources`; `adaptContainerSettings`: swap defaults to twice
    the memory when only `-m` is given). InvalidParameter with the daemon's text."""
    limit = ram_in_bytes(memory) if memory else 0
    total = -1 if swap == "-1" else ram_in_bytes(swap) if swap else 0
    if limit and limit < MIN_MEMORY:
        raise InvalidParameter("Minimum memory limit allowed is 6MB")
    if limit > 0 and total > 0 and total < limit:
        raise InvalidParameter("Minimum memoryswap limit should be larger than memory limit, see usage")
    if limit == 0 and total > 0:
        raise InvalidParameter("You should always set the Memory limit when using Memoryswap limit, see usage")
    return limit, (limit * 2 if limit > 0 and total == 0 else total)


def _merge_env(base: list[str], extra: list[str]) -> list[str]:
    """Image Env then `-e` values, a later KEY replacing an earlier one in place."""
    out: dict[str, str] = {}
    for item in base + extra:
        key, eq, _ = item.partition("=")
        if eq:
            out[key] = item
    return list(out.values())


def _program(argv) -> str:
    """The program a process runs, as a learner names it: `/bin/sh` -> `sh`."""
    return posixpath.basename(argv[0]) if argv else ""


class Containers:
    """The daemon's containers. `engine` gives clock, ids, images, backend, volumes, ports, emit."""

    def __init__(self, engine):
        self.engine = engine
        self.by_id: dict[str, Container] = {}
        self.files = ContainerFiles(engine)   # diff, commit, cp
        self.network = Network(engine)        # addresses on the bridge, NetworkSettings
        self.file_events = FileEvents(engine)  # fs.* events, held while a process works

    # -- lookup ------------------------------------------------------------------------
    def all(self) -> list[Container]:
        """Every container, newest first (`docker ps -a` order)."""
        return sorted(self.by_id.values(), key=lambda c: (c.created, c.id), reverse=True)

    def find(self, ref: str) -> Container | None:
        try:
            return self.get(ref)
        except NotFound:
            return None

    def get(self, ref: str) -> Container:
        """Full ID, then name, then unique ID prefix (moby `daemon/container.go GetContainer`)."""
        if not ref:
            raise InvalidParameter('invalid name or ID supplied: ""')
        if ref in self.by_id:
            return self.by_id[ref]
        name = ref.lstrip("/")
        for c in self.by_id.values():
            if c.name == name:
                return c
        matches = [c for cid, c in self.by_id.items() if cid.startswith(ref)]
        if len(matches) > 1:
            raise InvalidParameter(f"multiple IDs found with provided prefix: {ref}")
        if not matches:
            raise NotFound(f"No such container: {ref}")
        return matches[0]

    # -- events ------------------------------------------------------------------------
    def _now(self) -> datetime:
        return self.engine.clock.now()

    def _move(self, c: Container, source: str, name: str, detail: str = "", target: str = "") -> None:
        target = target or c.state
        edge = states.transition(source, target, name)
        sentence = f"container {c.name}: {edge.description}" + (f" ({detail})" if detail else "")
        self.engine.emit(Event("container.state", sentence, {
            "id": c.id, "name": c.name, "from": source, "to": target, "transition": name,
            "command": edge.command, "exit_code": c.exit_code}))

    # -- create ------------------------------------------------------------------------
    def create(self, image_ref: str, opts: CreateOptions) -> Container:
        """A new container in state `created`, with its writable layer prepared.

        Raises NotFound (`No such image: ...`), Conflict (name in use), InvalidParameter
        (relative working directory, bad name, restart policy, memory limit), DockerError
        (the working directory cannot be made: `working_dir.make`)."""
        policy = RestartPolicy.parse(opts.restart)
        working_dir.check_absolute(opts.workdir)   # the daemon's first check of the config
        policy.validate()
        memory, swap = _memory_limits(opts.memory, opts.memory_swap)
        image = self.engine.images.lookup(image_ref)
        if opts.name:
            name = container_names.validate(opts.name)
            self._check_free(name)
        bindings = ports.parse_publish(list(opts.ports))
        exposed = ports.exposed_ports(image.run_config, bindings, ports.parse_expose(list(opts.expose)))
        config = self._config(image, image_ref, opts, exposed)
        config["WorkingDir"] = working_dir.clean(config["WorkingDir"])
        if not (config.get("Entrypoint") or config.get("Cmd")):
            raise InvalidParameter("No command specified")
        cid = self.engine.ids.hex64("container")
        if not opts.name:
            name = container_names.generated_name(cid, {c.name for c in self.by_id.values()})
        config["Hostname"] = opts.hostname or cid[:12]
        host = HostConfig(restart=policy, auto_remove=opts.auto_remove, memory=memory, memory_swap=swap,
                          init=opts.init,
                          network_mode=opts.network, binds=list(opts.volumes), port_specs=list(opts.ports),
                          publish_all=opts.publish_all, nano_cpus=opts.nano_cpus,
                          # moby 20.10 daemon_unix.go adaptContainerSettings: 0 and every negative
                          # value mean unlimited, stored as no limit (PidsLimit null)
                          pids_limit=max(opts.pids_limit, 0))
        c = Container(cid, name, image.id, image_ref, self.engine.clock.tick(), config, host,
                      image_chain=tuple(reversed(image.chain_ids)))
        image_view = self.engine.images.tree(image)
        init = init_layer(image_view, config["Hostname"])
        rootfs = self.engine.backend.prepare(cid, image_view.child(init), self.file_events.observer(c),
                                             layers=(*self.engine.images.image_layers(image), init))
        self.by_id[cid] = c
        # the working directory and mount points made in the writable layer: told after "created"
        with self.file_events.held():
            try:
                if config["WorkingDir"]:
                    working_dir.make(rootfs, config["WorkingDir"], c.layer_paths()["MergedDir"])
                c.ports = bindings
                c.mounts = self.engine.volumes.attach(cid, image, list(opts.volumes), opts.cwd)
                self.engine.images.retain(cid, image)
            except DockerError:
                self.file_events.discard()
                self._forget(c, remove_volumes=True)
                raise
            self._move(c, states.NEW, "create", f"from image {image_ref} ({image.short_id})")
        return c

    def _check_free(self, name: str) -> None:
        for other in self.by_id.values():
            if other.name == name:
                raise Conflict(f'Conflict. The container name "/{name}" is already in use by container '
                               f'"{other.id}". You have to remove (or rename) that container to be able '
                               f'to reuse that name.')

    @staticmethod
    def _config(image, image_ref: str, opts: CreateOptions, exposed: dict[str, dict]) -> dict[str, Any]:
        """The container Config: the image's, overridden by the flags (moby `daemon/create.go`
        `mergeAndVerifyConfig`): a new entrypoint drops the image's Cmd. `exposed`: the
        image's, published and `--expose`d ports (`ExposedPorts`, left out when empty)."""
        base = image.run_config
        labels = dict(base.get("Labels") or {})
        for item in opts.labels:
            key, _, value = item.partition("=")
            labels[key] = value
        if opts.entrypoint is not None:
            entrypoint = [opts.entrypoint] if opts.entrypoint else None
            cmd = list(opts.command) or None
        else:
            entrypoint = base.get("Entrypoint")
            cmd = list(opts.command) or base.get("Cmd")
        config = {
            "Hostname": "", "Domainname": "",
            "User": opts.user if opts.user is not None else base.get("User", ""),
            "AttachStdin": opts.interactive and opts.attach, "AttachStdout": opts.attach,
            "AttachStderr": opts.attach,
            **({"ExposedPorts": exposed} if exposed else {}),
            "Tty": opts.tty, "OpenStdin": opts.interactive, "StdinOnce": opts.interactive and opts.attach,
            "Env": _merge_env(list(base.get("Env") or []), list(opts.env)) or None,
            "Cmd": cmd,
            "Image": image_ref,
            "Volumes": base.get("Volumes"),
            "WorkingDir": opts.workdir if opts.workdir is not None else base.get("WorkingDir", ""),
            "Entrypoint": entrypoint,
            "OnBuild": base.get("OnBuild"),
            "Labels": labels,
        }
        # cli opts.go sends --stop-signal only when it was changed from its default
        stop_signal = opts.stop_signal if opts.stop_signal != "SIGTERM" else base.get("StopSignal")
        if stop_signal:
            config["StopSignal"] = stop_signal
        return config

    # -- start and the process model -------------------------------------------------------
    def start(self, ref: str, stdin: str = "") -> bool:
        """Start a created or exited container; False when it was already running (HTTP 304).
        `stdin`: what an attached client sends to the main process's standard input (`run -i`;
        this run only: StdinOnce closes it).

        Raises StartError (126/127/128) when the process cannot start: the container keeps
        its state and records the exit code and the error, or is removed if it has `--rm`."""
        c = self.get(ref)
        if states.outcome("start", c.state, ref, c.id) == states.NOOP:
            return False
        c.restarts.reset()
        c.manually_stopped = False
        try:
            self._launch(c, "start", stdin)
        except StartError:
            if c.host.auto_remove:   # moby 20.10 daemon/start.go: a failed start removes an AutoRemove container
                self._remove(c, remove_volumes=True)
            raise
        self.run_until(self._now().timestamp())   # a process that ends at once has ended
        return True

    def _launch(self, c: Container, transition: str, stdin: str = "") -> None:
        source = c.state
        spec = ProcessSpec(tuple(c.argv), tuple(daemon_env(c.config)), c.config.get("WorkingDir") or "/",
                           c.config.get("User") or "", c.host.init, True, stdin, c.config["Hostname"])
        limits = Limits(c.host.memory, c.host.memory_swap, c.host.nano_cpus, c.host.pids_limit)
        # the process starts, then its file work happens: file events are told after the move
        with self.file_events.held(_program(c.argv)):
            try:
                self._check_network(c)
                # DockerError (port taken): the state does not change
                self.engine.ports.start(c, publish_all=c.host.publish_all)
                ip = self.network.connect(c)
                self.engine.backend.set_hosts(c.id, hosts_file(c.config["Hostname"], ip))
                self.engine.volumes.make_runtime_targets(c.id)
                task = self.engine.backend.start(c.id, spec, limits)
            except StartError as err:
                self.engine.ports.release(c)
                self.network.disconnect(c)
                c.running = c.restarting = False
                c.exit_code, c.error = err.exit_code, err.message
                self._move(c, source, "start-failed", err.message)
                raise
            c.running, c.paused, c.restarting, c.oom_killed = True, False, False, False
            c.restart_due, c.exit_code, c.error, c.pid = None, 0, "", task.pid
            c.started_at = task.started
            c.runs.append(Run(task.started, task))
            self._move(c, source, transition, f"running {shlex.join(c.argv)}")

    @staticmethod
    def _check_network(c: Container) -> None:
        """The daemon attaches the container to its network first at start (moby
        `daemon/start.go` initializeNetworking): only the built-in networks exist here, and
        another name is libnetwork's ErrNoSuchNetwork (`network X not found`)."""
        mode = c.host.network_mode
        if mode not in NETWORKS and not mode.startswith("container:"):
            raise StartError(f"network {mode} not found", 128)

    def _live(self) -> list[tuple[Container, Task]]:
        """The running main processes, oldest container first."""
        return [(c, c.current.task) for c in sorted(self.by_id.values(), key=lambda c: c.created)
                if c.running and not c.restarting and c.current is not None]

    def _clock_to(self, instant: datetime) -> None:
        if instant > self._now():
            self.engine.clock.advance((instant - self._now()).total_seconds())

    def run_until(self, epoch_seconds: float | None, watch: Task | None = None,
                  forever: str = "") -> Exit | None:
        """Let time pass until `epoch_seconds` (None: without end): processes exit and
        restart policies fire in time order. With `watch`, stop early when that task ends
        and return its Exit, leaving it to the caller; None if it has not ended by then.
        Without an end and with nothing left to happen, WouldBlockForever(`forever`)."""
        until = None if epoch_seconds is None else datetime.fromtimestamp(epoch_seconds, self._now().tzinfo)
        if until is None and (watch is None or not self.engine.backend.ends(watch)):
            raise WouldBlockForever(forever)
        while True:
            restarts = sorted((c.restart_due, c.created, c) for c in self.by_id.values()
                              if c.restarting and c.restart_due is not None)
            restart = restarts[0] if restarts and (until is None or restarts[0][0] <= until) else None
            horizon = restart[0] if restart else until
            live = self._live()
            tasks = [task for _, task in live]
            if watch is not None and watch not in tasks:
                tasks.append(watch)
            found = self.engine.backend.next_exit(tasks, horizon)
            if found is not None:
                task, exit = found
                owner = next((c for c, t in live if t is task), None)
                if restart and (restart[0], restart[1]) < (exit.at, owner.created if owner else restart[1]):
                    task.exit = None   # the restart comes first; the exit is found again
                else:
                    self._clock_to(exit.at)
                    if task is watch:
                        return exit
                    self._exit(owner, exit.code, exit.oom)
                    continue
            if restart is not None:
                self._clock_to(restart[0])
                self._auto_restart(restart[2])
                continue
            break
        if until is None:
            raise WouldBlockForever(forever)
        self._clock_to(until)
        return None

    def _advance(self, seconds: float) -> None:
        self.run_until(self._now().timestamp() + seconds)

    def _exit(self, c: Container, code: int, oom: bool = False) -> None:
        """The main process ended with `code`: exited, or restarting if the policy says so."""
        self.engine.backend.refresh(c.id)
        run = c.current
        run.ended = self._now()
        c.pid, c.exit_code, c.finished_at, c.paused = 0, code, self._now(), False
        c.oom_killed = c.oom_killed or oom
        delay = c.restarts.should_restart(code, c.manually_stopped, (run.ended - run.started).total_seconds())
        if delay is not None:
            c.restarting = True
            c.restart_due = self._now() + timedelta(seconds=delay)
            self._move(c, states.RUNNING, "restart-scheduled",
                       f"exit code {code}; restart {c.restart_count} in {delay:g}s")
            self._unplug(c)
            return
        c.running = c.restarting = False
        self._move(c, states.RUNNING, "oom-kill" if oom else "die", f"exit code {code}")
        self._unplug(c)
        if c.host.auto_remove:
            self._remove(c, remove_volumes=True)

    def _unplug(self, c: Container) -> None:
        """After the process ended: its host ports and bridge address are free again."""
        self.engine.ports.release(c)
        self.network.disconnect(c)

    def _auto_restart(self, c: Container) -> None:
        try:
            self._launch(c, "restart")
        except StartError:
            pass

    def _signal(self, c: Container, signal: str, deadline: datetime | None) -> tuple[bool, Exit | None]:
        """Send `signal` to the main process (thawed first, as moby `killWithSignal` does)
        and wait until `deadline` (None: until it ends) for it to end. Whether it has a
        handler for the signal, and its Exit if it ended by then."""
        task = c.current.task
        self._resume(c)
        handled = self.engine.backend.signal(task, signal)
        exit = self.run_until(None if deadline is None else deadline.timestamp(), watch=task,
                              forever=f"container {c.name} ignores SIG{signal} and never exits")
        return handled, exit

    def _stop_signal(self, c: Container) -> str:
        try:
            return signals.supported(signals.parse(c.config.get("StopSignal") or "TERM"))
        except InvalidParameter:
            return "TERM"

    # -- stop, kill, pause -----------------------------------------------------------------
    def stop(self, ref: str, timeout: int | None = None) -> bool:
        """`docker stop`: the stop signal, up to `timeout` s (default 10, -1 forever), then SIGKILL.
        The clock advances by the time waited. False when it was not running (HTTP 304)."""
        c = self.get(ref)
        if states.outcome("stop", c.state, ref, c.id) == states.NOOP:
            return False
        self._stop(c, 10 if timeout is None else timeout)
        return True

    def _stop(self, c: Container, timeout: int) -> None:
        c.manually_stopped = True
        source = c.state
        if c.restarting:
            c.running = c.restarting = False
            c.restart_due = None
            self._move(c, source, "stop", "the pending restart is cancelled")
            return
        signal = self._stop_signal(c)
        deadline = None if timeout < 0 else self._now() + timedelta(seconds=timeout)
        try:
            _, exit = self._signal(c, signal, deadline)
        except WouldBlockForever as err:
            raise WouldBlockForever(f"{err.message}; docker stop -t -1 would wait forever") from None
        if exit is None:
            _, exit = self._signal(c, "KILL", None)
            self._end(c, exit.code, states.RUNNING, "stop", f"SIG{signal} ignored for {timeout}s, then SIGKILL")
        elif exit.by_signal:
            self._end(c, exit.code, source, "stop", f"SIG{signal}")
        else:
            self._exit(c, exit.code, exit.oom)

    def _end(self, c: Container, code: int, source: str, transition: str, detail: str,
             auto_remove: bool = True) -> None:
        """The process died of a signal the user sent (no restart: the user asked for it)."""
        self.engine.backend.refresh(c.id)
        c.current.ended = self._now()
        c.pid, c.exit_code, c.finished_at = 0, code, self._now()
        c.running = c.paused = c.restarting = False
        self._move(c, source, transition, f"{detail}; exit code {code}")
        self._unplug(c)
        if c.host.auto_remove and auto_remove:
            self._remove(c, remove_volumes=True)

    def _resume(self, c: Container) -> None:
        """A paused container is thawed so that a signal can land (moby `killWithSignal`)."""
        if c.paused:
            self.engine.backend.thaw(c.current.task)
            c.paused, c.paused_since = False, None

    def kill(self, ref: str, signal: str = "KILL") -> None:
        """`docker kill -s SIG`. Errors are wrapped as `Cannot kill container: <ref>: <err>`."""
        name = signals.parse(signal)
        try:
            c = self.get(ref)
            signals.supported(name)
            states.outcome("kill", c.state, ref, c.id)
        except DockerError as err:
            if err.message.startswith("Cannot kill"):
                raise
            raise type(err)(f"Cannot kill container: {ref}: {err.message}") from None
        source = c.state
        c.manually_stopped = True
        if c.restarting:
            c.running = c.restarting = False
            c.restart_due = None
            self._move(c, source, "kill", "the pending restart is cancelled")
            return
        settle = None if name == "KILL" else self._now() + timedelta(seconds=self.engine.backend.signal_settle)
        handled, exit = self._signal(c, name, settle)
        if exit is None:
            what = "its handler runs and it goes on" if handled else "which has no handler for it, so nothing happens"
            self.engine.emit(Event("container.signal", f"container {c.name}: SIG{name} sent to PID 1, {what}",
                                   {"id": c.id, "signal": name}))
        elif exit.by_signal:
            self._end(c, exit.code, source, "kill", f"SIG{name}")
        else:
            self._exit(c, exit.code, exit.oom)

    def pause(self, ref: str) -> None:
        c = self.get(ref)
        states.outcome("pause", c.state, ref, c.id)
        self.engine.backend.freeze(c.current.task)
        c.paused, c.paused_since = True, self._now()
        self._move(c, states.RUNNING, "pause")

    def unpause(self, ref: str) -> None:
        c = self.get(ref)
        states.outcome("unpause", c.state, ref, c.id)
        self._resume(c)
        self._move(c, states.PAUSED, "unpause")
        self.files_changed()   # a `cp` may have changed its files while it was frozen

    def restart(self, ref: str, timeout: int | None = None) -> None:
        """`docker restart`: stop if running (same rules as stop), then start; RestartCount resets.
        Errors are wrapped as `Cannot restart container <ref>: <err>`."""
        try:
            c = self.get(ref)
            states.outcome("restart", c.state, ref, c.id)
        except NotFound:
            raise
        except DockerError as err:
            raise type(err)(f"Cannot restart container {ref}: {err.message}") from None
        if c.running:
            self._stop(c, 10 if timeout is None else timeout)
        c.restarts.reset()
        c.manually_stopped = False
        try:
            self._launch(c, "manual-restart")
        except StartError as err:
            raise StartError(f"Cannot restart container {ref}: {err.message}", err.exit_code) from None
        self.run_until(self._now().timestamp())   # as after start: a process that ends at once has ended

    # -- remove, rename ----------------------------------------------------------------
    def remove(self, ref: str, force: bool = False, volumes: bool = False) -> None:
        """`docker rm [-f] [-v]`: `-f` SIGKILLs a live container; `-v` removes its anonymous volumes."""
        c = self.get(ref)
        states.outcome("rm -f" if force else "rm", c.state, ref, c.id)
        if c.running:
            c.manually_stopped = True
            if c.restarting:
                c.running = c.restarting = False
                c.restart_due = None
            else:
                source = c.state
                _, exit = self._signal(c, "KILL", None)
                self._end(c, exit.code, source, "kill", "SIGKILL from docker rm -f", auto_remove=False)
        self._remove(c, remove_volumes=volumes)

    def prune(self) -> tuple[list[str], int]:
        """`docker container prune` (moby daemon/prune.go `ContainersPrune`): remove every
        container not running (created, exited, dead), newest first, volumes kept. The IDs
        removed and the space reclaimed: the sum of their writable layers' sizes (SizeRw)."""
        gone, reclaimed = [], 0
        for c in self.all():
            if c.running:
                continue
            reclaimed += self.engine.backend.get(c.id).layer().size
            self._remove(c, False)
            gone.append(c.id)
        self.engine.emit(Event("container.pruned", f"container prune removed {len(gone)} stopped "
                               f"container(s), freeing {reclaimed} bytes of writable layers",
                               {"ids": gone, "space_reclaimed": reclaimed}))
        return gone, reclaimed

    def _remove(self, c: Container, remove_volumes: bool) -> None:
        source = c.state
        c.removing = True
        self._move(c, source, "remove")
        self._forget(c, remove_volumes)
        self._move(c, states.REMOVING, "remove", "its writable layer is gone; the image is untouched",
                   target=states.GONE)

    def _forget(self, c: Container, remove_volumes: bool) -> None:
        self.by_id.pop(c.id, None)
        self.engine.backend.remove(c.id)
        self.engine.volumes.release(c.id, remove_volumes)
        self.engine.images.release(c.id)
        self.engine.ports.release(c)
        self.network.forget(c)

    def rename(self, ref: str, new_name: str) -> None:
        """`docker rename` (moby `daemon/rename.go`, 20.10 wording)."""
        if not ref or not new_name:
            raise InvalidParameter("Neither old nor new names may be empty")
        c = self.get(ref)
        if c.name == new_name.lstrip("/"):
            raise InvalidParameter("Renaming a container with the same name as its current name")
        try:
            name = container_names.validate("/" + new_name.lstrip("/"))
            self._check_free(name)
        except DockerError as err:
            raise type(err)(f"Error when allocating new name: {err.message}") from None
        old, c.name = c.name, name
        self.engine.emit(Event("container.renamed", f"container {old} is now called {name}",
                               {"id": c.id, "from": old, "to": name}))

    # -- wait, logs, exec -------------------------------------------------------------------
    def wait(self, ref: str) -> int:
        """`docker wait`: let time pass until the container stops for good; its exit code."""
        return self.wait_stopped(self.get(ref))

    def wait_stopped(self, c: Container) -> int:
        """Let time pass until `c`'s main process next exits; its exit code. As moby's
        `State.SetRestarting` notifies waiters, an exit counts even when a restart policy
        starts the container again (so `docker wait`, and the CLI attached to `docker run`, end
        there); a container restarting now is waited for through its restart. Works on a
        container that `--rm` removed meanwhile, as the CLI's wait for `removed` does (cli
        `run.go` `waitExitOrRemoved`)."""
        if c.running and c.restarting:
            self.run_until(c.restart_due.timestamp())
        if not c.running or c.restarting:
            return c.exit_code
        task = c.current.task
        exit = self.run_until(None, watch=task, forever=f"container {c.name} runs until it is stopped; "
                              "docker wait would wait forever")
        if c.current is not None and c.current.task is task:
            self._exit(c, exit.code, exit.oom)
        return exit.code

    def logs(self, ref: str) -> list[tuple[datetime, str, str]]:
        """Everything the main process wrote, over all its runs: (time, stream, text) in order."""
        return self.output(self.get(ref))

    def output(self, c: Container) -> list[tuple[datetime, str, str]]:
        """What `c`'s main process wrote until now, over all its runs (also once `--rm` removed it)."""
        now = self._now()
        return [item for run in c.runs for item in run.output_until(now)]

    def exec(self, ref: str, argv: list[str], detach: bool = False, env: list[str] = (),
             workdir: str | None = None, user: str | None = None, stdin: str = "") -> Task:
        """`docker exec`: run a second process in a running container. Without `detach` time
        passes until it ends (its Exit is then `task.exit`). `stdin`: all it reads from its
        standard input (`exec -i`), then end of file. Raises the state refusals and
        StartError (126/127; 126 for a relative `workdir`, runc's check)."""
        c = self.get(ref)
        states.outcome("exec", c.state, ref, c.id)
        cwd = workdir or c.config.get("WorkingDir") or "/"
        working_dir.check_exec(cwd)
        spec = ProcessSpec(tuple(argv), tuple(daemon_env(c.config, list(env))), cwd,
                           user if user is not None else c.config.get("User") or "", False, False, stdin)
        with self.file_events.held(_program(argv)):
            task = self.engine.backend.start(c.id, spec)
            self.engine.emit(Event("container.exec", f"container {c.name}: {shlex.join(argv)} runs next to "
                                   "the main process, in the same namespaces and filesystem",
                                   {"id": c.id, "argv": list(argv)}))
        self.files_changed()
        if not detach:
            self.run_until(None, watch=task, forever=f"{shlex.join(argv)} never ends; run it with docker exec -d")
            self.engine.backend.refresh(c.id)
        return task

    def files_changed(self) -> None:
        """Files changed under running containers (`exec`, `cp`; volumes are shared, so all
        of them): a main process waiting on its files looks again (`backend.files_changed`),
        and the exits that are now due happen, restart policies included."""
        for c, task in self._live():
            if c.paused:
                continue
            with self.file_events.held(_program(c.argv)):
                exits = self.engine.backend.files_changed(task)
                if exits is None:
                    continue
                self.engine.emit(Event("container.wake", f"container {c.name}: its main process was "
                                       "waiting for the files to change; it looks again and goes on",
                                       {"id": c.id, "exits": exits}))
        self.run_until(self._now().timestamp())

    def inspect(self, ref: str) -> dict[str, Any]:
        """`docker inspect` JSON, with the published ports and the network settings."""
        c = self.get(ref)
        data = c.inspect()
        data["HostConfig"]["PortBindings"] = ports.port_bindings_json(c.ports)
        data["NetworkSettings"] = self.network.settings(c)
        data["NetworkSettings"]["Ports"] = self.engine.ports.settings(c.id)
        return data

    def image_of(self, c: Container) -> str:
        """`docker ps` IMAGE: the name typed at create while it still means the same image,
        else the short image ID (moby `daemon/list.go`)."""
        image = self.engine.images.find(c.image_ref) if c.image_ref else None
        return c.image_ref if image is not None and image.id == c.image_id else short_id(c.image_id)
