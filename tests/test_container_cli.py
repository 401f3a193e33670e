"""Container commands through the CLI, against the real Docker 20.10 recordings
(tests/conformance/scenarios/*/scenario.expected) and docker/cli 20.10 behaviour."""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def test_foreground_run_with_rm_prints_output_and_exits_with_the_status(docker, engine):
    # build-basics: `docker run --rm --network none app:1` prints `hello v1`; the CLI waits
    # for `removed` (cli run.go waitExitOrRemoved) and exits with the process's status.
    r = docker("run --rm busybox echo hi")
    assert (r.exit, r.output) == (0, "hi\n")
    r = docker("run --rm busybox sh -c 'exit 3'")
    assert (r.exit, r.output) == (3, "")
    assert engine.containers.all() == []


def _ps_world(docker):
    """The containers of tests/conformance/scenarios/ps-format, newest first: fresh, quitter, runner."""
    assert docker("tag busybox labelled").exit == 0
    assert docker("run -d --network none --name runner labelled sleep 1000").exit == 0
    assert docker("run --network none --name quitter busybox sh -c 'echo bye; exit 2'").exit == 2
    assert docker("create --network none --name fresh busybox echo a b c").exit == 0


def test_ps_format_escapes_and_table_header_as_recorded(docker):
    _ps_world(docker)
    assert docker(r"ps -a --format '{{.Names}}\t{{.Status}}'").out == (
        "fresh\tCreated\nquitter\tExited (2) Less than a second ago\nrunner\tUp Less than a second\n")
    assert docker(r"ps --format 'table {{.Names}}\t{{.Image}}'").out == (
        "NAMES     IMAGE\n"
        "runner    labelled\n")
    assert docker("ps -a --format 'table {{.ID}} {{.Names}}'").out.splitlines()[0] == "CONTAINER ID NAMES"
    assert docker(r"ps --format '{{.Names}}\n{{.Image}}'").out == "runner\nlabelled\n"


def test_ps_template_errors_as_recorded(docker):
    # usage-errors: `docker ps --format '{{.Nope}}'` with one container running
    assert docker("run -d --network none busybox sleep 1000").exit == 0
    r = docker("ps --format '{{.Nope}}'")
    assert (r.exit, r.err) == (1, 'failed to execute template: template: :1:2: executing "" at <.Nope>: '
                                  "can't evaluate field Nope in type *formatter.ContainerContext\n")


def test_ps_command_quotes_args_with_spaces_then_cuts_and_quotes(docker):
    # ps-format: `"sh -c 'echo bye; ex…"` cut, `"sh -c 'echo bye; exit 2'"` with --no-trunc
    _ps_world(docker)
    assert docker(r"ps -a --format 'table {{.Names}}\t{{.Image}}\t{{.Command}}'").out == (
        "NAMES     IMAGE      COMMAND\n"
        'fresh     busybox    "echo a b c"\n'
        "quitter   busybox    \"sh -c 'echo bye; ex…\"\n"
        'runner    labelled   "sleep 1000"\n')
    assert docker("ps -a --no-trunc --format '{{.Command}}'").out == (
        '"echo a b c"\n' "\"sh -c 'echo bye; exit 2'\"\n" '"sleep 1000"\n')


def test_go_quote_escapes_like_strconv_quote():
    from simulator.model.gostrings import go_quote
    assert go_quote('a "b"\\\t\x07\x7f\u00e9\u0085') == '"a \\"b\\"\\\\\\t\\a\\x7f\u00e9\\u0085"'


def test_trap_output_of_a_delivered_signal_is_in_the_logs(docker):
    # lifecycle: kill -s TERM of a shell trapping TERM -> `docker logs` shows `caught TERM`, wait 143
    assert docker("""run -d --network none --name trapper busybox sh -c """
                  """'trap "echo caught TERM; exit 143" TERM; while true; do sleep 0.1; done'""").exit == 0
    assert docker("kill -s TERM trapper").out == "trapper\n"
    assert docker("wait trapper").out == "143\n"
    assert docker("logs trapper").output == "caught TERM\n"
    # docker stop sends the same TERM (docker-semantics.md: stop = stop signal, then KILL)
    assert docker("""run -d --network none --name stopped busybox sh -c """
                  """"trap 'echo caught TERM; exit 0' TERM; echo ready; while true; do sleep 1; done" """).exit == 0
    assert docker("stop stopped").out == "stopped\n"
    assert docker("logs stopped").output == "ready\ncaught TERM\n"
    assert docker("inspect --format '{{.State.ExitCode}}' stopped").out == "0\n"


def test_cpus_flag(docker):
    # usage-errors: `docker run --network none --cpus x busybox true`
    r = docker("run --network none --cpus x busybox true")
    assert (r.exit, r.err) == (125, 'invalid argument "x" for "--cpus" flag: failed to parse x as a rational '
                                    "number\nSee 'docker run --help'.\n")
    # opts.ParseCPUs: the value times 1e9 must be whole (big.Rat)
    assert "value is too precise" in docker("run --cpus 1/3 busybox true").err
    assert docker("create --name cpu --cpus 1.5 busybox true").exit == 0
    assert docker("inspect --format '{{.HostConfig.NanoCpus}}' cpu").out == "1500000000\n"


def test_publish_all_and_published_ports_in_config_and_host_config(docker):
    # docker-semantics.md §8: -P publishes every exposed port on a random host port, from the
    # ephemeral range (32768 first); -p ports are exposed too (moby daemon/create.go).
    assert docker("run -d --name web -p 8080:80 -P --expose 90 busybox sleep 100").exit == 0
    r = docker("inspect --format '{{json .Config.ExposedPorts}} {{json .HostConfig.PortBindings}} "
               "{{.HostConfig.PublishAllPorts}}' web")
    assert r.out == '{"80/tcp":{},"90/tcp":{}} {"80/tcp":[{"HostIp":"","HostPort":"8080"}]} true\n'
    assert docker("port web 90").out == "0.0.0.0:32768\n:::32768\n"
    assert docker("create --name plain busybox true").exit == 0
    r = docker("inspect --format '{{json .HostConfig.PortBindings}} {{.HostConfig.PublishAllPorts}}' plain")
    assert r.out == "{} false\n"


def test_pull_output_of_run_and_create_goes_to_stderr(docker):
    # cli create.go pullImage(..., dockerCli.Err()); push-pull: `Unable to find image
    # '127.0.0.1:5000/nosuch:latest' locally` before the daemon's error
    assert docker("rmi busybox").exit == 0
    r = docker("run --rm busybox echo hi")
    assert r.out == "hi\n" and r.err.startswith("Unable to find image 'busybox:latest' locally\n")
    assert "Status: Downloaded newer image for busybox:latest\n" in r.err
    assert docker("rmi busybox").exit == 0
    r = docker("create --name made busybox true")
    assert r.out.count("\n") == 1 and len(r.out.strip()) == 64
    assert "Pull complete" in r.err


def test_ps_template_is_checked_even_without_containers(docker):
    # usage-errors: no container exists, yet `docker ps --format '{{.Nope}}'` fails (cli 20.10
    # buildContainerListOptions runs the template once on an empty ContainerContext)
    r = docker("ps --format '{{.Nope}}'")
    assert (r.exit, r.output) == (1, 'failed to execute template: template: :1:2: executing "" at <.Nope>: '
                                     "can't evaluate field Nope in type *formatter.ContainerContext\n")
    assert docker("ps --format '{{.Names}} {{.Label \"x\"}}'").output == ""


def test_invalid_image_reference_is_a_cli_error(docker):
    # images-rmi: the CLI parses the name before calling the daemon
    r = docker("run --network none UPPER")
    assert (r.exit, r.err) == (125, "docker: invalid reference format: repository name must be lowercase.\n"
                                    "See 'docker run --help'.\n")
    r = docker("create --network none busybox:a:b")
    assert (r.exit, r.err) == (1, "invalid reference format\n")


def test_ls_of_a_seeded_named_volume(docker, tmp_path):
    # volumes: `docker run --rm --network none -v fresh:/vol withvol ls /vol` prints `seed`
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text(
        "FROM busybox\nRUN mkdir /vol && echo seeded > /vol/seed\nVOLUME /vol\n")
    assert docker("build -q -t withvol ctx").exit == 0
    assert docker("run --rm --network none -v fresh:/vol withvol ls /vol").output == "seed\n"


def test_inspect_json_escapes_html_as_the_daemon_encodes_it(docker):
    # the daemon writes inspect with json.NewEncoder (HTML escaping on); the CLI only re-indents it
    assert docker("create --network none --name amp busybox sh -c 'true && echo <x>'").exit == 0
    out = docker("inspect amp").out
    assert '"true \\u0026\\u0026 echo \\u003cx\\u003e"' in out and "&&" not in out
    assert docker("container inspect amp").out == out
