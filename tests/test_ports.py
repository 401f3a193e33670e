"""Published ports: messages from go-connections v0.4.0 `nat.ParsePortSpec`, allocation from
libnetwork's portallocator, PORTS text from docker/cli v20.10 `DisplayablePorts`."""

from types import SimpleNamespace

import pytest

from simulator.engine.errors import DockerError
from simulator.engine.ports import (PortBinding, Ports, PortSpecError, displayable_ports, exposed_ports,
                                    parse_expose, parse_publish, port_bindings_json)
from simulator.model.clock import IdSource


def make_ports():
    return Ports(SimpleNamespace(ids=IdSource("t"), emit=lambda event: None))


def test_parse_forms():
    assert parse_publish(["8080:80", "443", "127.0.0.1:53:53/udp", "9000-9001:9000-9001"]) == [
        PortBinding("80/tcp", "", "8080"), PortBinding("443/tcp", "", ""),
        PortBinding("53/udp", "127.0.0.1", "53"),
        PortBinding("9000/tcp", "", "9000"), PortBinding("9001/tcp", "", "9001")]
    assert parse_publish(["8000-8010:80"]) == [PortBinding("80/tcp", "", "8000-8010")]
    assert parse_expose(["80", "7000-7001/udp"]) == ["80/tcp", "7000/udp", "7001/udp"]


@pytest.mark.parametrize("spec,message", [
    ("x", "Invalid containerPort: x"),
    ("8080:x", "Invalid containerPort: x"),
    ("y:80", "Invalid hostPort: y"),
    ("1.2.3.999:80:80", "Invalid ip address: 1.2.3.999"),
    ("80/foo", "Invalid proto: foo"),
    ("80-81:90-92", "Invalid ranges specified for container and host Ports: 90-92 and 80-81"),
    ("70000", "Invalid containerPort: 70000"),
])
def test_parse_errors(spec, message):
    with pytest.raises(PortSpecError) as err:
        parse_publish([spec])
    assert str(err.value) == message


def test_expose_errors():
    with pytest.raises(PortSpecError) as err:
        parse_expose(["1:2"])
    assert str(err.value) == "invalid port format for --expose: 1:2"


def test_allocation_binds_ipv4_and_ipv6_and_conflicts_leave_nothing_taken():
    ports = make_ports()
    ports.allocate("c1", "web", "default", [], parse_publish(["8080:80"]))
    assert ports.settings("c1") == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"},
                                               {"HostIp": "::", "HostPort": "8080"}]}
    with pytest.raises(DockerError) as err:
        ports.allocate("c2", "web2", "default", [], parse_publish(["9090:90", "8080:80"]))
    text = str(err.value)
    assert text.startswith("driver failed programming external connectivity on endpoint web2 (")
    assert text.endswith("): Bind for 0.0.0.0:8080 failed: port is already allocated")
    assert ports.settings("c2") == {}
    ports.allocate("c3", "other", "default", [], parse_publish(["9090:90"]))   # 9090 was given back
    ports.release("c1")
    ports.allocate("c2", "web2", "default", [], parse_publish(["8080:80"]))


def test_dynamic_ports_round_robin_from_the_linux_range():
    ports = make_ports()
    ports.allocate("a", "a", "default", [], parse_publish(["80"]))
    assert ports.lines("a") == ["80/tcp -> 0.0.0.0:32768", "80/tcp -> :::32768"]
    ports.release("a")
    ports.allocate("b", "b", "default", ["80/tcp", "443/tcp"], [], publish_all=True)
    # the allocator goes on after the last port handed out, even when it is free again
    assert ports.lines("b", "443") == ["0.0.0.0:32770", ":::32770"]
    assert ports.lines("b", "80/tcp") == ["0.0.0.0:32769", ":::32769"]
    with pytest.raises(KeyError):
        ports.lines("b", "81")


def test_no_mapping_without_a_bridge():
    ports = make_ports()
    assert ports.allocate("a", "a", "none", ["80/tcp"], parse_publish(["80:80"])) == []
    assert ports.allocate("b", "b", "host", [], parse_publish(["80:80"])) == []
    assert ports.column("a") == ""


def test_ps_ports_column():
    ports = make_ports()
    ports.allocate("a", "a", "default", ["3000/tcp"], parse_publish(["80:80", "81:81", "8080:8000"]))
    # groups in the order they first appear (by private port), then the remapped ports
    assert ports.column("a") == ("0.0.0.0:80-81->80-81/tcp, :::80-81->80-81/tcp, 3000/tcp, "
                                 "0.0.0.0:8080->8000/tcp, :::8080->8000/tcp")
    assert displayable_ports([(80, "", 0, "tcp"), (82, "", 0, "tcp")]) == "80/tcp, 82/tcp"
    assert displayable_ports([(53, "127.0.0.1", 53, "udp")]) == "127.0.0.1:53->53/udp"


def test_config_json():
    bindings = parse_publish(["8080:80"])
    assert exposed_ports({"ExposedPorts": {"443/tcp": {}}}, bindings, ["9000/udp"]) == {
        "80/tcp": {}, "443/tcp": {}, "9000/udp": {}}
    assert port_bindings_json(bindings) == {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}
