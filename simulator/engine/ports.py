"""Published ports: `-p`/`-P`/`--expose` parsing, host-port allocation, and how Docker shows them.

Nothing listens on a real socket: a published port is a record that a host port is
taken, so that a second container asking for it fails as Docker's would.

Sources (Docker 20.10): `-p` syntax and messages from go-connections v0.4.0 `nat/nat.go`
(`ParsePortSpec`, `ParsePortRange`, `SplitProtoPort`); `--expose` from cli `opts/parse.go`;
allocation from libnetwork `portallocator/portallocator.go` (per host IP and protocol;
a dynamic port is the next free one after the last handed out, wrapping around) and
`drivers/bridge/port_mapping.go` (an unspecified host IP binds 0.0.0.0 and `::`); the
conflict message from libnetwork `endpoint.go` and `portallocator`; the PORTS column from
cli `formatter/container.go DisplayablePorts` (v20.10, IPv6 shown as `:::80`); `docker port`
from cli `container/port.go`. The dynamic range is the Linux default
`ip_local_port_range` (32768-60999), which the allocator reads at startup.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ..model.events import Event
from ..model.image import short_id
from .errors import DockerError

DYNAMIC_RANGE = (32768, 60999)
_PROTOCOLS = ("tcp", "udp", "sctp")
PUBLISHING_MODES_EXCLUDED = ("none", "host")


class PortSpecError(ValueError):
    """A `-p`/`--expose` value the CLI rejects before calling the daemon
    (`docker: <message>.` + `See 'docker run --help'.`, exit 125)."""


@dataclass(frozen=True)
class PortBinding:
    """One requested publication. port: `80/tcp`; host_ip: "" for all addresses;
    host_port: "" (any free port), `8080`, or a range `8000-8010` to pick from."""

    port: str
    host_ip: str = ""
    host_port: str = ""


def _port_range(text: str) -> tuple[int, int]:
    """`nat.ParsePortRange`; ValueError when invalid."""
    if not text:
        raise ValueError("Empty string specified for ports.")
    start_text, _, end_text = text.partition("-") if "-" in text else (text, "", text)
    start, end = _uint16(start_text), _uint16(end_text)
    if end < start:
        raise ValueError(f"Invalid range specified for the Port: {text}")
    return start, end


def _uint16(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    return int(text)


def _split_proto(raw: str) -> tuple[str, str]:
    """`nat.SplitProtoPort`: (proto, port), tcp by default."""
    parts = raw.split("/")
    if not raw or not parts[0]:
        return "", ""
    if len(parts) == 1 or not parts[1]:
        return "tcp", parts[0]
    return parts[1], parts[0]


def parse_publish(values: list[str]) -> list[PortBinding]:
    """`-p [ip:][hostPort:]containerPort[/proto]` values, in order; PortSpecError with nat's messages."""
    out: list[PortBinding] = []
    for raw in values:
        parts = raw.split(":")
        container = parts[-1]
        host_port = parts[-2] if len(parts) >= 2 else ""
        ip = ":".join(parts[:-2]) if len(parts) >= 3 else ""
        proto, container = _split_proto(container)
        ip = ip[1:-1] if ip.startswith("[") and ip.endswith("]") else ip
        if ip and not _valid_ip(ip):
            raise PortSpecError(f"Invalid ip address: {ip}")
        if not container:
            raise PortSpecError(f"No port specified: {raw}<empty>")
        try:
            start, end = _port_range(container)
        except ValueError:
            raise PortSpecError(f"Invalid containerPort: {container}") from None
        host_start = host_end = 0
        if host_port:
            try:
                host_start, host_end = _port_range(host_port)
            except ValueError:
                raise PortSpecError(f"Invalid hostPort: {host_port}") from None
            if end - start != host_end - host_start and end != start:
                raise PortSpecError(f"Invalid ranges specified for container and host Ports: {container} and {host_port}")
        if proto.lower() not in _PROTOCOLS:
            raise PortSpecError(f"Invalid proto: {proto}")
        for i in range(end - start + 1):
            hp = str(host_start + i) if host_port else ""
            if start == end and host_start != host_end:
                hp = f"{host_port.split('-')[0]}-{host_end}"
            out.append(PortBinding(f"{start + i}/{proto.lower()}", ip, hp))
    return out


def parse_expose(values: list[str]) -> list[str]:
    """`--expose port[-end][/proto]` values as `80/tcp` keys (cli `opts/parse.go`)."""
    out: list[str] = []
    for raw in values:
        if ":" in raw:
            raise PortSpecError(f"invalid port format for --expose: {raw}")
        proto, port = _split_proto(raw)
        try:
            start, end = _port_range(port)
        except ValueError as err:
            raise PortSpecError(f"invalid range format for --expose: {raw}, error: {err}") from None
        out.extend(f"{n}/{proto}" for n in range(start, end + 1))
    return out


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _key(port: str) -> tuple[int, str]:
    number, _, proto = port.partition("/")
    return int(number), proto


def exposed_ports(image_config: dict[str, Any] | None, bindings: list[PortBinding],
                  expose: list[str]) -> dict[str, dict]:
    """`Config.ExposedPorts` of a new container: the image's, the published ones and `--expose`."""
    ports = set((image_config or {}).get("ExposedPorts") or {})
    ports.update(b.port for b in bindings)
    ports.update(expose)
    return {p: {} for p in sorted(ports, key=_key)}


def port_bindings_json(bindings: list[PortBinding]) -> dict[str, list[dict[str, str]]]:
    """`HostConfig.PortBindings` as `docker inspect` shows it."""
    out: dict[str, list[dict[str, str]]] = {}
    for b in bindings:
        out.setdefault(b.port, []).append({"HostIp": b.host_ip, "HostPort": b.host_port})
    return out


@dataclass
class _Allocator:
    """The ports taken on one host IP for one protocol (libnetwork `portMap`)."""

    taken: dict[int, str] = field(default_factory=dict)   # port -> container ID
    last: int = DYNAMIC_RANGE[1]

    def request(self, start: int, end: int, owner: str) -> int | None:
        if start and start == end:
            if start in self.taken:
                return None
            self.taken[start] = owner
            return start
        if start:
            free = [p for p in range(start, end + 1) if p not in self.taken]
            if not free:
                return None
            self.taken[free[0]] = owner
            return free[0]
        low, high = DYNAMIC_RANGE
        port = self.last
        for _ in range(high - low + 1):
            port = low if port >= high else port + 1
            if port not in self.taken:
                self.last = port
                self.taken[port] = owner
                return port
        return None


@dataclass(frozen=True)
class Published:
    port: str        # container side, `80/tcp`
    host_ip: str     # `0.0.0.0`, `::` or the address asked for
    host_port: int


class Ports:
    """The host's published ports, and each running container's port mappings."""

    def __init__(self, engine):
        self.engine = engine
        self._allocators: dict[tuple[str, str], _Allocator] = {}
        self.active: dict[str, tuple[list[str], list[Published]]] = {}   # container ID -> (exposed, published)

    @staticmethod
    def publishes(network_mode: str) -> bool:
        """Whether a network mode maps ports at all (none and host do not; container:<x> shares another's)."""
        return network_mode not in PUBLISHING_MODES_EXCLUDED and not network_mode.startswith("container:")

    # -- the calls the container lifecycle makes --------------------------------------
    @staticmethod
    def publish(c, specs: list[str]) -> list[PortBinding]:
        """At create: the container's `-p` bindings (PortSpecError, a CLI-side error, when invalid)."""
        return parse_publish(specs)

    def start(self, c, publish_all: bool = False) -> list[Published]:
        """At start: allocate container `c`'s published ports (`c.ports` holds its bindings)."""
        return self.allocate(c.id, c.name, c.host.network_mode, list(c.config.get("ExposedPorts") or {}),
                             list(c.ports), publish_all)

    def display(self, c) -> str:
        """`docker ps` PORTS for container `c`."""
        return self.column(c.id)

    def allocate(self, container_id: str, name: str, network_mode: str, exposed: list[str] | dict,
                 bindings: list[PortBinding], publish_all: bool = False) -> list[Published]:
        """At start: take the host ports; DockerError (nothing taken) when one is already taken."""
        if not self.publishes(network_mode):
            return []
        wanted = list(bindings)
        if publish_all:
            bound = {b.port for b in bindings}
            wanted += [PortBinding(p) for p in sorted(exposed, key=_key) if p not in bound]
        published: list[Published] = []
        for binding in sorted(wanted, key=lambda b: _key(b.port)):
            ips = [binding.host_ip] if binding.host_ip else ["0.0.0.0", "::"]
            for ip in ips:
                got = self._take(container_id, ip, binding)
                if got is None:
                    self._free(container_id)
                    shown = binding.host_port or "0"
                    endpoint = self.engine.ids.hex64("endpoint")
                    raise DockerError(f"driver failed programming external connectivity on endpoint {name} "
                                      f"({endpoint}): Bind for {ip}:{shown} failed: port is already allocated")
                published.append(Published(binding.port, ip, got))
        all_exposed = sorted(set(exposed) | {b.port for b in wanted}, key=_key)
        self.active[container_id] = (all_exposed, published)
        for p in published:
            self.engine.emit(Event("port.published", f"host port {p.host_ip}:{p.host_port} now forwards to port "
                                   f"{p.port} of container {name} (simulated: nothing listens)",
                                   {"container": container_id, "port": p.port, "host_ip": p.host_ip,
                                    "host_port": p.host_port}))
        return published

    def _take(self, container_id: str, ip: str, binding: PortBinding) -> int | None:
        proto = binding.port.partition("/")[2]
        allocator = self._allocators.setdefault((ip, proto), _Allocator())
        start = end = 0
        if binding.host_port:
            start, end = _port_range(binding.host_port)
        return allocator.request(start, end, container_id)

    def _free(self, container_id: str) -> None:
        for allocator in self._allocators.values():
            for port in [p for p, owner in allocator.taken.items() if owner == container_id]:
                del allocator.taken[port]

    def release(self, container) -> None:
        """At stop (or exit, or removal): give the host ports back. `container`: a Container or an ID."""
        container_id = container if isinstance(container, str) else container.id
        self._free(container_id)
        _, published = self.active.pop(container_id, ([], []))
        if published:   # a container that published nothing gave nothing back
            shown = ", ".join(f"{p.host_ip}:{p.host_port}" for p in published)
            shown_name = getattr(container, "name", "") or short_id(container_id)
            self.engine.emit(Event("port.released", f"container {shown_name} stopped: host "
                                   f"{'port' if len(published) == 1 else 'ports'} {shown} "
                                   f"{'is' if len(published) == 1 else 'are'} free again",
                                   {"container": container_id, "host_ports": [p.host_port for p in published]}))

    # -- what Docker shows ------------------------------------------------------------
    def settings(self, container_id: str) -> dict[str, list[dict[str, str]] | None]:
        """`NetworkSettings.Ports`: exposed port -> bindings (None when not published); {} when not running."""
        exposed, published = self.active.get(container_id, ([], []))
        out: dict[str, list[dict[str, str]] | None] = {}
        for port in exposed:
            bound = [{"HostIp": p.host_ip, "HostPort": str(p.host_port)} for p in published if p.port == port]
            out[port] = bound or None
        return out

    def column(self, container_id: str) -> str:
        """The PORTS column of `docker ps` (cli v20.10 `DisplayablePorts`)."""
        rows: list[tuple[int, str, int, str]] = []   # (private, ip, public, proto)
        for port, bindings in self.settings(container_id).items():
            number, proto = _key(port)
            if not bindings:
                rows.append((number, "", 0, proto))
            for b in bindings or []:
                rows.append((number, b["HostIp"], int(b["HostPort"]), proto))
        return displayable_ports(rows)

    def lines(self, container_id: str, private: str | None = None) -> list[str]:
        """`docker port` output lines; with `private` (`80`, `80/udp`), just `ip:port` lines.

        Raises KeyError(`80/tcp`) when that port is not published (the CLI then prints
        `Error: No public port '80/tcp' published for <container>`).
        """
        settings = self.settings(container_id)
        if private is None:
            return [f"{port} -> {b['HostIp']}:{b['HostPort']}"
                    for port, bindings in settings.items() for b in bindings or []]
        number, _, proto = private.partition("/")
        key = f"{number}/{proto or 'tcp'}"
        bindings = settings.get(key)
        if not bindings:
            raise KeyError(key)
        return [f"{b['HostIp']}:{b['HostPort']}" for b in bindings]


def displayable_ports(rows: list[tuple[int, str, int, str]]) -> str:
    """Group (private, ip, public, proto) rows as the v20.10 CLI does: `0.0.0.0:80-81->80-81/tcp, 443/tcp`."""
    groups: dict[str, list[int]] = {}
    order: list[str] = []
    result: list[str] = []
    host_mappings: list[str] = []
    for private, ip, public, proto in sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3])):
        key = proto
        if ip:
            if public != private:
                host_mappings.append(f"{ip}:{public}->{private}/{proto}")
                continue
            key = f"{ip}/{proto}"
        group = groups.get(key)
        if group is None:
            groups[key] = [private, private]
            order.append(key)
            continue
        if private == group[1] + 1:
            group[1] = private
            continue
        result.append(_form_group(key, *group))
        groups[key] = [private, private]
    result += [_form_group(key, *groups[key]) for key in order]
    return ", ".join(result + host_mappings)


def _form_group(key: str, first: int, last: int) -> str:
    ip, _, proto = key.rpartition("/")
    text = str(first) if first == last else f"{first}-{last}"
    if ip:
        text = f"{ip}:{text}->{text}"
    return f"{text}/{proto}"
