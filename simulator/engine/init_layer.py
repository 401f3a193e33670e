"""The init layer: the files Docker puts between an image and a container's writable layer.

moby `daemon/initlayer/setup_unix.go` creates, in a read-only layer of its own, the paths
every container needs whatever its image holds: `/dev/pts`, `/dev/shm`, `/proc`, `/sys`,
`/.dockerenv`, `/etc/resolv.conf`, `/etc/hosts`, `/etc/hostname`, `/dev/console` and the
symlink `/etc/mtab -> /proc/mounts`. Because they live below the container's upper layer,
they never show in `docker diff` and never end up in `docker commit`.

Docker bind-mounts the real `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf` over the
empty files at start; here the init layer holds their contents directly.
"""

from __future__ import annotations

from ..model.fs import Tree
from ..model.layer import Entry, Layer, directory, file, symlink

# libnetwork etchosts defaultContent (as a Docker 20.10 container's /etc/hosts reads)
_HOSTS = ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
          "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")


def hosts_file(hostname: str, ip: str = "") -> Entry:
    """/etc/hosts; `ip` is the container's address on the bridge ("" for none), which libnetwork
    etchosts maps to the host name (`<ip>\t<hostname>`) when the container starts."""
    return file(_HOSTS + (f"{ip}\t{hostname}\n" if ip else ""), 0o644)


def init_layer(lower: Tree, hostname: str) -> Layer:
    """The init layer for a container whose image view is `lower` (directories the image
    already has keep their own attributes)."""
    entries = {
        "/.dockerenv": file("", 0o755),
        "/etc/hostname": file(hostname + "\n", 0o644),
        "/etc/hosts": hosts_file(hostname),
        "/etc/resolv.conf": file("", 0o644),
        "/etc/mtab": symlink("/proc/mounts"),
        "/dev/console": file("", 0o755),
    }
    for path in ("/dev", "/dev/pts", "/dev/shm", "/proc", "/sys", "/etc"):
        entries[path] = lower.get(path) or directory(0o755)
    return Layer.of(entries)
