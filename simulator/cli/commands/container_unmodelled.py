"""The `docker run`/`docker create` flags of Docker 20.10 that the simulator does not model.

docker/cli 20.10 `cli/command/container/opts.go` (addFlags) and `run.go`: the CLI parses
these flags (so their values are consumed as Docker would), and a command that sets one
fails with `docker: the simulator does not model --<flag> yet.` + `See 'docker run --help'.`
(exit 125) rather than pflag's `unknown flag`, which would claim Docker lacks it. Flags
Docker 20.10 does not have keep pflag's `unknown flag` error. Windows-only flags
(`--cpu-count`, `--io-maxbandwidth`, ...) and the hidden aliases (`--net`, `--net-alias`,
`--dns-opt`) are parsed too, as the 20.10 CLI does on Linux.
"""

from __future__ import annotations

from ..app import Flag

# name, shorthand ("-" for none), type (bool, int, str, list); as declared in opts.go.
_TABLE = """
add-host - list
attach a list
blkio-weight - str
blkio-weight-device - list
cap-add - list
cap-drop - list
cgroup-parent - str
cgroupns - str
cidfile - str
cpu-count - int
cpu-percent - int
cpu-period - int
cpu-quota - int
cpu-rt-period - int
cpu-rt-runtime - int
cpu-shares c int
cpuset-cpus - str
cpuset-mems - str
credentialspec - str
device - list
device-cgroup-rule - list
device-read-bps - list
device-read-iops - list
device-write-bps - list
device-write-iops - list
disable-content-trust - bool
dns - list
dns-opt - list
dns-option - list
dns-search - list
domainname - str
env-file - list
gpus - str
group-add - list
health-cmd - str
health-interval - str
health-retries - int
health-start-period - str
health-timeout - str
io-maxbandwidth - str
io-maxiops - str
ip - str
ip6 - str
ipc - str
isolation - str
kernel-memory - str
label-file - list
link - list
link-local-ip - list
log-driver - str
log-opt - list
mac-address - str
memory-reservation - str
memory-swappiness - int
mount - list
net - str
net-alias - list
network-alias - list
no-healthcheck - bool
oom-kill-disable - bool
oom-score-adj - int
pid - str
platform - str
privileged - bool
pull - str
read-only - bool
runtime - str
security-opt - list
shm-size - str
stop-timeout - int
storage-opt - list
sysctl - list
tmpfs - list
ulimit - list
userns - str
uts - str
volume-driver - str
volumes-from - list
"""
# Flags `docker run` has and `docker create` lacks (run.go).
_RUN_TABLE = """
detach-keys - str
sig-proxy - bool
"""
# Values that ask for what the simulator already does: Docker's defaults.
_DEFAULTS = {"disable-content-trust": True, "sig-proxy": True, "pull": "missing"}
_TYPES = {"bool": bool, "int": int, "str": str, "list": list}


def _flags(table: str) -> list[Flag]:
    flags = []
    for line in table.split("\n"):
        if line:
            name, short, kind = line.split()
            flags.append(Flag(name, None if short == "-" else short, _TYPES[kind],
                              "Not modelled by the simulator", default=_DEFAULTS.get(name), hidden=True))
    return flags


CREATE_FLAGS = _flags(_TABLE)
RUN_FLAGS = CREATE_FLAGS + _flags(_RUN_TABLE)


def first_set(opts) -> str | None:
    """The name of the first unmodelled flag `opts` gives a value other than Docker's default."""
    for flag in RUN_FLAGS:
        if getattr(opts, flag.attr, flag.initial()) != flag.initial():
            return flag.name
    return None
