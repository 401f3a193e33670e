"""Problems a learner reported, each checked against what Docker 20.10 and the real programs do."""

from __future__ import annotations

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
