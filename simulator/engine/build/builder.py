"""The classic builder (`DOCKER_BUILDKIT=0`) of Docker Engine 20.10.

Sources: moby v20.10 `builder/dockerfile/builder.go` (`dispatchDockerfileWithCancellation`:
`Step N/M : <line>`, ` ---> <id>`, meta ARGs, `--target`, the unused build-arg warning),
`evaluator.go` (`dispatch`: variable expansion, removing the step's container on success
or with `--force-rm`), `dispatchers.go` (one function per instruction and its history
text), `internals.go` (`commit`, `probeAndCreate`, `exportImage`, `performCopy`),
`buildargs.go` and `image/image.go` (`NewChildImage`: `empty_layer` when the step's diff is
empty). Each step makes a new image whose parent is the previous one, stored as built
locally, so the next build can find it in the cache (cache.py).

RUN steps run in real (simulated) containers of `engine.containers`: a failed step's
container stays behind, as in Docker. Metadata steps, WORKDIR and COPY/ADD use a
snapshot of the backend directly (Docker creates a container for metadata steps and
WORKDIR but never starts it; COPY/ADD use a bare layer).
"""

from __future__ import annotations

import copy as _copy
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ...model.clock import EPOCH
from ...model.events import Event, plural
from ...model.gostrings import go_quote_list
from ...model.image import EMPTY_RUN_CONFIG, Image, short_id
from ...model.layer import Kind, Layer, normpath
from ...model.reference import InvalidReference, parse as parse_reference
from ...model.units import human_size
from .. import signals
from ..errors import BuildError, DockerError, InvalidParameter
from ..ports import PortSpecError, parse_publish as parse_port_specs
from . import context as build_context
from .cache import ImageProbe, miss_action
from .copy import CopySource, copy_infos, normalize_dest, perform_copy, source_hash
from .instructions import DockerfileError, Instruction, Stage, find_stage, parse, parse_trigger
from .shellwords import ExpansionError, process_word, process_words

# The recording daemon's version string (Debian's docker.io build of 20.10.24).
DOCKER_VERSION = "20.10.24+dfsg1"
DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_SHELL = ["/bin/sh", "-c"]
# buildargs.go builtinAllowedBuildArgs: usable without an ARG, never warned about.
BUILTIN_ARGS = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
                "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"}
STDERR_ON, STDERR_OFF = "\x1b[91m", "\x1b[0m"   # streamformatter's stderr colouring

Write = Callable[[str], None]

CONTEXT_MTIME = int(EPOCH.timestamp())  # see build/context.py: one mtime for every context file


@dataclass
class BuildResult:
    """image_id: the final image (`sha256:...`); tags: the references tagged, as given."""

    image_id: str
    tags: list[str] = field(default_factory=list)


class BuildArgs:
    """`buildargs.go`: values from `--build-arg`, meta ARGs (before FROM), the ARGs a stage
    declared (`allowed`), and every name an ARG referenced (for the unused warning)."""

    def __init__(self, options: dict[str, str | None]):
        self.options = dict(options)
        self.meta: dict[str, str | None] = {}
        self.allowed: dict[str, str | None] = {}
        self.referenced: set[str] = set()

    def for_stage(self) -> "BuildArgs":
        child = BuildArgs(self.options)
        child.meta, child.referenced = dict(self.meta), self.referenced
        return child

    def add(self, key: str, value: str | None) -> None:
        self.allowed[key] = value
        self.referenced.add(key)

    def _value(self, key: str, mapping: dict[str, str | None]) -> str | None:
        if self.options.get(key) is not None:
            return self.options[key]
        default = mapping.get(key)
        if default is None:
            return self.meta.get(key)
        return default

    def all_allowed(self) -> dict[str, str]:
        out = {}
        for key in sorted(set(self.allowed) | BUILTIN_ARGS):
            value = self._value(key, self.allowed) if key in self.allowed else self.options.get(key)
            if value is not None:
                out[key] = value
        return out

    def all_meta(self) -> dict[str, str]:
        out = {}
        for key in sorted(set(self.meta) | BUILTIN_ARGS):
            value = self._value(key, self.meta) if key in self.meta else self.options.get(key)
            if value is not None:
                out[key] = value
        return out

    def filter_allowed(self, env: list[str]) -> list[str]:
        """`FilterAllowed`: K=V for allowed args not already set in `env`."""
        keys = {e.partition("=")[0] for e in env}
        return [f"{k}={v}" for k, v in self.all_allowed().items() if k not in keys]

    def unused(self) -> list[str]:
        return sorted(k for k in self.options if k not in BUILTIN_ARGS and k not in self.referenced)


@dataclass
class State:
    """`dispatchState`: the image so far and the run config the next image will carry."""

    image: Image | None
    run_config: dict[str, Any]
    args: BuildArgs
    stage_name: str = ""
    cmd_set: bool = False
    maintainer: str = ""

    @property
    def image_id(self) -> str:
        return self.image.id if self.image else ""

    @property
    def shell(self) -> list[str]:
        return list(self.run_config.get("Shell") or DEFAULT_SHELL)

    def env(self) -> list[str]:
        """What `$VAR` sees: the config's Env, then the build args not shadowed by it."""
        env = list(self.run_config.get("Env") or [])
        return env + self.args.filter_allowed(env)


class Builder:
    """`Builder(engine).build(...)`: run a Dockerfile, writing Docker's output as it goes."""

    def __init__(self, engine):
        self.engine = engine

    # -- entry point ----------------------------------------------------------------
    def build(self, context_dir: str, dockerfile: str | None = "Dockerfile", tags: list[str] = (),
              build_args: dict[str, str | None] | None = None, target: str | None = None,
              no_cache: bool = False, quiet: bool = False, cwd: str = ".", out: Write | None = None,
              remove: bool = True, force_remove: bool = False) -> BuildResult:
        """Build `context_dir` (resolved against `cwd`); `dockerfile` is relative to `cwd`
        as `-f` is (None or "Dockerfile": the context's own). Every output line goes to
        `out` as it is produced, newline included.

        Raises build_context.ContextError (the CLI's own errors), DockerfileError /
        InvalidParameter (`Error response from daemon: ...`) and BuildError (a step
        failed; printed as is; `code` is the exit status)."""
        write = out or (lambda text: None)
        given = None if dockerfile in (None, "", "Dockerfile") else dockerfile
        ctx = build_context.load(cwd, context_dir, given, mtime=CONTEXT_MTIME,
                                 outside_name=".dockerfile." + self.engine.ids.hex64("dockerfile")[:20])
        write(ctx.sending_line + "\r\r\n")  # as the 20.10 CLI writes its last progress line
        refs = [self._reference(t) for t in tags]
        stages, meta = parse(ctx.dockerfile_text, ctx.dockerfile_name)
        if target:
            index = find_stage(stages, target)
            if index is None:
                raise InvalidParameter(f"failed to reach build target {target} in Dockerfile")
            stages = stages[: index + 1]
        self.engine.emit(Event("build.started", f"classic build of {plural(len(stages), 'stage')} from "
                               f"{ctx.dockerfile_name}", {"context": context_dir}))
        run = _Run(self, ctx, write, BuildArgs(build_args or {}), no_cache, remove, force_remove)
        image = run.dispatch_all(stages, meta)
        for ref in refs:
            self.engine.images.tag(ref, image.id)
        if quiet:
            write(image.id + "\n")
        else:
            write(f"Successfully built {image.short_id}\n")
            for ref in refs:
                write(f"Successfully tagged {ref}\n")
        self.engine.emit(Event("build.finished", f"build finished: image {image.short_id}",
                               {"id": image.id, "tags": [str(r) for r in refs]}))
        return BuildResult(image.id, [str(r) for r in refs])

    @staticmethod
    def _reference(tag: str):
        try:
            ref = parse_reference(tag)
        except InvalidReference as err:
            raise InvalidParameter(str(err)) from None
        return ref if ref.tag else ref.with_tag("latest")


class _Run:
    """One build: the stages dispatched in order, with their output."""

    def __init__(self, builder: Builder, ctx, write: Write, args: BuildArgs, no_cache: bool,
                 remove: bool, force_remove: bool):
        self.engine = builder.engine
        self.ctx = ctx
        self.write = write
        self.args = args
        self.probe = ImageProbe(self.engine.images, no_cache)
        self.remove, self.force_remove = remove, force_remove
        self.stages: dict[str, Image | None] = {}     # stage name -> its image
        self.flat: list[Image | None] = []            # stage index -> its image
        self.containers: list[str] = []                # created for the current step
        self.instruction = ""                         # the instruction being dispatched, as written

    # -- driver ---------------------------------------------------------------------------
    def dispatch_all(self, stages: list[Stage], meta: list[Instruction]) -> Image:
        total = len(meta) + len(stages) + sum(len(s.commands) for s in stages)
        step = 0
        for ins in meta:
            step += 1
            self.write(f"Step {step}/{total} : {ins.original}\n")
            env = [f"{k}={v}" for k, v in self.args.all_allowed().items()]
            for key, value in self._arg_pairs(ins, env):
                self.args.add(key, value)
                self.args.meta[key] = value
        state = None
        for stage in stages:
            if stage.name and stage.name in self.stages:
                raise BuildError(f"{stage.name} stage name already used")
            step += 1
            self.write(f"Step {step}/{total} : {stage.source.original}\n")
            self._announce(step, total, stage.source.original)
            state = self._begin(stage)
            if state.run_config.get("OnBuild"):
                self._run_triggers(state)
            self.write(f" ---> {short_id(state.image_id)}\n")
            for ins in stage.commands:
                step += 1
                self.write(f"Step {step}/{total} : {ins.original}\n")
                self._announce(step, total, ins.original)
                self._dispatch(state, ins)
                state.run_config["Image"] = state.image_id
                self.write(f" ---> {short_id(state.image_id)}\n")
            self.args.referenced |= state.args.referenced
            if stage.name:
                self.stages[stage.name] = state.image
            self.flat.append(state.image)
        unused = self.args.unused()
        if unused:
            self.write(f"[Warning] One or more build-args [{' '.join(unused)}] were not consumed\n")
        if state is None or state.image is None:
            raise BuildError("No image was generated. Is your Dockerfile empty?")
        return state.image

    def _run_triggers(self, state: State) -> None:
        """`dispatchTriggeredOnBuild`: the base image's ONBUILD instructions run first, as
        steps without a Step line; the stage's image no longer carries them."""
        triggers = state.run_config["OnBuild"]
        state.run_config["OnBuild"] = None
        self.write(f"# Executing {len(triggers)} build trigger{'s' if len(triggers) > 1 else ''}\n")
        self.engine.emit(Event("build.onbuild", f"the base image carries {plural(len(triggers), 'ONBUILD instruction')}: "
                               f"{'it runs' if len(triggers) == 1 else 'they run'} now, before this Dockerfile's own steps",
                               {"triggers": list(triggers)}))
        for text in triggers:
            try:
                ins = parse_trigger(text)
            except DockerfileError as err:
                raise BuildError(err.message) from None
            state.run_config["Image"] = state.image_id
            self._dispatch(state, ins)
        state.run_config["Image"] = state.image_id

    def _announce(self, step: int, total: int, text: str) -> None:
        self.engine.emit(Event("build.step", f"Step {step}/{total}: {text}",
                               {"step": step, "total": total, "instruction": text}))

    def _dispatch(self, state: State, ins: Instruction) -> None:
        self.instruction = ins.original
        handler = getattr(self, "_" + ins.keyword.lower())
        failed = True
        try:
            handler(state, ins)
            failed = False
        except ExpansionError as err:
            raise BuildError(str(err)) from None
        finally:
            if self.force_remove or (self.remove and not failed):
                for cid in self.containers:
                    self._remove_container(cid)
            self.containers = []

    # -- FROM ---------------------------------------------------------------------------
    def _begin(self, stage: Stage) -> State:
        meta_env = [f"{k}={v}" for k, v in self.args.all_meta().items()]
        try:
            name = process_word(stage.base, meta_env)
        except ExpansionError as err:
            raise BuildError(str(err)) from None
        if not name:
            raise BuildError(f"base name ({stage.base}) should not be blank")
        image = self._base_image(name)
        config = image.run_config if image else _copy.deepcopy(EMPTY_RUN_CONFIG)
        env = list(config.get("Env") or [])
        if not any(e.startswith("PATH=") for e in env):
            env.append(DEFAULT_PATH)
        config["Env"] = env
        config["OpenStdin"] = config["StdinOnce"] = False
        config["Image"] = image.id if image else ""
        self.probe.reset()
        return State(image, config, self.args.for_stage(), stage.name)

    def _base_image(self, name: str) -> Image | None:
        if name.lower() in self.stages:
            return self.stages[name.lower()]
        if name == "scratch":
            return None
        image = self.engine.images.find(name)
        if image is not None:
            return image
        try:
            image, _ = self.engine.registry.pull(name, lambda line: self.write(line + "\n"))
        except DockerError as err:
            raise BuildError(err.message) from None
        return image

    # -- images -------------------------------------------------------------------------
    def _new_container_id(self) -> str:
        return self._running_in(self.engine.ids.hex64("container"))

    def _running_in(self, cid: str) -> str:
        """The step's container exists: announce it and remove it after the step."""
        self.write(f" ---> Running in {cid[:12]}\n")
        self.containers.append(cid)
        return cid

    def _remove_container(self, cid: str) -> None:
        if cid in self.engine.containers.by_id:
            self.engine.containers.remove(cid, force=True, volumes=True)
        else:
            self.engine.backend.remove(cid)
        self.write(f"Removing intermediate container {cid[:12]}\n")

    def _probe(self, state: State, config: dict[str, Any]) -> bool:
        hit = self.probe.probe(state.image_id, config)
        if hit is None:
            then = {"runs": "so it runs", "copies files": "so its files are copied",
                    "new config": "so a new image config is made (nothing runs)"}[miss_action(self.instruction)]
            self.engine.emit(Event("build.cache_miss", f"{self.instruction}: no cached image was built from "
                                   f"{short_id(state.image_id) or 'scratch'} with this step, {then}",
                                   {"parent": state.image_id, "cmd": config.get("Cmd"),
                                    "instruction": self.instruction}))
            return False
        self.write(" ---> Using cache\n")
        self.engine.emit(Event("build.cache_hit", f"{self.instruction}: Using cache: image {hit.short_id} was "
                               "built from the same parent with the same step before, so it is reused",
                               {"id": hit.id, "parent": state.image_id, "instruction": self.instruction}))
        state.image = hit
        return True

    def _commit(self, state: State, container_config: dict[str, Any], layer: Layer | None,
                container_id: str = "") -> None:
        """`NewChildImage` + store: the next image in the chain."""
        parent = state.image
        base = parent.config if parent else {"architecture": "amd64", "os": "linux",
                                             "rootfs": {"type": "layers", "diff_ids": []}}
        created = (self.engine.clock.tick(), self.engine.now())[1]
        empty = layer is None or layer.empty
        entry: dict[str, Any] = {"created": created, "created_by": " ".join(container_config["Cmd"])}
        if state.maintainer:
            entry["author"] = state.maintainer
        if empty:
            entry["empty_layer"] = True
        else:
            self.engine.images.add_layer(layer)
        config: dict[str, Any] = {
            "architecture": base.get("architecture", "amd64"),
            "config": _copy.deepcopy(state.run_config),
            "container_config": container_config,
            "created": created,
            "docker_version": DOCKER_VERSION,
            "history": list(base.get("history") or []) + [entry],
            "os": base.get("os", "linux"),
            "rootfs": {"type": "layers", "diff_ids": list(base["rootfs"]["diff_ids"])
                       + ([] if empty else [layer.diff_id])},
        }
        if container_id:
            config["container"] = container_id
        if state.maintainer:
            config["author"] = state.maintainer
        if parent:
            config["parent"] = parent.id
        image = self.engine.images.add_image(Image.from_config(config), local=True)
        if empty:
            sentence = f"{self.instruction} changed only the config: image {image.short_id} has no new layer"
        else:
            how = ("ran in a temporary container; its writable layer" if self.instruction[:4].upper() == "RUN "
                   else "added files; they")
            sentence = (f"{self.instruction} {how} became layer {len(image.diff_ids)} "
                        f"(+{human_size(layer.size, 3)}) of image {image.short_id}")
        self.engine.emit(Event("build.step_committed", sentence,
                               {"id": image.id, "parent": state.image_id, "empty_layer": empty,
                                "instruction": self.instruction, "layer": None if empty else len(image.diff_ids),
                                "diff_id": None if empty else layer.diff_id, "size": 0 if empty else layer.size}))
        state.image = image

    def _comment_config(self, state: State, cmd: list[str]) -> dict[str, Any]:
        config = _copy.deepcopy(state.run_config)
        config["Cmd"] = cmd
        return config

    def _metadata(self, state: State, comment: str) -> None:
        """`Builder.commit`: a `#(nop)` step that changes only the config."""
        config = self._comment_config(state, state.shell + ["#(nop) ", comment])
        if self._probe(state, config):
            return
        cid = self._new_container_id()
        config["Hostname"] = cid[:12]
        self._commit(state, config, None, cid)

    # -- instructions ---------------------------------------------------------------------
    def _expand(self, state: State, word: str) -> str:
        return process_word(word, state.env())

    def _arg_pairs(self, ins: Instruction, env: list[str]) -> list[tuple[str, str | None]]:
        pairs = []
        for arg in ins.args:
            key, eq, value = arg.partition("=")
            pairs.append((process_word(key, env), process_word(value, env) if eq else None))
        return pairs

    def _arg(self, state: State, ins: Instruction) -> None:
        pairs = self._arg_pairs(ins, state.env())
        text = " ".join(k if v is None else f"{k}={v}" for k, v in pairs)
        for key, value in pairs:
            state.args.add(key, value)
        self._metadata(state, "ARG " + text)

    def _env(self, state: State, ins: Instruction) -> None:
        parts = []
        for i in range(0, len(ins.args), 2):
            key = self._expand(state, ins.args[i])
            value = self._expand(state, ins.args[i + 1])
            env = list(state.run_config.get("Env") or [])
            index = next((j for j, e in enumerate(env) if e.partition("=")[0] == key), None)
            if index is None:
                env.append(f"{key}={value}")
            else:
                env[index] = f"{key}={value}"
            state.run_config["Env"] = env
            parts.append(f"{key}={value}")
        self._metadata(state, "ENV " + " ".join(parts))

    def _label(self, state: State, ins: Instruction) -> None:
        labels = dict(state.run_config.get("Labels") or {})
        parts = []
        for i in range(0, len(ins.args), 2):
            key, value = self._expand(state, ins.args[i]), self._expand(state, ins.args[i + 1])
            labels[key] = value
            parts.append(f"{key}={value}")
        state.run_config["Labels"] = labels
        self._metadata(state, "LABEL " + " ".join(parts))

    def _maintainer(self, state: State, ins: Instruction) -> None:
        state.maintainer = ins.args[0]
        self._metadata(state, "MAINTAINER " + ins.args[0])

    def _expose(self, state: State, ins: Instruction) -> None:
        """`dispatchExpose`: `nat.ParsePortSpecs` (a range is one key per port, a bad port
        fails the step with `Invalid containerPort: <port>`)."""
        ports = [p for arg in ins.args for p in process_words(arg, state.env())]
        exposed = dict(state.run_config.get("ExposedPorts") or {})
        try:
            bindings = parse_port_specs(ports)
        except PortSpecError as err:
            raise BuildError(str(err)) from None
        for binding in bindings:
            exposed[binding.port] = {}
        state.run_config["ExposedPorts"] = exposed
        self._metadata(state, "EXPOSE " + " ".join(sorted(ports)))

    def _user(self, state: State, ins: Instruction) -> None:
        state.run_config["User"] = self._expand(state, ins.args[0])
        self._metadata(state, "USER " + state.run_config["User"])

    def _volume(self, state: State, ins: Instruction) -> None:
        volumes = dict(state.run_config.get("Volumes") or {})
        paths = [self._expand(state, v) for v in ins.args]
        for path in paths:
            if not path.strip():
                raise BuildError("VOLUME specified can not be an empty string")
            volumes[path] = {}
        state.run_config["Volumes"] = volumes
        self._metadata(state, "VOLUME [" + " ".join(paths) + "]")

    def _stopsignal(self, state: State, ins: Instruction) -> None:
        signal = self._expand(state, ins.args[0])
        try:
            signals.parse(signal)   # `dispatchStopSignal`: `signal.ParseSignal`
        except DockerError as err:
            raise BuildError(err.message) from None
        state.run_config["StopSignal"] = signal
        self._metadata(state, "STOPSIGNAL " + signal)

    def _shell(self, state: State, ins: Instruction) -> None:
        state.run_config["Shell"] = list(ins.args)
        self._metadata(state, "SHELL [" + " ".join(ins.args) + "]")

    def _command_line(self, state: State, ins: Instruction) -> list[str]:
        """`resolveCmdLine`: exec form as written, shell form behind the SHELL."""
        if ins.json:
            return list(ins.args)
        if not ins.args:
            # an empty RUN runs the shell with no command (`/bin/sh -c`); CMD/ENTRYPOINT clear it
            return state.shell if ins.keyword == "RUN" else []
        return state.shell + [" ".join(ins.args)]

    def _cmd(self, state: State, ins: Instruction) -> None:
        cmd = self._command_line(state, ins)
        state.run_config["Cmd"] = cmd
        self._metadata(state, "CMD " + go_quote_list(cmd))
        if ins.args:
            state.cmd_set = True

    def _entrypoint(self, state: State, ins: Instruction) -> None:
        entrypoint = self._command_line(state, ins)
        state.run_config["Entrypoint"] = entrypoint or None
        if not state.cmd_set:
            state.run_config["Cmd"] = None
        self._metadata(state, "ENTRYPOINT " + go_quote_list(entrypoint))

    def _onbuild(self, state: State, ins: Instruction) -> None:
        state.run_config["OnBuild"] = list(state.run_config.get("OnBuild") or []) + [ins.trigger]
        self._metadata(state, "ONBUILD " + ins.trigger)

    def _healthcheck(self, state: State, ins: Instruction) -> None:
        from .healthcheck import parse_healthcheck
        check, text = parse_healthcheck(ins, state.shell)
        state.run_config["Healthcheck"] = check
        self._metadata(state, "HEALTHCHECK " + text)

    def _workdir(self, state: State, ins: Instruction) -> None:
        path = self._expand(state, ins.args[0])
        workdir = normpath(posixpath.join(state.run_config.get("WorkingDir") or "/", path))
        state.run_config["WorkingDir"] = workdir
        config = self._comment_config(state, state.shell + ["#(nop) WORKDIR " + workdir])
        if self._probe(state, config):
            return
        cid = self.engine.ids.hex64("container")
        fs = self._prepare(cid, state)
        if fs.exists(workdir) and fs.stat(workdir).kind is not Kind.DIR:
            # daemon `container.SetupWorkingDirectory` fails the create: no container.
            self.engine.backend.remove(cid)
            raise BuildError(f"Cannot mkdir: {workdir} is not a directory")
        config["Hostname"] = self._running_in(cid)[:12]
        fs.mkdir(workdir, 0o755, parents_too=True)
        self._commit(state, config, self.engine.backend.commit(cid), cid)

    def _prepare(self, key: str, state: State):
        """A writable snapshot over the current image (a build step's container)."""
        images = self.engine.images
        layers = tuple(images.image_layers(state.image)) if state.image else ()
        return self.engine.backend.prepare(key, images.tree(state.image), layers=layers)

    def _copy(self, state: State, ins: Instruction) -> None:
        self._copy_or_add(state, ins, "COPY")

    def _add(self, state: State, ins: Instruction) -> None:
        self._copy_or_add(state, ins, "ADD")

    def _copy_or_add(self, state: State, ins: Instruction, command: str) -> None:
        words = [self._expand(state, w) for w in ins.args]
        chown = self._expand(state, ins.flags["chown"]) if "chown" in ins.flags else ""
        source = CopySource(self.ctx.tree)
        if ins.flags.get("from"):
            source = CopySource(self.engine.images.tree(self._from_flag(ins.flags["from"])), from_image=True)
        infos = copy_infos(source, words[:-1], command)
        dest = words[-1]
        if len(infos) > 1 and not dest.endswith("/"):
            raise BuildError(f"When using {command} with more than one source file, "
                             "the destination must be a directory and end with a /")
        chown_text = f"--chown={chown}" if chown else ""
        comment = f"{command} {chown_text}{source_hash(infos)} in {dest} "
        config = self._comment_config(state, state.shell + ["#(nop) " + comment])
        if self._probe(state, config):
            return
        key = "build-" + self.engine.ids.hex64("layer")
        fs = self._prepare(key, state)
        try:
            owner = self._owner(fs, chown) if chown else (None if source.from_image else (0, 0))
            target = normalize_dest(state.run_config.get("WorkingDir") or "", dest)
            perform_copy(fs, source, infos, target, owner, decompress=command == "ADD")
            layer = self.engine.backend.commit(key)
        finally:
            self.engine.backend.remove(key)
        self._commit(state, config, layer)

    def _from_flag(self, value: str) -> Image:
        name = value.lower()
        if name in self.stages:
            return self.stages[name]
        if re.fullmatch(r"[+-]?[0-9]+", value):
            # evaluator.go `stagesBuildResults.validateIndex`: the stage being built is
            # index len(flat), not yet usable.
            index = int(value)
            if index == len(self.flat):
                raise BuildError(f"invalid from flag value {value}: refers to current build stage")
            if not 0 <= index < len(self.flat):
                raise BuildError(f"invalid from flag value {value}: index out of bounds")
            return self.flat[index]
        try:
            image = self.engine.images.find(value)
            if image is None:
                image, _ = self.engine.registry.pull(value, lambda line: self.write(line + "\n"))
        except DockerError as err:
            raise BuildError(f"invalid from flag value {value}: {err.message}") from None
        return image

    @staticmethod
    def _owner(fs, chown: str) -> tuple[int, int]:
        """`parseChownFlag`: numbers, or names looked up in the image's passwd/group."""
        from .chown import resolve_chown
        return resolve_chown(fs, chown)

    def _run(self, state: State, ins: Instruction) -> None:
        from .run import run_step
        run_step(self, state, ins)
