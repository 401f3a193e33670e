"""The `cli.command` event: one per scenario line, emitted as the line starts, so that every
command (even one that only reads, such as `docker images`) is a step of a trace.

    command_event("docker images", ["docker", "images"])
    # Event("cli.command", "`docker images` lists the images in the store",
    #       {"line": "docker images", "command": "images"})

The sentence names the command as typed (`docker image ls`, `docker container rm`) and says
what its family does, for a learner; a command the simulator does not know gets the plain
"runs `docker <cmd>`". `sleep N` lines get a sentence of their own.
"""

from __future__ import annotations

from ..model.events import Event
from . import app
from .flags import FlagError, HelpRequested, parse_flags
from .usage import GLOBAL_FLAGS, GROUPS

KIND = "cli.command"

# By the registered command's name (`app.Command.name`): what the command does.
SENTENCES = {
    "build": "runs the Dockerfile's instructions one by one, reusing a cached layer wherever it can",
    "commit": "freezes a container's writable layer into a new image layer on top of its image",
    "cp": "copies files between a container's filesystem and the host",
    "create": "makes a container from an image: its read-only layers plus a new writable layer, not started",
    "diff": "lists what changed in a container's writable layer (A added, C changed, D deleted)",
    "exec": "starts another process inside a running container",
    "history": "shows the instruction that made each layer of an image, newest first",
    "images": "lists the images in the store",
    "inspect": "shows an object's configuration and state as the daemon keeps them",
    "container inspect": "shows a container's configuration and state as the daemon keeps them",
    "container prune": "removes every stopped container and its writable layer",
    "image inspect": "shows an image's configuration and layers as the daemon keeps them",
    "image prune": "removes dangling images (no tag, no child, no container)",
    "kill": "sends a signal to a container's main process (KILL unless told otherwise)",
    "login": "stores credentials for a registry",
    "logout": "forgets the credentials for a registry",
    "load": "stores the images of a tar archive, checking each layer against the diffID its config lists",
    "logs": "prints what a container's processes wrote to stdout and stderr",
    "pause": "freezes every process of a container",
    "port": "lists a container's published ports",
    "ps": "lists the containers (only running ones, unless -a)",
    "pull": "downloads the image's manifest and the layers the store does not have yet",
    "push": "uploads the layers the registry does not have yet, then the image's manifest",
    "rename": "gives a container a new name; its ID stays the same",
    "restart": "stops a container and starts it again, keeping its writable layer",
    "rm": "removes containers, and with them their writable layers",
    "rmi": "removes image names, and each image no name or container uses any more",
    "run": "creates a container from an image and starts its process",
    "start": "starts a container's process again; its writable layer is kept",
    "stop": "asks a container's main process to end (TERM, then KILL after a grace period)",
    "system df": "adds up the disk used by images, containers, volumes and the build cache",
    "system prune": "removes stopped containers and dangling images in one go",
    "tag": "gives an image one more name; the image ID does not change",
    "unpause": "lets a paused container's processes run again",
    "volume create": "creates a named volume, storage that lives apart from any container",
    "volume inspect": "shows a volume's details",
    "volume ls": "lists the volumes",
    "volume prune": "removes the volumes no container uses",
    "volume rm": "removes volumes",
    "wait": "waits until a container stops, then prints its exit code",
}


def _command(argv: list[str]) -> tuple[str, app._Entry | None]:
    """(the docker command as typed, e.g. "container rm", and its registered entry or None) for
    `docker ...` split into `argv`. Global flags (`docker -H x ps`) are skipped as `app.run`
    skips them; a line they make invalid names no command ("")."""
    try:
        _, words = parse_flags(GLOBAL_FLAGS, argv[1:], interspersed=False)
    except (FlagError, HelpRequested):
        return "", None
    if len(words) > 1 and words[0] in GROUPS and not words[1].startswith("-"):
        typed = " ".join(words[:2])
    else:
        typed = words[0] if words else ""
    return typed, app.COMMANDS.get(typed)


def sentence(argv: list[str]) -> str:
    """The learner's sentence for a scenario line split into `argv` (`docker ...` or `sleep N`)."""
    if argv[0] == "sleep":
        seconds = format(float(argv[1]), "g")
        return "`sleep %s` lets %s second%s pass; the containers' processes go on meanwhile" % (
            argv[1], seconds, "" if seconds == "1" else "s")
    typed, entry = _command(argv)
    what = SENTENCES.get(entry.command.name) if entry is not None else None
    if what is None:
        return "runs `%s`" % " ".join(["docker"] + ([typed] if typed else []))
    return "`docker %s` %s" % (typed, what)


def command_event(line: str, argv: list[str]) -> Event:
    """The event that starts scenario line `line` (split into `argv`): kind `cli.command`, data
    {"line": the line, "command": the registered command's name, "sleep", or "" when unknown}."""
    if argv[0] == "sleep":
        name = "sleep"
    else:
        entry = _command(argv)[1]
        name = entry.command.name if entry is not None else ""
    return Event(KIND, sentence(argv), {"line": line, "command": name})
