"""A private, throw-away Docker Engine (and registry) for conformance tests.

    with private_engine() as engine:
        engine.docker("run", "--rm", "--network", "none", "busybox", "echo", "hi")

`private_engine()` starts its own `dockerd` (Debian's docker.io 20.10) with every
piece of state under a fresh temporary folder: data root, exec root, pid file,
unix socket, cgroup parent.  The daemon has no bridge and touches no firewall,
so containers must run with `--network none`.  It imports `busybox:latest` from
the tar ../shared/tools/busybox-rootfs.sh (beside the repository) makes and yields an `Engine` whose `env` runs
/usr/bin/docker against it.  On exit it removes all containers, stops the
daemon, unmounts whatever is left under its folder and deletes it.

The daemon runs in a network namespace of its own (only a loopback), so
nothing it does reaches the host's network.  `private_registry(engine)` runs
Debian's `docker-registry` on 127.0.0.1:5000 of that namespace with fresh
storage, for push/pull scenarios.  `Engine.reset()` brings a daemon back to
the state it had just after start, so one daemon can serve many scenarios;
`leftovers(parent, cgroups)` lists what engines started under `parent` left
behind (processes, mounts, cgroups, files).

Where no engine can be started (not root, no dockerd, no overlayfs ...) both
raise `EngineUnavailable(reason)`.  Standard library only.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time

DOCKERD = "/usr/sbin/dockerd"
DOCKER = "/usr/bin/docker"  # not /usr/local/bin/docker, which is a newer CLI
REGISTRY = "/usr/bin/docker-registry"
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# The project's shared tools live beside the repository (`../shared/tools/`), in CI too.
ROOTFS_SCRIPT = os.environ.get("BUSYBOX_ROOTFS_SCRIPT", os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "tools", "busybox-rootfs.sh")))


class EngineUnavailable(Exception):
    """No private engine can run here; the argument is a one-line reason."""


class Engine:
    """A running private daemon: where it lives and how to talk to it."""

    def __init__(self, root, driver):
        self.root = root                      # the temporary folder
        self.driver = driver                  # "overlay2" or "vfs"
        self.socket = os.path.join(root, "docker.sock")
        self.host = "unix://" + self.socket
        self.config = os.path.join(root, "client")
        self.cgroup_parent = "/" + os.path.basename(root)
        self.log = os.path.join(root, "dockerd.log")
        self.docker_path = DOCKER
        self.env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": self.config,
            "LANG": "C.UTF-8",
            "DOCKER_HOST": self.host,
            "DOCKER_BUILDKIT": "0",
            "DOCKER_CONFIG": self.config,
        }

    def docker(self, *args, check=True, timeout=300, cwd=None):
        """Run /usr/bin/docker ARGS; return CompletedProcess (stdout+stderr merged)."""
        proc = subprocess.run(
            [DOCKER, *args], env=self.env, cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        proc.output = proc.stdout.decode("utf-8", "replace")
        if check and proc.returncode != 0:
            raise RuntimeError("docker %s failed (%d): %s"
                               % (" ".join(args), proc.returncode, proc.output))
        return proc

    def state(self):
        """What a scenario can see of the daemon's objects, as one comparable string."""
        return "\n".join(self.docker(*args).output for args in (
            ("ps", "-aq"), ("volume", "ls", "-q"), ("network", "ls", "-q"),
            ("images", "-a", "--digests", "--no-trunc", "--format",
             "{{.ID}} {{.Repository}}:{{.Tag}} {{.Digest}}")))

    def reset(self):
        """Remove every container, volume, network and image a scenario made (busybox:latest
        stays, with no other name), the daemon's record of what each registry holds
        (distribution metadata, which chooses between "Pushed" and "Mounted from") and the
        client's config (logins).  True when the daemon's state() is again the one it had
        just after start; otherwise the caller should start a fresh engine."""
        ids = self.docker("ps", "-aq").output.split()
        if ids:
            self.docker("rm", "-f", "-v", *ids, check=False)
        for _ in range(10):  # a parent image goes once its children have gone
            ids = sorted(set(self.docker("images", "-aq", "--no-trunc").output.split())
                         - {self.busybox_id})
            if not ids:
                break
            self.docker("rmi", "-f", *ids, check=False)
        refs = self.docker("image", "inspect", "--format",
                           "{{range .RepoTags}}{{.}} {{end}}{{range .RepoDigests}}{{.}} {{end}}",
                           self.busybox_id, check=False).output.split()
        extra = [r for r in refs if r != "busybox:latest"]
        if extra:
            self.docker("rmi", *extra, check=False)
        if "busybox:latest" not in refs:
            self.docker("tag", self.busybox_id, "busybox:latest", check=False)
        volumes = self.docker("volume", "ls", "-q").output.split()
        if volumes:
            self.docker("volume", "rm", "-f", *volumes, check=False)
        self.docker("network", "prune", "-f", check=False)
        for folder in (os.path.join(self.root, "data", "image", self.driver, "distribution"),
                       self.config):
            shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(self.config, exist_ok=True)
        return self.state() == self.initial_state


def _check_host():
    if os.geteuid() != 0:
        raise EngineUnavailable("a private dockerd needs root")
    for path in (DOCKERD, DOCKER):
        if not os.access(path, os.X_OK):
            raise EngineUnavailable("%s not found or not executable" % path)
    if not os.access(ROOTFS_SCRIPT, os.R_OK):
        raise EngineUnavailable("%s not found" % ROOTFS_SCRIPT)
    if not os.path.exists("/usr/bin/busybox"):
        raise EngineUnavailable("/usr/bin/busybox missing (apt-get install busybox-static)")


def _overlay_supported():
    try:
        with open("/proc/filesystems") as f:
            return any(line.split()[-1] == "overlay" for line in f if line.strip())
    except OSError:
        return False


def _mounts_under(root):
    """Mount points at or below root, deepest first."""
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].encode().decode("unicode_escape")
            if point == root or point.startswith(root + "/"):
                points.append(point)
    return sorted(points, key=len, reverse=True)


def _unmount_all(root):
    for _ in range(3):
        points = _mounts_under(root)
        if not points:
            return
        for point in points:
            if subprocess.run(["umount", point], stderr=subprocess.DEVNULL).returncode:
                subprocess.run(["umount", "-l", point], stderr=subprocess.DEVNULL)


def _pids_mentioning(root):
    """Processes whose command line names our folder (dockerd, containerd, shims)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                if root.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            pass
    return found


def _wait_gone(pids, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        pids = [p for p in pids if os.path.exists("/proc/%d" % p)
                and not _is_zombie(p)]
        if not pids:
            return []
        time.sleep(0.1)
    return pids


def _is_zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _remove_cgroups(name):
    """rmdir /sys/fs/cgroup/<hierarchy>/<name> (and v2 /sys/fs/cgroup/<name>), depth first."""
    base = "/sys/fs/cgroup"
    candidates = [os.path.join(base, name)]
    if os.path.isdir(base):
        candidates += [os.path.join(base, h, name) for h in os.listdir(base)]
    for top in candidates:
        if not os.path.isdir(top):
            continue
        for dirpath, _dirs, _files in sorted(os.walk(top), key=lambda w: -len(w[0])):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


def _start_daemon(root, driver, netns):
    engine = Engine(root, driver)
    for sub in ("data", "exec", "client"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    cmd = [
        DOCKERD,
        "--data-root", os.path.join(root, "data"),
        "--exec-root", os.path.join(root, "exec"),
        "--pidfile", os.path.join(root, "dockerd.pid"),
        "-H", engine.host,
        "--storage-driver", driver,
        "--iptables=false", "--ip-forward=false", "--ip-masq=false",
        "--bridge=none",
        "--cgroup-parent", engine.cgroup_parent,
        "--userland-proxy=false",
    ]
    if netns:
        # A network namespace of its own: only a loopback, and IPv4 forwarding
        # switched on there (not on the host), so the daemon does not print
        # "IPv4 forwarding is disabled" for every build step.
        cmd = ["unshare", "--net", "sh", "-c",
               'ip link set lo up && echo 1 > /proc/sys/net/ipv4/ip_forward'
               ' && exec "$@"', "sh"] + cmd
    log = open(engine.log, "wb")
    engine.process = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, env={"PATH": engine.env["PATH"]})
    engine.netns = "/proc/%d/ns/net" % engine.process.pid if netns else None
    log.close()
    deadline = time.time() + 60
    while time.time() < deadline:
        if engine.process.poll() is not None:
            break
        probe = subprocess.run([DOCKER, "version"], env=engine.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if probe.returncode == 0:
            return engine
        time.sleep(0.2)
    _stop_daemon(engine)
    return None


def _stop_daemon(engine):
    """Remove all containers, stop dockerd (and its containerd), leave no process."""
    proc = getattr(engine, "process", None)
    if proc is not None and proc.poll() is None:
        ids = subprocess.run([DOCKER, "ps", "-aq"], env=engine.env, timeout=60,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ids = ids.stdout.decode().split()
        if ids:
            subprocess.run([DOCKER, "rm", "-f", "-v", *ids], env=engine.env,
                           timeout=120, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # Anything still naming our folder (a managed containerd, a shim) goes too.
    left = _pids_mentioning(engine.root)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in _wait_gone(left, 10):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _import_busybox(engine):
    tar = os.path.join(engine.root, "busybox-rootfs.tar")
    made = subprocess.run(["bash", ROOTFS_SCRIPT, tar], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env={"PATH": PATH, "TMPDIR": engine.root})
    if made.returncode != 0:
        raise EngineUnavailable("busybox-rootfs.sh failed: %s"
                                % made.stdout.decode().strip().splitlines()[-1:])
    engine.docker("import", "--change", 'CMD ["sh"]', tar, "busybox:latest")
    os.unlink(tar)
    engine.busybox_id = engine.docker("image", "inspect", "--format", "{{.Id}}",
                                      "busybox:latest").output.strip()


@contextlib.contextmanager
def private_engine(busybox=True, driver=None, netns=True, parent="/tmp"):
    """Start a private dockerd; yield an Engine; tear everything down on exit.

    driver: "overlay2" or "vfs"; by default overlay2 when the kernel has
    overlayfs and the daemon starts with it, else vfs.
    netns: run the daemon in a new network namespace (only `lo`); its
    127.0.0.1 is then not the host's, see private_registry(engine).
    parent: the folder the engine's own temporary folder is made in (keep
    it short: the daemon's unix sockets live below it).
    """
    _check_host()
    if netns and not (shutil.which("unshare", path=PATH) and shutil.which("ip", path=PATH)):
        raise EngineUnavailable("unshare (util-linux) and ip (iproute2) are needed")
    drivers = [driver] if driver else (
        ["overlay2", "vfs"] if _overlay_supported() else ["vfs"])
    root = tempfile.mkdtemp(prefix="dockerconf-", dir=parent)
    engine = None
    try:
        for name in drivers:
            engine = _start_daemon(root, name, netns)
            if engine is not None:
                break
            _unmount_all(root)
            for sub in ("data", "exec"):
                shutil.rmtree(os.path.join(root, sub), ignore_errors=True)
        if engine is None:
            raise EngineUnavailable("dockerd did not start with %s (see its log)"
                                    % "/".join(drivers))
        engine.busybox_id = None
        if busybox:
            _import_busybox(engine)
        engine.initial_state = engine.state()
        yield engine
    finally:
        if engine is not None:
            _stop_daemon(engine)
            _remove_cgroups(engine.cgroup_parent.lstrip("/"))
        _unmount_all(root)
        shutil.rmtree(root, ignore_errors=True)


def leftovers(parent, cgroups=()):
    """What engines and registries started under `parent` left behind: one line per
    process whose command line names `parent`, mount under it, cgroup of `cgroups` (names
    of cgroup parents, e.g. "dockerconf-x1y2") still present and entry still inside it."""
    parent = os.path.realpath(parent)
    found = []
    for pid in _pids_mentioning(parent):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        if not _is_zombie(pid):
            found.append("process %d: %s" % (pid, cmd[:200]))
    found += ["mount: %s" % point for point in _mounts_under(parent)]
    base = "/sys/fs/cgroup"
    hierarchies = [base] + ([os.path.join(base, h) for h in sorted(os.listdir(base))]
                            if os.path.isdir(base) else [])
    found += ["cgroup: %s" % os.path.join(h, name) for name in cgroups
              for h in hierarchies if os.path.isdir(os.path.join(h, name))]
    if os.path.isdir(parent):
        found += ["file: %s" % os.path.join(parent, entry) for entry in sorted(os.listdir(parent))]
    return found


REGISTRY_CONFIG = """\
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: {addr}
"""


@contextlib.contextmanager
def private_registry(engine=None, host="127.0.0.1", port=5000, parent="/tmp"):
    """Run docker-registry on host:port with fresh storage; yield "host:port".

    With an engine whose daemon has its own network namespace, the registry
    runs in that namespace, so the daemon's 127.0.0.1:5000 reaches it and the
    host's port 5000 stays free.
    """
    if not os.access(REGISTRY, os.X_OK):
        raise EngineUnavailable("%s not found (apt-get install docker-registry)" % REGISTRY)
    netns = getattr(engine, "netns", None)
    enter = ["nsenter", "--net=" + netns] if netns else []
    addr = "%s:%d" % (host, port)
    probe = enter + ["/usr/bin/busybox", "wget", "-q", "-O", "/dev/null",
                     "http://%s/v2/" % addr]
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    if subprocess.run(probe, **quiet).returncode == 0:
        raise EngineUnavailable("%s is already in use" % addr)
    root = tempfile.mkdtemp(prefix="registryconf-", dir=parent)
    config = os.path.join(root, "config.yml")
    with open(config, "w") as f:
        f.write(REGISTRY_CONFIG.format(root=os.path.join(root, "storage"), addr=addr))
    log = open(os.path.join(root, "registry.log"), "wb")
    proc = subprocess.Popen(enter + [REGISTRY, "serve", config], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log.close()
    try:
        deadline = time.time() + 30
        while subprocess.run(probe, **quiet).returncode != 0:
            if proc.poll() is not None or time.time() > deadline:
                raise EngineUnavailable("docker-registry did not start on %s" % addr)
            time.sleep(0.1)
        yield addr
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":  # smoke test: python tests/conformance/realengine.py
    with private_engine() as e:
        print("storage driver:", e.driver)
        print(e.docker("images").output, end="")
        print(e.docker("run", "--rm", "--network", "none", "busybox", "echo", "hi").output, end="")
