"""`docker volume ...`, `docker system df` and `docker port` through the CLI; expected text from
tests/conformance/scenarios/volumes and system-df (Docker 20.10)."""

import shlex

import pytest

from simulator.cli import app


@pytest.fixture
def docker(tmp_path):
    from simulator.engine.engine import Engine
    engine = Engine()
    import simulator.cli.commands  # noqa: F401  (registers the commands)

    def run(line: str) -> tuple[int, str]:
        out: list[str] = []
        code = app.run(engine, shlex.split(line)[1:], str(tmp_path), out.append, out.append)
        return code, "".join(out)
    return run


def test_volume_commands_as_recorded(docker):
    assert docker("docker volume create data") == (0, "data\n")
    assert docker("docker volume create data") == (0, "data\n")
    code, text = docker("docker volume create 'bad name'")
    assert code == 1 and text == (
        'Error response from daemon: create bad name: "bad name" includes invalid characters for a local volume '
        'name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use '
        'absolute path\n')
    assert docker("docker volume ls") == (0, "DRIVER    VOLUME NAME\nlocal     data\n")
    assert docker("docker volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}}' data") == (
        0, "data local local map[]\n")
    assert docker("docker volume inspect nosuch") == (1, "[]\nError: No such volume: nosuch\n")
    assert docker("docker volume rm data") == (0, "data\n")
    assert docker("docker volume rm data") == (1, "Error: No such volume: data\n")
    assert docker("docker volume prune -f") == (0, "Total reclaimed space: 0B\n")


def test_volume_ls_filters_and_natural_order(docker):
    for name in ("v10", "v9", "fresh"):
        docker(f"docker volume create {name}")
    assert docker("docker volume ls -q") == (0, "fresh\nv9\nv10\n")
    assert docker("docker volume ls -q -f name=v1") == (0, "v10\n")
    assert docker("docker volume ls -q -f dangling=true -f name=fresh") == (0, "fresh\n")
    assert docker("docker volume ls --format '{{.Name}}:{{.Mountpoint}}' -f name=v9") == (
        0, "v9:/var/lib/docker/volumes/v9/_data\n")
    # volumeContext's MarshalJSON (cli formatter.MarshalJSON): its argument-free methods, keys sorted
    assert docker("docker volume ls --format '{{json .}}' -f name=v9") == (0, (
        '{"Driver":"local","Labels":"","Links":"N/A","Mountpoint":"/var/lib/docker/volumes/v9/_data",'
        '"Name":"v9","Scope":"local","Size":"N/A"}\n'))
    # the daemon's order is its map's; the simulator's is by name (the recording's 2f3a..., fresh fits)
    code, text = docker("docker volume prune -f")
    assert code == 0 and text == "Deleted Volumes:\nfresh\nv10\nv9\n\nTotal reclaimed space: 0B\n"


def test_system_df_on_an_empty_engine(docker):
    assert docker("docker system df") == (0, (
        "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n"
        "Images          0         0         0B        0B\n"
        "Containers      0         0         0B        0B\n"
        "Local Volumes   0         0         0B        0B\n"
        "Build Cache     0         0         0B        0B\n"))
    code, text = docker("docker system df -v")
    assert text.endswith("Build cache usage: 0B\n\n"
                         "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n")


def test_port_of_a_missing_container(docker):
    assert docker("docker port nosuch") == (1, "Error: No such container: nosuch\n")


def test_a_volume_over_etc_gets_the_network_files_as_empty_mount_targets(docker):
    # tests/conformance/scenarios/volume-seeding (Docker 20.10): runc makes the targets of
    # /etc/hostname, /etc/hosts and /etc/resolv.conf in the volume, where they stay.
    docker("docker volume create named")
    docker("docker run --rm --network none -v named:/data busybox sh -c 'echo x > /data/seed'")
    assert docker("docker run --rm --network none -v named:/etc busybox ls /etc") == (
        0, "hostname\nhosts\nresolv.conf\nseed\n")
    assert docker("docker run --rm --network none -v named:/data busybox ls /data") == (
        0, "hostname\nhosts\nresolv.conf\nseed\n")
