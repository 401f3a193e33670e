"""runc and crun on an OCI bundle of busybox, each container on a fresh overlay snapshot.

    with OciHost(folder, rootfs_tar) as host:
        runtime = host.runtime("runc", "/usr/sbin/runc")
        host.run_true(runtime)    # one `runc run` of `true`
        host.build(runtime)       # BUILD_STEPS as a classic builder would run them

The bundle's config.json is `runc spec`'s (runc's default spec: mount, PID, IPC, UTS and
network namespaces, the default masked paths and mounts) with no terminal, a writable root
and the step's args/env; the new network namespace is left with no interface set up. Its
`cgroupsPath` puts every container under one cgroup parent of this host, `/<folder name>/<bundle>`
in every hierarchy, removed by `close()`.

A container's root is an overlay mount, as containerd's overlay snapshotter and Docker's
overlay2 make it: `lowerdir` = the busybox rootfs (and, in a build, the previous steps'
upper directories, top first), a fresh `upperdir` and `workdir`; unmounted and deleted once
the runtime exits, like `docker run --rm`. Mounting goes through the project's
simulator.backend.linux.mount (mount(2) through ctypes), so it costs no extra process.

crun refuses to create a cgroup on a hybrid host (cgroup v1 controllers plus a cgroup2 mount
at /sys/fs/cgroup/unified that holds controllers: "cgroups in hybrid mode not supported",
crun `libcrun_cgroup_enter`). There each crun process starts in a mount namespace of its own
where /sys/fs/cgroup/unified is unmounted, so crun sees legacy cgroup v1 and uses the same v1
controllers runc uses on that host; the host's mounts are untouched (the namespace is a slave).

Errors: RuntimeError when a runtime exits with a non-zero status (its stderr in the message),
OSError from mount(2) / umount2(2).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Callable

from simulator.backend.linux import mount as _mount

CLONE_NEWNS = 0x00020000
MS_REC = 0x4000
MS_SLAVE = 1 << 19
UNIFIED = "/sys/fs/cgroup/unified"
CGROUP_ROOT = "/sys/fs/cgroup"

# The build's Dockerfile (what docker and the simulator build) and, step by step, the
# container a classic builder (DOCKER_BUILDKIT=0) would run and commit for it:
# (args, extra environment, file of the context copied into the rootfs before the run).
DOCKERFILE = "FROM busybox\nRUN echo a > /a\nCOPY f /f\nENV X=1\nRUN cat /f\nWORKDIR /w\n"
CONTEXT_FILES = {"f": "f\n"}
BUILD_STEPS = (
    (["sh", "-c", "echo a > /a"], {}, None),          # RUN echo a > /a
    (["true"], {}, "f"),                              # COPY f /f: copied in, then the step's container
    (["true"], {"X": "1"}, None),                     # ENV X=1
    (["sh", "-c", "cat /f"], {"X": "1"}, None),       # RUN cat /f
    (["mkdir", "-p", "/w"], {"X": "1"}, None),        # WORKDIR /w (the builder creates it)
)


@dataclass
class Runtime:
    """An OCI runtime as this host runs it: `argv` up to the subcommand (binary and its
    private --root state folder), `preexec` run in the child before exec (or None)."""

    name: str
    argv: list[str]
    state: str
    preexec: Callable[[], None] | None


def version(binary: str) -> str:
    """First line of `BINARY --version` ("runc version 1.1.5+ds1")."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return out.stdout.splitlines()[0] if out.stdout else binary


def hybrid_with_controllers() -> bool:
    """True on a hybrid cgroup host whose cgroup2 mount holds controllers (crun refuses it)."""
    try:
        with open(os.path.join(UNIFIED, "cgroup.controllers")) as f:
            return os.path.ismount(UNIFIED) and bool(f.read().strip())
    except OSError:
        return False


def _hide_unified() -> None:
    """In the child before exec: a new mount namespace, slave to the host's (nothing done in it
    reaches the host), without the cgroup2 mount."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    _mount.mount("none", "/", "", MS_REC | MS_SLAVE)
    _mount.umount(UNIFIED)


class OciHost:
    """Bundles, the extracted busybox rootfs and runtime state under `folder` (made fresh by the
    caller, on a filesystem that can hold overlay upper directories). `rootfs_tar`: the tar
    /work/shared/tools/busybox-rootfs.sh writes. A context manager: `close()` on exit."""

    def __init__(self, folder: str, rootfs_tar: str):
        self.folder = os.path.realpath(folder)
        self.cgroup_parent = os.path.basename(self.folder)
        self.lower = os.path.join(self.folder, "rootfs")
        self.runtimes: list[Runtime] = []
        self.count = 0
        os.makedirs(self.lower)
        subprocess.run(["tar", "--numeric-owner", "-xf", rootfs_tar, "-C", self.lower], check=True)
        self.context = os.path.join(self.folder, "context")
        os.makedirs(self.context)
        for name, text in CONTEXT_FILES.items():
            with open(os.path.join(self.context, name), "w") as f:
                f.write(text)
        spec = os.path.join(self.folder, "spec")
        os.makedirs(spec)
        subprocess.run(["runc", "spec", "--bundle", spec], check=True)
        with open(os.path.join(spec, "config.json")) as f:
            self.spec = json.load(f)
        self.run_bundle = self._bundle("run", ["true"], {})
        self.step_bundles = [self._bundle(f"step{i}", args, env)
                             for i, (args, env, _) in enumerate(BUILD_STEPS, 1)]

    def __enter__(self) -> "OciHost":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _bundle(self, name: str, args: list[str], env: dict[str, str]) -> str:
        """A bundle folder: config.json, and `rootfs` where each run mounts its overlay."""
        config = json.loads(json.dumps(self.spec))
        config["process"]["terminal"] = False
        config["process"]["args"] = args
        config["process"]["env"] += [f"{k}={v}" for k, v in env.items()]
        config["root"] = {"path": "rootfs", "readonly": False}
        # One container at a time per bundle, and `run` removes its cgroup as it deletes it.
        config["linux"]["cgroupsPath"] = f"/{self.cgroup_parent}/{name}"
        bundle = os.path.join(self.folder, "bundles", name)
        os.makedirs(os.path.join(bundle, "rootfs"))
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(config, f)
        return bundle

    def runtime(self, name: str, binary: str) -> Runtime:
        """`binary` with its state under this folder; crun on a hybrid host hides cgroup2."""
        state = os.path.join(self.folder, "state-" + name)
        preexec = _hide_unified if name == "crun" and hybrid_with_controllers() else None
        runtime = Runtime(name, [binary, "--root", state], state, preexec)
        self.runtimes.append(runtime)
        return runtime

    def _container(self, runtime: Runtime, bundle: str) -> None:
        """`RUNTIME run` in the foreground: create, start, wait, delete (its cgroup too)."""
        self.count += 1
        cid = f"{runtime.name}-{self.count}"
        done = subprocess.run([*runtime.argv, "run", "--bundle", bundle, cid], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=runtime.preexec)
        if done.returncode != 0:
            raise RuntimeError(f"{runtime.name} run {cid} exited {done.returncode}: "
                               f"{done.stderr.decode(errors='replace').strip()}")

    def _snapshot(self, bundle: str, lowers: list[str]) -> tuple[str, str]:
        """A fresh upper/work pair under a new folder, mounted as overlay on the bundle's rootfs:
        (the folder, its upper directory)."""
        place = tempfile.mkdtemp(prefix="snap-", dir=self.folder)
        upper, work = os.path.join(place, "upper"), os.path.join(place, "work")
        os.mkdir(upper)
        os.mkdir(work)
        _mount.mount("overlay", os.path.join(bundle, "rootfs"), "overlay", 0,
                     _mount.overlay_options(lowers, upper, work))
        return place, upper

    def run_true(self, runtime: Runtime) -> None:
        """One container of `true`, from its fresh snapshot to its removal."""
        place, _ = self._snapshot(self.run_bundle, [self.lower])
        try:
            self._container(runtime, self.run_bundle)
        finally:
            _mount.umount(os.path.join(self.run_bundle, "rootfs"))
            shutil.rmtree(place)

    def build(self, runtime: Runtime) -> None:
        """BUILD_STEPS: per step, an overlay over the rootfs and the earlier steps'
        uppers, the step's container, and a tar of its upper (the layer a commit would make)."""
        places, uppers = [], []
        try:
            for bundle, (_, _, copied) in zip(self.step_bundles, BUILD_STEPS):
                place, upper = self._snapshot(bundle, uppers[::-1] + [self.lower])
                places.append(place)
                rootfs = os.path.join(bundle, "rootfs")
                try:
                    if copied:
                        shutil.copy2(os.path.join(self.context, copied), os.path.join(rootfs, copied))
                    self._container(runtime, bundle)
                finally:
                    _mount.umount(rootfs)
                subprocess.run(["tar", "--numeric-owner", "-cf", os.path.join(place, "layer.tar"),
                                "-C", upper, "."], check=True)
                uppers.append(upper)
        finally:
            for place in places:
                shutil.rmtree(place)

    def close(self) -> None:
        """Delete any container a runtime still has (an interrupted run), unmount everything
        under the folder, remove the cgroup parent in every hierarchy and the folder."""
        for runtime in self.runtimes:
            if os.path.isdir(runtime.state):
                for cid in os.listdir(runtime.state):
                    subprocess.run([*runtime.argv, "delete", "--force", cid], preexec_fn=runtime.preexec,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _mount.unmount_all(self.folder)
        shutil.rmtree(self.folder)
        for hierarchy in [CGROUP_ROOT] + [os.path.join(CGROUP_ROOT, h) for h in os.listdir(CGROUP_ROOT)]:
            top = os.path.join(hierarchy, self.cgroup_parent)
            for path, _, _ in sorted(os.walk(top), key=lambda walked: -len(walked[0])):
                os.rmdir(path)
