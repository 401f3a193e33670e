"""The container and image lifecycles as transition tables: the engine consults them, the
errors come from them, and the diagrams are drawn from them.

Container states are the seven words of moby `api/types/container/state.go`; the daemon
derives them from flags (`daemon/container/state.go StateString`). For each command the
table says, per state, either the state it leads to, that nothing happens (HTTP 304, the
CLI still prints the argument), or the daemon's refusal in Docker Engine 20.10's words
(`daemon/{start,stop,kill,pause,unpause,delete,exec,commit}.go` at v20.10.24, confirmed by
the recordings in tests/conformance/scenarios/lifecycle).

`TRANSITIONS` lists every edge once (source, target, transition name, the docker command
that causes it or "" for the daemon's own); `IMAGE_TRANSITIONS` does the same for images.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Conflict, DockerError, InvalidParameter

CREATED, RUNNING, PAUSED, RESTARTING = "created", "running", "paused", "restarting"
REMOVING, EXITED, DEAD = "removing", "exited", "dead"
STATES = (CREATED, RUNNING, PAUSED, RESTARTING, REMOVING, EXITED, DEAD)
NEW = "(new)"          # before `create`
GONE = "(removed)"     # after `rm`


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    name: str          # "start", "pause", "die", "restart-scheduled", ...
    command: str       # the docker command that causes it, "" when the daemon does it itself
    description: str   # one sentence for learners


@dataclass(frozen=True)
class Refusal:
    """A command refused in a state. `text` has `{id}` (64-hex ID) and `{ref}` (what the user typed)."""

    text: str
    error: type[DockerError] = Conflict

    def raise_for(self, ref: str, container_id: str) -> None:
        raise self.error(self.text.format(id=container_id, ref=ref))


NOOP = "noop"  # already in the wanted state: HTTP 304, the CLI prints the argument and exits 0

_NOT_RUNNING = Refusal("Container {id} is not running")
_MARKED = Refusal("container is marked for removal and cannot be started")
_KILL_NOT_RUNNING = Refusal("Cannot kill container: {ref}: Container {id} is not running")
_RM_ACTIVE = Refusal("You cannot remove a {state} container {id}. Stop the container before "
                     "attempting removal or force remove")
_RESTARTING = Refusal("Container {id} is restarting, wait until the container is running")

# command -> state -> target state | NOOP | Refusal
COMMANDS: dict[str, dict[str, str | Refusal]] = {
    "start": {CREATED: RUNNING, EXITED: RUNNING, RUNNING: NOOP, RESTARTING: NOOP,
              PAUSED: Refusal("cannot start a paused container, try unpause instead"),
              REMOVING: _MARKED, DEAD: _MARKED},
    "stop": {RUNNING: EXITED, PAUSED: EXITED, RESTARTING: EXITED,
             CREATED: NOOP, EXITED: NOOP, DEAD: NOOP, REMOVING: NOOP},
    "kill": {RUNNING: EXITED, PAUSED: EXITED, RESTARTING: EXITED,
             CREATED: _KILL_NOT_RUNNING, EXITED: _KILL_NOT_RUNNING, DEAD: _KILL_NOT_RUNNING,
             REMOVING: _KILL_NOT_RUNNING},
    "pause": {RUNNING: PAUSED,
              PAUSED: Refusal("Container {id} is already paused"), RESTARTING: _RESTARTING,
              CREATED: _NOT_RUNNING, EXITED: _NOT_RUNNING, DEAD: _NOT_RUNNING, REMOVING: _NOT_RUNNING},
    "unpause": {PAUSED: RUNNING, **{s: Refusal("Container {id} is not paused", DockerError)
                                    for s in (CREATED, RUNNING, RESTARTING, REMOVING, EXITED, DEAD)}},
    "restart": {CREATED: RUNNING, RUNNING: RUNNING, EXITED: RUNNING, RESTARTING: RUNNING,
                PAUSED: RUNNING, REMOVING: _MARKED, DEAD: _MARKED},
    "rm": {CREATED: GONE, EXITED: GONE, DEAD: GONE,
           RUNNING: Refusal(_RM_ACTIVE.text.replace("{state}", RUNNING)),
           RESTARTING: Refusal(_RM_ACTIVE.text.replace("{state}", RESTARTING)),
           PAUSED: Refusal("You cannot remove a paused container {id}. Unpause and then stop the "
                           "container before attempting removal or force remove"),
           REMOVING: Refusal("removal of container {ref} is already in progress", InvalidParameter)},
    "rm -f": {CREATED: GONE, EXITED: GONE, DEAD: GONE, RUNNING: GONE, PAUSED: GONE, RESTARTING: GONE,
              REMOVING: Refusal("removal of container {ref} is already in progress", InvalidParameter)},
    "exec": {RUNNING: RUNNING,
             PAUSED: Refusal("Container {ref} is paused, unpause the container before exec"),
             RESTARTING: _RESTARTING,
             CREATED: _NOT_RUNNING, EXITED: _NOT_RUNNING, DEAD: _NOT_RUNNING, REMOVING: _NOT_RUNNING},
    "commit": {CREATED: CREATED, RUNNING: RUNNING, PAUSED: PAUSED, RESTARTING: RESTARTING,
               EXITED: EXITED,
               DEAD: Refusal("You cannot commit container {id} which is Dead"),
               REMOVING: Refusal("You cannot commit container {id} which is being removed")},
}


def outcome(command: str, state: str, ref: str, container_id: str) -> str:
    """The state `command` leads to from `state`, or NOOP; raises the daemon's refusal."""
    result = COMMANDS[command][state]
    if isinstance(result, Refusal):
        result.raise_for(ref, container_id)
    return result


_SENTENCES = {
    "create": "the writable layer is prepared over the image; no process runs yet",
    "start": "the container's main process starts in its own namespaces",
    "start-failed": "the process could not be started, so the container stays created with an exit code",
    "pause": "every process is frozen by the cgroup freezer; memory is kept",
    "unpause": "the frozen processes continue where they stopped",
    "die": "the main process exited and no restart policy brings it back",
    "oom-kill": "the kernel killed the main process for using more memory than its limit",
    "restart-scheduled": "the main process exited and the restart policy will start it again after a delay",
    "restart": "the restart policy starts the main process again",
    "stop": "the stop signal is sent, then SIGKILL if the process is still there after the timeout",
    "kill": "a signal is sent to the main process",
    "manual-restart": "the container is stopped if needed, then started again",
    "remove": "the container and its writable layer are deleted",
    "remove-force": "the main process gets SIGKILL, then the container is deleted",
    "remove-failed": "deleting the files failed, so the container is left dead",
}


def _edges() -> tuple[Transition, ...]:
    daemon = [
        (NEW, CREATED, "create", "create"),
        (CREATED, CREATED, "start-failed", "start"),
        (EXITED, EXITED, "start-failed", "start"),
        (RESTARTING, EXITED, "start-failed", ""),
        (RUNNING, EXITED, "die", ""),
        (RUNNING, EXITED, "oom-kill", ""),
        (RUNNING, RESTARTING, "restart-scheduled", ""),
        (RESTARTING, RUNNING, "restart", ""),
        (REMOVING, DEAD, "remove-failed", ""),
    ]
    named = {"restart": "manual-restart", "rm": "remove", "rm -f": "remove-force"}
    edges = list(daemon)
    for command, row in COMMANDS.items():
        if command in ("exec", "commit"):
            continue
        for source in STATES:
            target = row[source]
            if isinstance(target, Refusal) or target == NOOP:
                continue
            if command == "rm -f" and COMMANDS["rm"][source] == GONE:
                continue  # same edge as plain rm
            name = named.get(command, command)
            edges.append((source, REMOVING if target == GONE else target, name, command.split()[0]))
    edges.append((REMOVING, GONE, "remove", "rm"))
    seen: dict[tuple[str, str, str], Transition] = {}
    for source, target, name, command in edges:
        key = (source, target, name)
        if key not in seen:
            seen[key] = Transition(source, target, name, command, _SENTENCES[name])
    return tuple(seen.values())


TRANSITIONS: tuple[Transition, ...] = _edges()


def transition(source: str, target: str, name: str) -> Transition:
    """The table's edge; KeyError if the engine tries a move the table does not allow."""
    for edge in TRANSITIONS:
        if (edge.source, edge.target, edge.name) == (source, target, name):
            return edge
    raise KeyError(f"no transition {name}: {source} -> {target}")


# -- images --------------------------------------------------------------------------------
# An image is present once built, pulled, loaded or committed; tags name it; losing its last
# tag without children makes it dangling (`<none>:<none>`); `rmi` or `prune` removes it.
IMAGE_ABSENT, IMAGE_TAGGED, IMAGE_DANGLING, IMAGE_PUSHED, IMAGE_REMOVED = (
    "(absent)", "tagged", "dangling", "pushed", "(removed)")
IMAGE_STATES = (IMAGE_TAGGED, IMAGE_DANGLING, IMAGE_PUSHED)

IMAGE_TRANSITIONS: tuple[Transition, ...] = tuple(Transition(*edge) for edge in (
    (IMAGE_ABSENT, IMAGE_TAGGED, "built", "build", "a build stores the image and tags it with -t"),
    (IMAGE_ABSENT, IMAGE_DANGLING, "built", "build", "a build without -t stores an image with no name"),
    (IMAGE_ABSENT, IMAGE_TAGGED, "pulled", "pull", "the layers and config are downloaded and the tag is set"),
    (IMAGE_ABSENT, IMAGE_TAGGED, "committed", "commit", "a container's writable layer becomes a new image"),
    (IMAGE_DANGLING, IMAGE_TAGGED, "tagged", "tag", "a name now points at the image"),
    (IMAGE_TAGGED, IMAGE_TAGGED, "tagged", "tag", "one more name points at the same image ID"),
    (IMAGE_TAGGED, IMAGE_PUSHED, "pushed", "push", "the layers and config are uploaded to a registry"),
    (IMAGE_PUSHED, IMAGE_PUSHED, "pushed", "push", "blobs the registry already has are skipped"),
    (IMAGE_TAGGED, IMAGE_DANGLING, "untagged", "build",
     "the tag moved to a newer image, leaving this one without a name"),
    (IMAGE_TAGGED, IMAGE_DANGLING, "untagged", "rmi", "the last tag is removed but a container still uses it"),
    (IMAGE_TAGGED, IMAGE_REMOVED, "removed", "rmi", "the last tag goes and the image and its unused layers are deleted"),
    (IMAGE_PUSHED, IMAGE_REMOVED, "removed", "rmi", "the local copy is deleted; the registry keeps its own"),
    (IMAGE_DANGLING, IMAGE_REMOVED, "removed", "image prune", "dangling images are deleted"),
))
