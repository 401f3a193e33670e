"""Problems a learner reported, each checked against what Docker 20.10 and the real programs do."""

from __future__ import annotations

import re

import pytest

from simulator.cli import play


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def test_a_sleep_longer_than_the_calendar_runs_on(docker, engine):
    # busybox sleep 999999999999 (31,700 years) simply keeps sleeping: the container is Up.
    assert docker("run -d --name long busybox sleep 999999999999").exit == 0
    engine.sleep(3600)
    assert docker("ps --format '{{.Names}} {{.Status}}'").out == "long Up About an hour\n"


@pytest.mark.parametrize("line", ["sleep 99999999999999999999", "sleep -5", "sleep nan", "sleep inf"])
def test_a_scenario_sleep_out_of_range_is_refused(line):
    with pytest.raises(play.ScenarioError, match="sleep needs a number of seconds"):
        play.split(line)


def test_hostname_flag_sets_the_containers_host_name(docker):
    # docker 20.10 run/create: `-h, --hostname string  Container host name` (Config.Hostname).
    r = docker("run --rm -h h1 busybox hostname")
    assert (r.exit, r.output) == (0, "h1\n")
    assert docker("run --rm --hostname web.local busybox cat /etc/hostname").out == "web.local\n"
    assert docker("run --rm -h h1 busybox uname -n").out == "h1\n"
    assert docker("create --name named -h h2 busybox").exit == 0
    assert docker("inspect --format '{{.Config.Hostname}}' named").out == "h2\n"
    r = docker("run --help")
    assert r.exit == 0 and "  -h, --hostname string" in r.out


def test_without_hostname_the_host_name_is_the_short_id(docker):
    cid = docker("run -d busybox sleep 100").out.strip()
    assert docker(f"exec {cid[:12]} hostname").out == cid[:12] + "\n"


@pytest.mark.parametrize("line, flag", [
    ("run --privileged busybox true", "privileged"),
    ("run --add-host db:10.0.0.2 busybox true", "add-host"),
    ("run -c 512 busybox true", "cpu-shares"),
    ("run --read-only --rm busybox true", "read-only"),
    ("run --tmpfs /run busybox true", "tmpfs"),
    ("run --pull=always busybox true", "pull"),
    ("run --sig-proxy=false busybox true", "sig-proxy"),
])
def test_a_docker_flag_the_simulator_does_not_model_says_so(docker, engine, line, flag):
    r = docker(line)
    assert (r.exit, r.err) == (125, f"docker: the simulator does not model --{flag} yet.\n"
                                    "See 'docker run --help'.\n")
    assert engine.containers.all() == []


def test_docker_defaults_of_unmodelled_flags_are_accepted(docker):
    assert docker("run --rm --pull missing --sig-proxy=true busybox true").exit == 0


def test_flags_docker_lacks_keep_the_unknown_flag_error(docker):
    # recorded in usage-errors: `docker run --nosuchflag busybox`
    r = docker("run --nosuchflag busybox")
    assert (r.exit, r.err) == (125, "unknown flag: --nosuchflag\nSee 'docker run --help'.\n")
    assert docker("create --detach-keys x busybox").err.startswith("unknown flag: --detach-keys\n")
    r = docker("create --privileged busybox")
    assert (r.exit, r.err) == (125, "docker: the simulator does not model --privileged yet.\n"
                                    "See 'docker create --help'.\n")


def test_build_checks_tags_in_the_cli_before_reading_the_context(docker):
    # cli 20.10 build.go: `-t` is a ListOpts with validateTag, so pflag reports the value.
    r = docker("build -t UPPER ctx")
    assert (r.exit, r.err) == (125, 'invalid argument "UPPER" for "-t, --tag" flag: invalid reference '
                                    "format: repository name must be lowercase\nSee 'docker build --help'.\n")
    r = docker("build -t ok:1 -t a:b:c ctx")
    assert (r.exit, r.err) == (125, 'invalid argument "a:b:c" for "-t, --tag" flag: invalid reference '
                                    "format\nSee 'docker build --help'.\n")


@pytest.mark.parametrize("command", ["inspect", "image inspect", "container inspect"])
def test_inspect_template_missing_key_is_an_error(docker, command):
    # cli 20.10 inspector.go: typed run fails, raw-map fallback with missingkey=error fails too.
    assert docker("create --name box busybox").exit == 0
    target = "box" if command != "image inspect" else "busybox"
    r = docker(["docker", *command.split(), "--format", "{{.Nope}}", target])
    assert (r.exit, r.out, r.err) == (1, "\n", 'Template parsing error: template: :1:2: executing "" at '
                                               '<.Nope>: map has no entry for key "Nope"\n')


def test_inspect_missing_label_key_still_prints_no_value(docker):
    # Config.Labels is a map field of a struct: the typed run succeeds with <no value>.
    assert docker("create --name box busybox").exit == 0
    assert docker("inspect --format '{{.Config.Labels.nope}}' box").out == "<no value>\n"
    assert docker("inspect --format '{{.Name}} {{.State.Status}}' box").out == "/box created\n"


def test_env_is_the_daemons_then_the_images_then_home(docker):
    # moby CreateDaemonEnvironment: PATH, HOSTNAME, then Config.Env (replacing in place);
    # runc adds HOME from /etc/passwd last.
    cid = docker("create -e GREETING=hi busybox env").out.strip()
    assert docker(f"start -a {cid}").out == (
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
        f"HOSTNAME={cid[:12]}\nGREETING=hi\nHOME=/root\n")
    r = docker("run --rm -h box -u 33 -e PATH=/bin -t busybox env")
    assert r.out == "PATH=/bin\nHOSTNAME=box\nTERM=xterm\nHOME=/var/www\n"
    assert docker("run --rm -u 1234 -e HOME=/data busybox sh -c 'echo $HOME'").out == "/data\n"
    assert docker("run --rm -u 1234 busybox sh -c 'echo $HOME'").out == "/\n"


def _image(engine, ref):
    engine.registry.pull(ref)


def test_runtime_versions_come_from_the_images(docker, engine):
    _image(engine, "node:14")
    _image(engine, "python:3.9")
    assert docker("run --rm node:14 node --version").out == "v14.21.3\n"
    assert docker("run --rm node:14 npm --version").out == "6.14.18\n"     # bundled with node 14.21.3
    assert docker("run --rm python:3.9 python3 --version").out == "Python 3.9.18\n"
    assert docker("run --rm python:3.9 python3 -c 'print(1+1)'").out == "2\n"
    assert docker("run --rm python:3.9 python3 -c 'print(\"a\", 7/2, sep=\"-\")'").out == "a-3.5\n"
    # get-pip.py in the 3.9 image installs pip 23.0.1, setuptools 58.1.0 and wheel
    assert docker("run --rm python:3.9 pip list").out == (
        "Package    Version\n---------- -------\npip        23.0.1\nsetuptools 58.1.0\nwheel      0.42.0\n")


@pytest.mark.parametrize("line", ["node:14 node -e 'console.log(1)'", "python:3.9 python3 -c 'import os'",
                                  "python:3.9 pip freeze", "node:14 npm outdated"])
def test_what_cannot_be_simulated_says_so(docker, engine, line):
    _image(engine, line.split()[0])
    r = docker(f"run --rm {line}")
    assert r.exit == 126 and r.err.endswith(": simulated program not available\n")


def test_pip_honours_pins(docker, engine, tmp_path):
    _image(engine, "python:3.9")
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "requirements.txt").write_text("flask==2.0.3\n")
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM python:3.9\nCOPY requirements.txt .\n"
                                                 "RUN pip install -r requirements.txt\n")
    r = docker("build -t pinned ctx")
    assert r.exit == 0 and "Successfully installed click-8.1.7 flask-2.0.3 itsdangerous-2.1.2 " in r.out
    assert "blinker" not in r.out      # Flask 2.0.3 does not depend on blinker (3.0 does)
    assert "\nflask        2.0.3\n" in docker("run --rm pinned pip list").out


def test_node_logs_console_log_inside_a_listen_callback(docker, engine, tmp_path):
    _image(engine, "node:14")
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "app.js").write_text(
        "const app = require('express')();\napp.listen(8080, () => console.log('Listening on port 8080'));\n")
    (tmp_path / "ctx" / "Dockerfile").write_text('FROM node:14\nCOPY app.js .\nCMD ["node", "app.js"]\n')
    assert docker("build -q -t web ctx").exit == 0
    assert docker("run -d --name app web").exit == 0
    assert docker("logs app").out == "Listening on port 8080\n"


def test_python_buffers_prints_of_a_server_unless_flushed(docker, engine, tmp_path):
    _image(engine, "python:3.9")
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "app.py").write_text(
        'from flask import Flask\napp = Flask(__name__)\nprint("buffered")\n'
        'if __name__ == "__main__":\n    print("flushed", flush=True)\n    app.run(host="0.0.0.0")\n')
    (tmp_path / "ctx" / "Dockerfile").write_text('FROM python:3.9\nCOPY app.py .\nCMD ["python", "app.py"]\n')
    assert docker("build -q -t flaskapp ctx").exit == 0
    assert docker("run -d --name buffered flaskapp").exit == 0
    assert docker("logs buffered").out == "buffered\nflushed\n"     # flush writes out the buffer too


def test_busybox_from_the_hub_has_the_hubs_history_and_path():
    from simulator.engine.engine import Engine
    from simulator.cli import app, commands  # noqa: F401
    engine, out = Engine(), []
    engine.registry.pull("busybox")
    assert app.run(engine, ["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "busybox"], ".",
                   out.append, out.append) == 0
    lines = "".join(out).splitlines()
    assert lines[0] == '/bin/sh -c #(nop)  CMD ["sh"]|'
    assert re.fullmatch(r"/bin/sh -c #\(nop\) ADD file:[0-9a-f]{64} in / \|", lines[1])
    assert engine.images.find("busybox").run_config["Env"] == [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]


def test_hello_world_runs_from_the_catalogue(docker, engine):
    r = docker("run hello-world")
    assert r.exit == 0
    assert r.out.startswith("\nHello from Docker!\nThis message shows that your installation appears to be "
                            "working correctly.\n\n")
    assert r.out.endswith("For more examples and ideas, visit:\n https://docs.docker.com/get-started/\n\n")
    assert docker("history --no-trunc --format '{{.CreatedBy}}|{{.Size}}' hello-world").out == (
        '/bin/sh -c #(nop)  CMD ["/hello"]|0B\n'
        "/bin/sh -c #(nop) COPY file:201f8f1849e89d53be9f6aa76937f5e209d745abfd15a8552fcf2ba45ab267f9 in / |13.3kB\n")


def test_a_hub_image_outside_the_catalogue_gets_the_simulators_note(docker):
    r = docker("pull hello")
    assert (r.exit, r.err) == (1, "Error response from daemon: pull access denied for hello, repository does not "
                                  "exist or may require 'docker login': denied: requested access to the resource "
                                  "is denied\nsimulator: hello is not in the offline "
                                  "catalogue; available: alpine, busybox, debian, hello-world, nginx, node, python, "
                                  "ubuntu (see docs/fidelity.md)\n")
    r = docker("run node:18")
    assert r.exit == 125 and r.err.endswith(
        "docker: Error response from daemon: manifest for node:18 not found: manifest unknown: manifest unknown.\n"
        "See 'docker run --help'.\nsimulator: node:18 is not in the offline catalogue; "
        "node has the tags: 14, 14.21.3, fermium (see docs/fidelity.md)\n")
    assert docker("create nosuch").err.endswith("(see docs/fidelity.md)\n")


def test_other_registries_keep_dockers_error_alone(docker):
    # push-pull recording: `docker pull 127.0.0.1:5000/nosuch`
    r = docker("pull 127.0.0.1:5000/nosuch")
    assert r.err == ("Error response from daemon: manifest for 127.0.0.1:5000/nosuch:latest not found: "
                     "manifest unknown: manifest unknown\n")
