"""`simulator.cli.narrate`: the `cli.command` event each scenario line starts with, and its
sentence for learners (names as typed, the family's sentence, the generic fallback)."""

import shlex

from simulator.cli import app
from simulator.cli import commands  # noqa: F401  (registers the docker commands)
from simulator.cli.narrate import SENTENCES, command_event, sentence


def event(line):
    return command_event(line, shlex.split(line))


def test_sentence_names_the_command_as_typed():
    assert sentence(["docker", "images"]) == "`docker images` lists the images in the store"
    assert sentence(["docker", "image", "ls", "-a"]) == "`docker image ls` lists the images in the store"
    assert sentence(shlex.split("docker --debug container rm -f x")) == (
        "`docker container rm` removes containers, and with them their writable layers")
    # a global flag's value is not the command: -H takes one
    assert sentence(shlex.split("docker -H tcp://h:2375 ps -a")) == (
        "`docker ps` lists the containers (only running ones, unless -a)")
    assert sentence(shlex.split("docker inspect --format '{{.Id}}' app")) == (
        "`docker inspect` shows an object's configuration and state as the daemon keeps them")


def test_generic_fallback_and_sleep():
    assert sentence(["docker", "nosuch"]) == "runs `docker nosuch`"
    assert sentence(["docker", "volume", "--help"]) == "runs `docker volume`"
    assert sentence(["docker"]) == "runs `docker`"
    assert sentence(["docker", "--nosuchflag", "ps"]) == "runs `docker`"
    assert sentence(["sleep", "1.50"]) == (
        "`sleep 1.50` lets 1.5 seconds pass; the containers' processes go on meanwhile")
    assert sentence(["sleep", "1"]).startswith("`sleep 1` lets 1 second pass;")


def test_event_kind_and_data():
    e = event("docker image  ls")
    assert (e.kind, e.message, e.data) == ("cli.command", "`docker image ls` lists the images in the store",
                                           {"line": "docker image  ls", "command": "images"})
    assert event("sleep 2").data == {"line": "sleep 2", "command": "sleep"}
    assert event("docker frobnicate x").data == {"line": "docker frobnicate x", "command": ""}


def test_every_registered_command_has_a_sentence():
    names = {entry.command.name for entry in app.COMMANDS.values()}
    assert names <= set(SENTENCES), sorted(names - set(SENTENCES))
    assert set(SENTENCES) <= names       # no sentence for a command that does not exist
