"""How long a container and a small build take on the simulator's Linux backend, beside the real
runtimes measured in the same run.

    python3 bench/runtime.py [--runs N] [--build-runs M]      (as root)

Two workloads, each timed from the command's start to its end:

- run: `docker run --rm busybox true`, N times (default 20): median and p95 in ms;
- build: `docker build --no-cache` of a 5-step Dockerfile on busybox (ocirun.DOCKERFILE: RUN,
  COPY, ENV, RUN, WORKDIR), M times (default 5): median and p95 in ms.

Tools, one after the other, each with one untimed warm-up first (busybox pulled, caches warm):

- ours: `Engine(backend=LinuxBackend(root))` driven line by line through
  `simulator.cli.play.run_line`, as a scenario is; the in-memory backend (`Engine()`) beside it
  for reference (no kernel work at all);
- runc and crun (`apt-get install crun`): `RUNTIME run` of an OCI bundle over the same busybox
  rootfs (ocirun.py: runc's default spec, a new network namespace with nothing set up, a fresh
  overlay snapshot per container, unmounted and deleted after). They have no build: their build
  row is 5 containers, one per step, each over an overlay of the rootfs and the earlier steps'
  uppers, followed by a tar of its upper: a classic builder's container + commit per step,
  without Dockerfile parsing, image configs or a daemon;
- docker: Debian's Docker 20.10 on a private daemon of its own (tests/conformance/realengine.py
  `private_engine`, classic builder), `docker run --rm --network none busybox true` and
  `docker build --no-cache`, through the docker CLI (its start-up is in the figures).

It prints one table (rows: tools; columns: median and p95 of each workload) and the ratios of
ours to runc, crun and docker. A tool that cannot run here (not root, not installed, no
overlayfs, no dockerd) gets a one-line reason instead. Nothing is asserted about the times.
Mounts, bundles, cgroups, state folders and the daemon are removed at the end, also after a
failure, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "conformance"))

import ocirun  # noqa: E402  (beside this file)
from simulator.backend.linux.mount import unmount_all  # noqa: E402

ROOTFS_SCRIPT = os.environ.get("BUSYBOX_ROOTFS_SCRIPT", os.path.normpath(
    os.path.join(ROOT, "..", "shared", "tools", "busybox-rootfs.sh")))
RUNC = "/usr/sbin/runc"
RUN_LINE = "docker run --rm busybox true"
BUILD_LINE = "docker build --no-cache ."
OURS = "simulator linux backend"


class Unavailable(Exception):
    """A tool cannot be measured here; the argument is a one-line reason."""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(action, times: int) -> list[float]:
    """Milliseconds of each of `times` calls of `action`, after one untimed call."""
    action()
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        action()
        samples.append(1000 * (time.perf_counter() - start))
    return samples


def write_context(folder: str) -> str:
    os.makedirs(folder)
    with open(os.path.join(folder, "Dockerfile"), "w") as f:
        f.write(ocirun.DOCKERFILE)
    for name, text in ocirun.CONTEXT_FILES.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
    return folder


def simulator(engine, work: str, runs: int, build_runs: int) -> tuple[list[float], list[float]]:
    """(run ms, build ms) of `engine` driven as a scenario is, line by line."""
    from simulator.cli.play import run_line

    context = write_context(os.path.join(work, "context"))

    def line(text: str) -> None:
        output, status = run_line(engine, text, context)
        if status != 0:
            raise RuntimeError(f"{text} exited {status}: {output.strip()}")

    engine.registry.import_busybox()   # busybox:latest as the other tools have it (the host's busybox)
    return (timed(lambda: line(RUN_LINE), runs), timed(lambda: line(BUILD_LINE), build_runs))


def ours(work: str, runs: int, build_runs: int) -> tuple[list[float], list[float]]:
    """The Linux backend, its state root under `work`; Unavailable when it cannot be imported or
    refuses this host."""
    try:
        from simulator.backend.linux import ExecutorUnavailable
        from simulator.backend.linux.backend import LinuxBackend
        from simulator.engine.engine import Engine
    except ImportError as err:
        raise Unavailable(str(err)) from None
    state = os.path.join(work, "state")
    try:
        backend = LinuxBackend(state)
    except ExecutorUnavailable as err:
        raise Unavailable(str(err)) from None
    try:
        return simulator(Engine(backend=backend), work, runs, build_runs)
    finally:
        backend.reset()   # kills its processes, unmounts, removes its cgroups and state root


def in_memory(work: str, runs: int, build_runs: int) -> tuple[list[float], list[float]]:
    from simulator.engine.engine import Engine

    return simulator(Engine(), work, runs, build_runs)


def oci_host(work: str) -> ocirun.OciHost:
    """The bundles runc and crun share; Unavailable without root, runc or overlayfs."""
    from simulator.backend.linux import ExecutorUnavailable
    from simulator.backend.linux.mount import probe

    if os.geteuid() != 0:
        raise Unavailable("needs root (mounts, namespaces, cgroups)")
    if not os.access(RUNC, os.X_OK):
        raise Unavailable(f"{RUNC} not found (apt-get install runc)")
    if not os.access(ROOTFS_SCRIPT, os.R_OK):
        raise Unavailable(f"{ROOTFS_SCRIPT} not found")
    os.makedirs(work)
    try:
        probe(work)
    except ExecutorUnavailable as err:
        raise Unavailable(str(err)) from None
    tar = os.path.join(work, "busybox-rootfs.tar")
    made = subprocess.run(["bash", ROOTFS_SCRIPT, tar], capture_output=True, text=True)
    if made.returncode != 0:
        raise Unavailable(f"busybox-rootfs.sh failed: {made.stderr.strip()}")
    return ocirun.OciHost(os.path.join(work, "oci"), tar)


def oci(host: ocirun.OciHost, name: str, binary: str | None, runs: int,
        build_runs: int) -> tuple[list[float], list[float]]:
    if binary is None:
        raise Unavailable(f"{name} not installed (apt-get install {name})")
    runtime = host.runtime(name, binary)
    return timed(lambda: host.run_true(runtime), runs), timed(lambda: host.build(runtime), build_runs)


def docker(work: str, runs: int, build_runs: int) -> tuple[list[float], list[float], str]:
    """(run ms, build ms, "docker VERSION (private dockerd, DRIVER)") on a private daemon,
    stopped afterwards."""
    from realengine import EngineUnavailable, private_engine

    context = write_context(os.path.join(work, "context"))
    try:
        with private_engine(parent=work) as engine:
            version = engine.docker("version", "--format", "{{.Server.Version}}").output.strip()
            run = timed(lambda: engine.docker("run", "--rm", "--network", "none", "busybox", "true"), runs)
            build = timed(lambda: engine.docker("build", "--no-cache", ".", cwd=context), build_runs)
            return run, build, f"docker {version} (private dockerd, {engine.driver})"
    except EngineUnavailable as err:
        raise Unavailable(str(err)) from None


def measure(args, work: str) -> tuple[dict, list[str]]:
    """{row label: (run ms, build ms)} for the tools that ran, and one line per skipped tool."""
    rows, skipped = {}, []

    def attempt(label: str, measuring) -> None:
        try:
            found = measuring()
        except Unavailable as err:
            skipped.append(f"{label}: unavailable ({err})")
            return
        rows[found[2] if len(found) == 3 else label] = found[:2]

    attempt(OURS, lambda: ours(os.path.join(work, "ours"), args.runs, args.build_runs))
    attempt("simulator in-memory backend (reference)",
            lambda: in_memory(os.path.join(work, "memory"), args.runs, args.build_runs))
    with contextlib.ExitStack() as stack:
        try:
            host = stack.enter_context(oci_host(os.path.join(work, "oci")))
        except Unavailable as err:
            skipped += [f"{name}: unavailable ({err})" for name in ("runc", "crun")]
        else:
            for name, binary in (("runc", RUNC), ("crun", shutil.which("crun"))):
                label = ocirun.version(binary).replace(" version", "") if binary else name
                attempt(label, lambda: oci(host, name, binary, args.runs, args.build_runs))
    attempt("docker", lambda: docker(os.path.join(work, "docker"), args.runs, args.build_runs))
    return rows, skipped


def report(rows: dict, skipped: list[str], args) -> None:
    width = max([len(label) for label in rows] + [40])
    print(f"{os.uname().sysname} {os.uname().release}, {os.cpu_count()} CPUs; "
          f"run: `{RUN_LINE}` x {args.runs}; build: 5 steps --no-cache x {args.build_runs}")
    print(f"{'':{width}}  {'run (ms)':>19}  {'build (ms)':>19}")
    print(f"{'tool':{width}}  {'median':>9} {'p95':>9}  {'median':>9} {'p95':>9}")
    figures = {}
    for label, (run, build) in rows.items():
        figures[label] = (statistics.median(run), percentile(run, 95),
                          statistics.median(build), percentile(build, 95))
        print(f"{label:{width}}  " + "  ".join(f"{a:9.1f} {b:9.1f}" for a, b in
                                               (figures[label][:2], figures[label][2:])))
    for line in skipped:
        print(line)
    print("runc/crun build: 5 x (overlay over the rootfs and earlier uppers, `run` of the step, "
          "tar of the upper); no Dockerfile, image config or daemon")
    if any(label.startswith("crun") for label in rows) and ocirun.hybrid_with_controllers():
        print("crun: started with /sys/fs/cgroup/unified unmounted in a mount namespace of its own "
              "(it refuses hybrid cgroups), so it uses the v1 controllers, as runc does here")
    if OURS not in figures:
        print("ratios: none (our Linux backend did not run)")
        return
    mine = figures[OURS]
    for label, theirs in figures.items():
        if label.startswith("simulator"):
            continue
        name = label.split()[0]
        print(f"ours/{name}: run median {mine[0] / theirs[0]:.3g}x, p95 {mine[1] / theirs[1]:.3g}x; "
              f"build median {mine[2] / theirs[2]:.3g}x, p95 {mine[3] / theirs[3]:.3g}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="containers per tool (default 20)")
    parser.add_argument("--build-runs", type=int, default=5, help="builds per tool (default 5)")
    args = parser.parse_args()
    if args.runs < 1 or args.build_runs < 1:
        parser.error("--runs and --build-runs must be at least 1")
    # SIGTERM unwinds like Ctrl-C, so every `finally` below cleans up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="runtime-bench-")
    try:
        rows, skipped = measure(args, work)
    except KeyboardInterrupt:
        print("interrupted: no figures; mounts, bundles and engines removed", file=sys.stderr)
        return 130
    finally:
        unmount_all(work)   # before deleting: never delete through a mount
        shutil.rmtree(work, ignore_errors=True)
    report(rows, skipped, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
