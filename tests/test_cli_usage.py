"""Dispatch, usage errors, help and error reporting of the docker CLI front end.

Commands are registered in a private registry with docker's own usage lines and flags; the
expected texts come from the real docker 20.10.24 CLI (tests/conformance/scenarios/usage-errors
and `docker <cmd> --help` output).
"""

import shlex

import pytest

from simulator.cli import app
from simulator.cli.app import Flag, UsageError, command
from simulator.engine.errors import Conflict, NotFound, NotModified, StartError


@pytest.fixture
def docker(tmp_path):
    """Run a command line through the CLI front end alone (no engine): a Result like conftest's."""
    from conftest import Result

    def run(line):
        argv = shlex.split(line) if isinstance(line, str) else line
        out, err, merged = [], [], []
        status = app.run(None, argv, str(tmp_path), lambda t: (out.append(t), merged.append(t)),
                         lambda t: (err.append(t), merged.append(t)))
        return Result(status, "".join(out), "".join(err), "".join(merged))

    return run


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(app, "COMMANDS", {})
    calls = []

    def record(ctx, opts, args):
        calls.append((ctx.path, vars(opts), args))
        return 0

    command("ps", usage="docker ps [OPTIONS]", short="List containers", args=(0, 0),
            aliases=("container ls", "container ps", "container list"),
            flags=[Flag("all", "a", bool, "Show all containers (default shows just running)"),
                   Flag("format", None, str, "Pretty-print containers using a Go template")])(record)
    command("run", usage="docker run [OPTIONS] IMAGE [COMMAND] [ARG...]", short="Run a command in a new container",
            args=(1, None), interspersed=False, aliases=("container run",),
            flags=[Flag("detach", "d", bool, "Run container in background and print container ID"),
                   Flag("tty", "t", bool, "Allocate a pseudo-TTY"),
                   Flag("network", None, str, "Connect a container to a network", default="default")])(record)
    command("rm", usage="docker rm [OPTIONS] CONTAINER [CONTAINER...]", short="Remove one or more containers",
            args=(1, None), aliases=("container rm",))(record)
    command("tag", usage="docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
            short="Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", args=(2, 2), aliases=("image tag",))(record)
    command("stop", usage="docker stop [OPTIONS] CONTAINER [CONTAINER...]", short="Stop one or more running containers",
            args=(1, None), flags=[Flag("time", "t", int, "Seconds to wait for stop before killing it", default=10)],
            aliases=("container stop",))(record)
    command("rmi", usage="docker rmi [OPTIONS] IMAGE [IMAGE...]", short="Remove one or more images", args=(1, None),
            aliases=("image rm", "image rmi", "image remove"),
            flags=[Flag("force", "f", bool, "Force removal of the image"),
                   Flag("no-prune", None, bool, "Do not delete untagged parents")])(record)
    return calls


def test_dispatch_top_level_and_group_forms(docker, registry):
    assert docker("ps -a").exit == 0
    assert docker("container list --format x").exit == 0
    assert registry[0] == ("docker ps", {"all": True, "format": None}, [])
    assert registry[1] == ("docker container ls", {"all": False, "format": "x"}, [])


def test_run_flags_stop_at_the_image(docker, registry):
    docker("run -d --network none busybox sh -c 'echo -t'")
    assert registry[0][1]["detach"] and registry[0][1]["network"] == "none"
    assert registry[0][2] == ["busybox", "sh", "-c", "echo -t"]


@pytest.mark.parametrize("line, status, text", [
    ("run --nosuchflag busybox", 125, "unknown flag: --nosuchflag\nSee 'docker run --help'.\n"),
    ("ps --nosuchflag", 125, "unknown flag: --nosuchflag\nSee 'docker ps --help'.\n"),
    ("ps -x", 125, "unknown shorthand flag: 'x' in -x\nSee 'docker ps --help'.\n"),
    ("run", 1, "\"docker run\" requires at least 1 argument.\nSee 'docker run --help'.\n\n"
               "Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun a command in a new container\n"),
    ("rm", 1, "\"docker rm\" requires at least 1 argument.\nSee 'docker rm --help'.\n\n"
              "Usage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRemove one or more containers\n"),
    ("tag busybox", 1, "\"docker tag\" requires exactly 2 arguments.\nSee 'docker tag --help'.\n\n"
                       "Usage:  docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
                       "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n"),
    ("ps extra", 1, "\"docker ps\" accepts no arguments.\nSee 'docker ps --help'.\n\n"
                    "Usage:  docker ps [OPTIONS]\n\nList containers\n"),
    ("container list extra", 1, "\"docker container ls\" accepts no arguments.\n"
                                "See 'docker container ls --help'.\n\n"
                                "Usage:  docker container ls [OPTIONS]\n\nList containers\n"),
    ("nosuchcommand", 1, "docker: 'nosuchcommand' is not a docker command.\nSee 'docker --help'\n"),
    ("run --network none -t=maybe busybox true", 125,
     "invalid argument \"maybe\" for \"-t, --tty\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n"
     "See 'docker run --help'.\n"),
    ("stop -t x busy", 125, "invalid argument \"x\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"x\": "
                            "invalid syntax\nSee 'docker stop --help'.\n"),
])
def test_usage_errors_match_docker(docker, registry, line, status, text):
    r = docker(line)
    assert (r.exit, r.err, r.out) == (status, text, "")


def test_image_group_usage_for_an_unknown_subcommand(docker, registry):
    r = docker("image nosuch")
    assert r.exit == 1
    assert r.output == """
Usage:  docker image COMMAND

Manage images

Commands:
  build       Build an image from a Dockerfile
  history     Show the history of an image
  import      Import the contents from a tarball to create a filesystem image
  inspect     Display detailed information on one or more images
  load        Load an image from a tar archive or STDIN
  ls          List images
  prune       Remove unused images
  pull        Pull an image or a repository from a registry
  push        Push an image or a repository to a registry
  rm          Remove one or more images
  save        Save one or more images to a tar archive (streamed to STDOUT by default)
  tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE

Run 'docker image COMMAND --help' for more information on a command.
"""


def test_group_without_subcommand_prints_its_usage_and_succeeds(docker, registry):
    r = docker("image")
    assert r.exit == 0 and r.output.startswith("\nUsage:  docker image COMMAND\n")


def test_command_help(docker, registry):
    r = docker("stop --help")
    assert (r.exit, r.out) == (0, """
Usage:  docker stop [OPTIONS] CONTAINER [CONTAINER...]

Stop one or more running containers

Options:
  -t, --time int   Seconds to wait for stop before killing it (default 10)
""")


def test_group_form_help_lists_aliases(docker, registry):
    # `docker image rm --help` of docker 20.10.24
    assert docker("image remove --help").out == """
Usage:  docker image rm [OPTIONS] IMAGE [IMAGE...]

Remove one or more images

Aliases:
  rm, rmi, remove

Options:
  -f, --force      Force removal of the image
      --no-prune   Do not delete untagged parents
"""


def test_command_without_flags_has_no_options_section(docker, registry):
    assert docker("tag --help").out == ("\nUsage:  docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
                                        "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n")


def test_deprecated_h(docker, registry):
    r = docker("ps -h")
    assert r.out.startswith("Flag shorthand -h has been deprecated, please use --help\n\nUsage:  docker ps")


def test_top_level_help_and_version(docker, registry):
    r = docker("--help")
    assert r.exit == 0 and r.out.startswith("\nUsage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime")
    assert "  -v, --version            Print version information and quit\n" in r.out
    assert r.out.endswith("check out our guides at https://docs.docker.com/go/guides/\n")
    assert docker("--version").out.startswith("Docker version 20.10")
    r = docker("--nope")
    assert r.exit == 125 and r.err.startswith("unknown flag: --nope\nSee 'docker --help'.\n\nUsage:")


def test_docker_command_not_simulated_says_so(docker, registry):
    r = docker("save busybox")
    assert r.exit == 1 and "not model" in r.err


def _raising(error):
    def func(ctx, opts, args):
        ctx.out("partial\n")
        raise error
    return func


@pytest.mark.parametrize("name, error, status, text", [
    ("rm", Conflict("You cannot remove a running container abc. Stop the container before attempting "
                    "removal or force remove"), 1,
     "Error response from daemon: You cannot remove a running container abc. Stop the container before "
     "attempting removal or force remove\n"),
    ("run", NotFound("pull access denied for nosuch, repository does not exist or may require "
                     "'docker login': denied: requested access to the resource is denied"), 125,
     "docker: Error response from daemon: pull access denied for nosuch, repository does not exist or may "
     "require 'docker login': denied: requested access to the resource is denied.\n"
     "See 'docker run --help'.\n"),
    ("run", StartError("failed to create shim task: OCI runtime create failed: exec: \"nope\": "
                       "executable file not found in $PATH: unknown", 127), 127,
     "docker: Error response from daemon: failed to create shim task: OCI runtime create failed: exec: "
     "\"nope\": executable file not found in $PATH: unknown.\nSee 'docker run --help'.\n"),
    ("rm", NotModified("already"), 0, ""),
    ("rm", UsageError("invalid value"), 125, "invalid value\nSee 'docker rm --help'.\n"),
    ("run", UsageError("invalid publish opts format (should be name=value but got 'x')."), 125,
     "docker: invalid publish opts format (should be name=value but got 'x').\nSee 'docker run --help'.\n"),
])
def test_errors_raised_by_commands(docker, monkeypatch, name, error, status, text):
    monkeypatch.setattr(app, "COMMANDS", {})
    command(name, usage="docker %s X" % name, short="s", args=(0, None))(_raising(error))
    r = docker([name])
    assert (r.exit, r.out, r.err) == (status, "partial\n", text)


def test_container_run_form_reports_as_docker_run(docker, monkeypatch):
    monkeypatch.setattr(app, "COMMANDS", {})
    command("run", usage="docker run IMAGE", short="s", args=(0, None), aliases=("container run",))(
        _raising(NotFound("No such image: x")))
    r = docker("container run x")
    assert r.err == "docker: Error response from daemon: No such image: x.\nSee 'docker run --help'.\n"
