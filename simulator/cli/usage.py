"""Docker 20.10's command tree and the help texts the docker CLI prints.

The names and one-line descriptions are those `docker --help` and `docker <group>` print
(docker/cli 20.10 `cli/command/commands/commands.go`); the layout is docker's cobra usage
template (`cli/cobra.go`). Help lists every Docker command, simulated or not, so the texts
match Docker's; running one the simulator does not model says so (see docs/fidelity.md).
"""

from __future__ import annotations

from .flags import Flag, flag_usages

MANAGEMENT_COMMANDS = (
    ("builder", "Manage builds"),
    ("completion", "Generate the autocompletion script for the specified shell"),
    ("config", "Manage Docker configs"),
    ("container", "Manage containers"),
    ("context", "Manage contexts"),
    ("image", "Manage images"),
    ("manifest", "Manage Docker image manifests and manifest lists"),
    ("network", "Manage networks"),
    ("node", "Manage Swarm nodes"),
    ("plugin", "Manage plugins"),
    ("secret", "Manage Docker secrets"),
    ("service", "Manage services"),
    ("stack", "Manage Docker stacks"),
    ("swarm", "Manage Swarm"),
    ("system", "Manage Docker"),
    ("trust", "Manage trust on Docker images"),
    ("volume", "Manage volumes"),
)

TOP_COMMANDS = (
    ("attach", "Attach local standard input, output, and error streams to a running container"),
    ("build", "Build an image from a Dockerfile"),
    ("commit", "Create a new image from a container's changes"),
    ("cp", "Copy files/folders between a container and the local filesystem"),
    ("create", "Create a new container"),
    ("diff", "Inspect changes to files or directories on a container's filesystem"),
    ("events", "Get real time events from the server"),
    ("exec", "Run a command in a running container"),
    ("export", "Export a container's filesystem as a tar archive"),
    ("history", "Show the history of an image"),
    ("images", "List images"),
    ("import", "Import the contents from a tarball to create a filesystem image"),
    ("info", "Display system-wide information"),
    ("inspect", "Return low-level information on Docker objects"),
    ("kill", "Kill one or more running containers"),
    ("load", "Load an image from a tar archive or STDIN"),
    ("login", "Log in to a Docker registry"),
    ("logout", "Log out from a Docker registry"),
    ("logs", "Fetch the logs of a container"),
    ("pause", "Pause all processes within one or more containers"),
    ("port", "List port mappings or a specific mapping for the container"),
    ("ps", "List containers"),
    ("pull", "Pull an image or a repository from a registry"),
    ("push", "Push an image or a repository to a registry"),
    ("rename", "Rename a container"),
    ("restart", "Restart one or more containers"),
    ("rm", "Remove one or more containers"),
    ("rmi", "Remove one or more images"),
    ("run", "Run a command in a new container"),
    ("save", "Save one or more images to a tar archive (streamed to STDOUT by default)"),
    ("search", "Search the Docker Hub for images"),
    ("start", "Start one or more stopped containers"),
    ("stats", "Display a live stream of container(s) resource usage statistics"),
    ("stop", "Stop one or more running containers"),
    ("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"),
    ("top", "Display the running processes of a container"),
    ("unpause", "Unpause all processes within one or more containers"),
    ("update", "Update configuration of one or more containers"),
    ("version", "Show the Docker version information"),
    ("wait", "Block until one or more containers stop, then print their exit codes"),
)

GROUP_COMMANDS = {
    "builder": (
        ("build", "Build an image from a Dockerfile"),
        ("prune", "Remove build cache"),
    ),
    "container": (
        ("attach", "Attach local standard input, output, and error streams to a running container"),
        ("commit", "Create a new image from a container's changes"),
        ("cp", "Copy files/folders between a container and the local filesystem"),
        ("create", "Create a new container"),
        ("diff", "Inspect changes to files or directories on a container's filesystem"),
        ("exec", "Run a command in a running container"),
        ("export", "Export a container's filesystem as a tar archive"),
        ("inspect", "Display detailed information on one or more containers"),
        ("kill", "Kill one or more running containers"),
        ("logs", "Fetch the logs of a container"),
        ("ls", "List containers"),
        ("pause", "Pause all processes within one or more containers"),
        ("port", "List port mappings or a specific mapping for the container"),
        ("prune", "Remove all stopped containers"),
        ("rename", "Rename a container"),
        ("restart", "Restart one or more containers"),
        ("rm", "Remove one or more containers"),
        ("run", "Run a command in a new container"),
        ("start", "Start one or more stopped containers"),
        ("stats", "Display a live stream of container(s) resource usage statistics"),
        ("stop", "Stop one or more running containers"),
        ("top", "Display the running processes of a container"),
        ("unpause", "Unpause all processes within one or more containers"),
        ("update", "Update configuration of one or more containers"),
        ("wait", "Block until one or more containers stop, then print their exit codes"),
    ),
    "image": (
        ("build", "Build an image from a Dockerfile"),
        ("history", "Show the history of an image"),
        ("import", "Import the contents from a tarball to create a filesystem image"),
        ("inspect", "Display detailed information on one or more images"),
        ("load", "Load an image from a tar archive or STDIN"),
        ("ls", "List images"),
        ("prune", "Remove unused images"),
        ("pull", "Pull an image or a repository from a registry"),
        ("push", "Push an image or a repository to a registry"),
        ("rm", "Remove one or more images"),
        ("save", "Save one or more images to a tar archive (streamed to STDOUT by default)"),
        ("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"),
    ),
    "network": (
        ("connect", "Connect a container to a network"),
        ("create", "Create a network"),
        ("disconnect", "Disconnect a container from a network"),
        ("inspect", "Display detailed information on one or more networks"),
        ("ls", "List networks"),
        ("prune", "Remove all unused networks"),
        ("rm", "Remove one or more networks"),
    ),
    "system": (
        ("df", "Show docker disk usage"),
        ("events", "Get real time events from the server"),
        ("info", "Display system-wide information"),
        ("prune", "Remove unused data"),
    ),
    "volume": (
        ("create", "Create a volume"),
        ("inspect", "Display detailed information on one or more volumes"),
        ("ls", "List volumes"),
        ("prune", "Remove all unused local volumes"),
        ("rm", "Remove one or more volumes"),
    ),
}

GROUPS = dict(MANAGEMENT_COMMANDS)

GLOBAL_FLAGS = [
    Flag("config", None, str, "Location of client config files", default_text='"/root/.docker"'),
    Flag("context", "c", str, 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST '
         'env var and default context set with "docker context use")'),
    Flag("debug", "D", bool, "Enable debug mode"),
    Flag("host", "H", list, "Daemon socket(s) to connect to"),
    Flag("log-level", "l", str, 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal")', default="info"),
    Flag("tls", None, bool, "Use TLS; implied by --tlsverify"),
    Flag("tlscacert", None, str, "Trust certs signed only by this CA", default_text='"/root/.docker/ca.pem"'),
    Flag("tlscert", None, str, "Path to TLS certificate file", default_text='"/root/.docker/cert.pem"'),
    Flag("tlskey", None, str, "Path to TLS key file", default_text='"/root/.docker/key.pem"'),
    Flag("tlsverify", None, bool, "Use TLS and verify the remote"),
    Flag("version", "v", bool, "Print version information and quit"),
]


def _listing(title: str, entries) -> str:
    return "\n%s:\n%s" % (title, "".join("  %-11s %s\n" % entry for entry in entries))


def top_help() -> str:
    """`docker --help`."""
    return ("\nUsage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n"
            "\nOptions:\n" + flag_usages(GLOBAL_FLAGS) + "\n"
            + _listing("Management Commands", MANAGEMENT_COMMANDS)
            + _listing("Commands", TOP_COMMANDS)
            + "\nRun 'docker COMMAND --help' for more information on a command.\n"
            "\nTo get more help with docker, check out our guides at https://docs.docker.com/go/guides/\n")


def group_help(group: str) -> str:
    """`docker <group>` (e.g. `docker volume`): the group's subcommands."""
    return ("\nUsage:  docker %s COMMAND\n\n%s\n" % (group, GROUPS[group])
            + _listing("Commands", GROUP_COMMANDS[group])
            + "\nRun 'docker %s COMMAND --help' for more information on a command.\n" % group)


def command_help(use_line: str, short: str, aliases: list[str], flags: list[Flag]) -> str:
    """`docker <command> --help`: usage line, description, aliases (group forms only), options."""
    text = "\nUsage:  %s\n\n%s\n" % (use_line, short)
    if aliases:
        text += "\nAliases:\n  %s\n" % ", ".join(aliases)
    if any(not f.hidden for f in flags):
        text += "\nOptions:\n%s\n" % flag_usages(flags)
    return text


def docker_knows(path: str) -> bool:
    """Whether `path` ("save", "image save") is a command of Docker 20.10."""
    words = path.split()
    if len(words) == 1:
        return path in GROUPS or any(name == path for name, _ in TOP_COMMANDS)
    return any(name == words[1] for name, _ in GROUP_COMMANDS.get(words[0], ()))
