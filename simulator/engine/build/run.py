"""The RUN step: a container of the engine runs the command on the previous image, and
its writable layer becomes the step's layer.

Docker 20.10 `builder/dockerfile/dispatchers.go` (`dispatchRun`, `prependEnvOnCmd`): the
cache key and `created_by` carry the build args in scope as `|<n> K=V ... <cmd>`; the
container gets them as environment, an empty entrypoint and the step's command; a
non-zero exit fails the build with `The command '<cmd>' returned a non-zero code: <n>`.
Classic builder VOLUME rule (Dockerfile reference): what a RUN writes below a declared
volume lands in the container's anonymous volume and is not committed.
"""

from __future__ import annotations

import copy

from ..containers import CreateOptions, WouldBlockForever
from ..errors import BuildError, StartError
from .builder import BUILTIN_ARGS, STDERR_OFF, STDERR_ON


def _with_build_args(state, build_args: list[str], cmd: list[str]) -> list[str]:
    kept = sorted(a for a in build_args
                  if a.partition("=")[0] in state.args.allowed or a.partition("=")[0] not in BUILTIN_ARGS)
    return [f"|{len(kept)}"] + kept + cmd


def _drop_volume_writes(fs, volumes) -> None:
    for volume in volumes or {}:
        prefix = volume.rstrip("/") + "/"
        for path in [p for p in fs.upper if p.startswith(prefix)]:
            del fs.upper[path]


def run_step(run, state, ins) -> None:
    engine = run.engine
    cmd = run._command_line(state, ins)
    config = state.run_config
    build_args = state.args.filter_allowed(config.get("Env") or [])
    saved = _with_build_args(state, build_args, cmd) if build_args else cmd
    probe = copy.deepcopy(config)
    probe["Cmd"] = saved
    if saved:
        probe["Entrypoint"] = None
    if run._probe(state, probe):
        return
    c = engine.containers.create(state.image_id, CreateOptions(
        command=cmd, entrypoint="", env=list(config.get("Env") or []) + build_args,
        user=config.get("User") or "", workdir=config.get("WorkingDir") or ""))
    run.write(f" ---> Running in {c.id[:12]}\n")
    run.containers.append(c.id)
    try:
        engine.containers.start(c.id)
        code = engine.containers.wait(c.id)
    except (StartError, WouldBlockForever) as err:
        raise BuildError(err.message) from None
    finally:
        for _, stream, text in engine.containers.output(c):
            run.write(text if stream == "stdout" else STDERR_ON + text + STDERR_OFF)
    if code != 0:
        raise BuildError(f"The command '{' '.join(cmd)}' returned a non-zero code: {code}", code)
    fs = engine.backend.get(c.id)
    _drop_volume_writes(fs, config.get("Volumes"))
    probe["Hostname"] = c.id[:12]
    run._commit(state, probe, engine.backend.commit(c.id), c.id)
