"""`docker container prune` and `docker system prune`, worded as a real Docker 20.10 engine
printed them (private engine, busybox, classic builder):

- `container prune` with no answer to its prompt:
  `WARNING! This will remove all stopped containers.\\nAre you sure you want to continue? [y/N] Total reclaimed space: 0B\\n`
- `container prune -f` with three stopped containers (a created one too) and a running one:
  `Deleted Containers:\\n<newest id>\\n<...>\\n<oldest id>\\n\\nTotal reclaimed space: 0B\\n`; again: only the total.
- `system prune` with no answer: the warning list and prompt, nothing after it.
- `system prune -f` with a stopped container and a dangling image (a rebuilt tag, one 2-byte
  file): `Deleted Containers:\\n<id>\\n\\nDeleted Images:\\ndeleted: sha256:<image>\\n
  deleted: sha256:<layer chain>\\n\\nTotal reclaimed space: 2B\\n`; again: `Total reclaimed space: 0B\\n`.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def _ids(docker):
    return docker("ps -aq --no-trunc").out.split()


def test_container_prune_without_force_removes_nothing(docker):
    assert docker("create --network none --name a3 busybox true").exit == 0
    r = docker("container prune")
    assert (r.exit, r.out, r.err) == (0, "WARNING! This will remove all stopped containers.\n"
                                         "Are you sure you want to continue? [y/N] Total reclaimed space: 0B\n", "")
    assert len(_ids(docker)) == 1


def test_container_prune_removes_stopped_containers_newest_first(docker):
    docker("run --network none --name a1 busybox sh -c 'echo one'")
    docker("run -d --network none --name a2 busybox sh -c 'exit 3'")
    docker("create --network none --name a3 busybox true")
    docker("run -d --network none --name live busybox sleep 1000")
    stopped = _ids(docker)[1:]   # newest first, live first of all
    r = docker("container prune -f")
    assert (r.exit, r.out) == (0, "Deleted Containers:\n" + "".join(i + "\n" for i in stopped)
                               + "\nTotal reclaimed space: 0B\n")
    assert docker("ps -a --format '{{.Names}}'").out == "live\n"
    assert docker("container prune -f").out == "Total reclaimed space: 0B\n"


def test_container_prune_reclaims_the_writable_layers(docker):
    docker("run --network none --name wr busybox sh -c 'echo hello > /f'")   # 6 bytes
    assert docker("container prune -f").out.endswith("\nTotal reclaimed space: 6B\n")


def test_system_prune_without_force_only_asks(docker):
    docker("create --network none --name a3 busybox true")
    r = docker("system prune")
    assert (r.exit, r.out) == (0, "WARNING! This will remove:\n  - all stopped containers\n"
                                  "  - all networks not used by at least one container\n  - all dangling images\n"
                                  "  - all dangling build cache\n\nAre you sure you want to continue? [y/N] ")
    assert docker("system prune -a").out == (
        "WARNING! This will remove:\n  - all stopped containers\n"
        "  - all networks not used by at least one container\n"
        "  - all images without at least one container associated to them\n  - all build cache\n\n"
        "Are you sure you want to continue? [y/N] ")
    assert len(_ids(docker)) == 1


def test_system_prune_removes_stopped_containers_and_dangling_images(docker, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM busybox\nRUN echo a > /a\n")
    dangling = docker("build -q -t x:1 .", cwd=tmp_path).out.strip()
    (tmp_path / "Dockerfile").write_text("FROM busybox\nRUN echo b > /b\n")
    assert docker("build -q -t x:1 .", cwd=tmp_path).exit == 0
    docker("run --network none --name b1 busybox true")
    container = _ids(docker)[0]
    r = docker("system prune -f")
    assert r.exit == 0
    head = f"Deleted Containers:\n{container}\n\nDeleted Images:\ndeleted: {dangling}\ndeleted: sha256:"
    assert r.out.startswith(head)
    assert r.out.endswith("\n\nTotal reclaimed space: 2B\n")
    assert len(r.out.splitlines()) == 8
    assert docker("system prune -f").out == "Total reclaimed space: 0B\n"
