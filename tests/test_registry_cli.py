"""`docker pull/push/login/logout` output, from the push-pull recording and the real 20.10 CLI
(non-TTY login error, password warnings, logout wording)."""

from __future__ import annotations

import simulator.cli.commands  # noqa: F401  (registers the commands)
from simulator.cli.app import run
from simulator.model.reference import parse
from test_registry import make_engine, short


def docker(engine, *argv):
    text = []
    status = run(engine, list(argv), "/tmp", text.append, text.append)
    return "".join(text), status


def test_pull_prints_progress_then_the_full_reference():
    engine = make_engine()
    text, status = docker(engine, "pull", "alpine")
    lines = text.splitlines()
    assert status == 0
    assert lines[:2] == ["Using default tag: latest", "latest: Pulling from library/alpine"]
    assert lines[-2:] == ["Status: Downloaded newer image for alpine:latest", "docker.io/library/alpine:latest"]
    assert docker(engine, "pull", "-q", "alpine:3.19") == ("docker.io/library/alpine:3.19\n", 0)


def test_pull_errors():
    engine = make_engine()
    assert docker(engine, "pull", "Bad") == ("invalid reference format: repository name must be lowercase\n", 1)
    assert docker(engine, "pull", "127.0.0.1:5000/nosuch") == (
        "Using default tag: latest\nError response from daemon: manifest for 127.0.0.1:5000/nosuch:latest "
        "not found: manifest unknown: manifest unknown\n", 1)


def test_push_prints_stream_errors_as_they_are():
    engine = make_engine()
    assert docker(engine, "push", "127.0.0.1:5000/nosuch:1") == (
        "The push refers to repository [127.0.0.1:5000/nosuch]\n"
        "An image does not exist locally with the tag: 127.0.0.1:5000/nosuch\n", 1)
    engine.images.tag(parse("127.0.0.1:5000/bb:1"), engine.images.find("busybox").id)
    assert docker(engine, "push", "127.0.0.1:5000/bb") == (
        "Using default tag: latest\nThe push refers to repository [127.0.0.1:5000/bb]\n"
        "tag does not exist: 127.0.0.1:5000/bb:latest\n", 1)
    text, status = docker(engine, "push", "127.0.0.1:5000/bb:1")
    b = short(engine.images.find("busybox").diff_ids[0])
    assert text.splitlines()[:3] == ["The push refers to repository [127.0.0.1:5000/bb]", f"{b}: Preparing",
                                     f"{b}: Pushed"]
    assert docker(engine, "push", "-q", "127.0.0.1:5000/bb:1") == ("127.0.0.1:5000/bb:1\n", 0)


def test_login_and_logout():
    engine = make_engine()
    assert docker(engine, "login") == ("Error: Cannot perform an interactive login from a non TTY device\n", 1)
    text, status = docker(engine, "login", "-u", "x", "-p", "y", "127.0.0.1:5000")
    assert status == 0
    assert text == ("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
                    "WARNING! Your password will be stored unencrypted in /root/.docker/config.json.\n"
                    "Configure a credential helper to remove this warning. See\n"
                    "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n"
                    "Login Succeeded\n")
    assert engine.registry.logins == {"127.0.0.1:5000": "x"}
    assert docker(engine, "logout") == ("Removing login credentials for https://index.docker.io/v1/\n", 0)
    assert docker(engine, "logout", "127.0.0.1:5000") == ("Removing login credentials for 127.0.0.1:5000\n", 0)
    assert docker(engine, "logout", "127.0.0.1:5000") == ("Removing login credentials for 127.0.0.1:5000\n", 0)
    assert engine.registry.logins == {}
