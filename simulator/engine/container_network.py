"""Addresses on the default bridge network, and the `NetworkSettings` of `docker inspect`.

Docker Engine 20.10 (libnetwork `ipam`, `drivers/bridge`; moby `daemon/container_operations.go`):
the default `bridge` network is 172.17.0.0/16 with the gateway 172.17.0.1 on `docker0`; a
container on it gets the lowest free address (172.17.0.2, .3, ...) when it starts and gives it
back when it stops (`releaseNetwork` at every exit), and its MAC address is 02:42 followed
by the four bytes of its IPv4 address (`netutils.GenerateMACFromIP`). Containers with
`--network none` or `host` have no address. The runtime writes the address and the host
name into the container's /etc/hosts (libnetwork `etchosts`).

Only the addresses are modelled: nothing is routed between containers or to the host.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from ..model.events import Event

SUBNET = ipaddress.IPv4Network("172.17.0.0/16")
GATEWAY = "172.17.0.1"
BRIDGE_MODES = ("default", "bridge")


@dataclass(frozen=True)
class Endpoint:
    """A running container's attachment to its network (libnetwork endpoint); `ip` is "" off the bridge."""

    endpoint_id: str
    ip: str

    @property
    def mac(self) -> str:
        return mac_of(self.ip) if self.ip else ""


def mac_of(ip: str) -> str:
    """02:42:ac:11:00:02 for 172.17.0.2 (libnetwork `netutils.GenerateMACFromIP`)."""
    return "02:42:" + ":".join(f"{b:02x}" for b in ipaddress.IPv4Address(ip).packed)


class Network:
    """The engine's networks as seen by its containers: built-in IDs, bridge addresses, sandboxes."""

    def __init__(self, engine):
        self.engine = engine
        self.ids: dict[str, str] = {}              # network name -> its ID, made on first use
        self.endpoints: dict[str, Endpoint] = {}   # container ID -> its bridge endpoint while running
        self.sandboxes: dict[str, str] = {}        # container ID -> sandbox ID (kept after stop)
        self.started: set[str] = set()             # containers started at least once

    def _network_id(self, name: str) -> str:
        if name not in self.ids:
            self.ids[name] = self.engine.ids.hex64("network")
        return self.ids[name]

    def connect(self, c) -> str:
        """At start: a sandbox, and on the bridge the lowest free address. Returns the
        address ("" off the bridge)."""
        self.disconnect(c)
        self.sandboxes[c.id] = self.engine.ids.hex64("sandbox")
        self.started.add(c.id)
        self._network_id(c.network)
        if c.host.network_mode not in BRIDGE_MODES:
            self.endpoints[c.id] = Endpoint(self.engine.ids.hex64("endpoint"), "")
            return ""
        taken = {e.ip for e in self.endpoints.values()}
        ip = next(str(a) for a in SUBNET.hosts() if str(a) != GATEWAY and str(a) not in taken)
        self.endpoints[c.id] = Endpoint(self.engine.ids.hex64("endpoint"), ip)
        self.engine.emit(Event("network.connected", f"container {c.name} joined the bridge network with "
                               f"address {ip} (gateway {GATEWAY}); nothing is routed in the simulator",
                               {"container": c.id, "ip": ip}))
        return ip

    def disconnect(self, c) -> None:
        """At exit, stop or removal: the address is free again."""
        endpoint = self.endpoints.pop(c.id, None)
        if endpoint is not None and endpoint.ip:
            self.engine.emit(Event("network.released", f"container {c.name} stopped: address "
                                   f"{endpoint.ip} is free again", {"container": c.id, "ip": endpoint.ip}))

    def forget(self, c) -> None:
        self.disconnect(c)
        self.sandboxes.pop(c.id, None)
        self.started.discard(c.id)

    def settings(self, c) -> dict[str, Any]:
        """`NetworkSettings` (moby `api/types NetworkSettings`, field order of 20.10's JSON;
        `Ports` filled by the caller): the top-level address fields are the bridge endpoint's,
        empty on other networks."""
        attached = self.endpoints.get(c.id)
        endpoint = attached if attached and attached.ip else None
        sandbox = self.sandboxes.get(c.id, "")
        address = {
            "EndpointID": endpoint.endpoint_id if endpoint else "",
            "Gateway": GATEWAY if endpoint else "",
            "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "IPAddress": endpoint.ip if endpoint else "",
            "IPPrefixLen": SUBNET.prefixlen if endpoint else 0,
            "IPv6Gateway": "",
            "MacAddress": endpoint.mac if endpoint else "",
        }
        network = {
            "IPAMConfig": None, "Links": None, "Aliases": None,
            "NetworkID": self.ids.get(c.network, "") if c.id in self.started else "",
            "EndpointID": attached.endpoint_id if attached else "", "Gateway": address["Gateway"],
            "IPAddress": address["IPAddress"], "IPPrefixLen": address["IPPrefixLen"], "IPv6Gateway": "",
            "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "MacAddress": address["MacAddress"],
            "DriverOpts": None,
        }
        return {
            "Bridge": "", "SandboxID": sandbox, "HairpinMode": False,
            "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0, "Ports": {},
            "SandboxKey": f"/var/run/docker/netns/{sandbox[:12]}" if sandbox else "",
            "SecondaryIPAddresses": None, "SecondaryIPv6Addresses": None,
            **address,
            "Networks": {c.network: network},
        }
