"""The environment a container's processes start with.

moby 20.10 `container/container.go` CreateDaemonEnvironment: `PATH` (the default Linux
path) and `HOSTNAME` (Config.Hostname), `TERM=xterm` with a TTY, then Config.Env
replacing those keys in place and appending the others (`ReplaceOrAppendEnvValues`).
runc then adds `HOME` from the user's passwd entry when it is unset (backend's job).
"""

from __future__ import annotations

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def daemon_env(config: dict, extra: list[str] = ()) -> list[str]:
    """`KEY=VALUE` strings for a process of a container with `config` (Config), plus an
    exec's `extra` variables, later values replacing earlier ones in place."""
    env: dict[str, str] = {"PATH": f"PATH={DEFAULT_PATH}", "HOSTNAME": f"HOSTNAME={config.get('Hostname', '')}"}
    if config.get("Tty"):
        env["TERM"] = "TERM=xterm"
    for item in list(config.get("Env") or []) + list(extra):
        key, eq, _ = item.partition("=")
        if eq:
            env[key] = item
    return list(env.values())
