"""Container behaviours a learner reported wrong, checked against a real Docker 20.10 engine
(private_engine(), `--network none`) or Docker's documentation."""

from __future__ import annotations

import io
import shlex

import pytest


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def test_restart_of_a_finished_command_runs_it_again_and_it_exits(docker):
    # Real 20.10: restart prints the name; the command runs again (logs twice), exits 0 at
    # once, RestartCount stays 0 and exec is refused.
    assert docker("run --name b1 busybox echo x").out == "x\n"
    cid = docker("inspect -f '{{.Id}}' b1").out.strip()
    assert docker("restart b1").output == "b1\n"
    assert docker("inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' b1").out == "exited 0 0\n"
    r = docker("exec b1 ls")
    assert (r.exit, r.err) == (1, f"Error response from daemon: Container {cid} is not running\n")
    assert docker("logs b1").out == "x\nx\n"
    assert docker("ps -a --format '{{.Status}}'").out == "Exited (0) Less than a second ago\n"


NOT_FOUND = ('failed to create shim task: OCI runtime create failed: runc create failed: unable to start '
             'container process: exec: "nosuchcmd": executable file not found in $PATH: unknown')


def test_run_rm_whose_command_cannot_start_leaves_nothing(docker):
    # Real 20.10: the daemon removes the AutoRemove container; the attached CLI prints only
    # the daemon's error (no `error waiting for container` line), exit 127.
    r = docker("run --rm busybox nosuchcmd")
    assert (r.exit, r.output) == (127, f"docker: Error response from daemon: {NOT_FOUND}.\n")
    assert docker("ps -aq").out == ""
    r = docker("run -d --rm busybox nosuchcmd")
    assert r.exit == 127 and r.err == f"docker: Error response from daemon: {NOT_FOUND}.\n"
    assert len(r.out.strip()) == 64
    assert docker("ps -aq").out == ""


def test_start_of_a_created_rm_container_that_cannot_start_removes_it(docker):
    assert docker("create --rm --name c2 busybox nosuchcmd").exit == 0
    r = docker("start c2")
    assert (r.exit, r.err) == (1, f"Error response from daemon: {NOT_FOUND}\nError: failed to start containers: c2\n")
    assert docker("ps -aq").out == ""


def test_containers_on_the_bridge_get_addresses_in_start_order(docker):
    # docker-semantics.md §8: 172.17.0.0/16, gateway 172.17.0.1, .2, .3 ... at start, freed
    # at stop; MAC 02:42 + the address's bytes (libnetwork GenerateMACFromIP).
    fmt = ("'{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}} "
           "{{.NetworkSettings.MacAddress}} {{.NetworkSettings.Networks.bridge.IPAddress}} "
           "{{.NetworkSettings.Networks.bridge.Gateway}} {{.NetworkSettings.Networks.bridge.MacAddress}}'")
    assert docker("create --name w0 busybox sleep 100").exit == 0
    assert docker(f"inspect -f {fmt} w0").out == "  0    \n"
    docker("run -d --name w1 busybox sleep 100")
    docker("run -d --name w2 busybox sleep 100")
    assert docker(f"inspect -f {fmt} w1").out == \
        "172.17.0.2 172.17.0.1 16 02:42:ac:11:00:02 172.17.0.2 172.17.0.1 02:42:ac:11:00:02\n"
    assert docker("inspect -f '{{.NetworkSettings.IPAddress}}' w2").out == "172.17.0.3\n"
    hosts = docker("exec w2 cat /etc/hosts").out
    cid = docker("inspect -f '{{.Id}}' w2").out.strip()
    assert hosts.endswith(f"ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n172.17.0.3\t{cid[:12]}\n")
    assert docker("stop -t 0 w1").exit == 0
    assert docker(f"inspect -f {fmt} w1").out == "  0    \n"
    docker("run -d --name w3 busybox sleep 100")
    assert docker("inspect -f '{{.NetworkSettings.IPAddress}}' w3").out == "172.17.0.2\n"
    assert docker("start w1").exit == 0
    assert docker("inspect -f '{{.NetworkSettings.IPAddress}}' w1").out == "172.17.0.4\n"


def test_network_none_and_host_have_no_address(docker):
    # Real 20.10 (--network none): Networks.none with empty addresses, a container line-less /etc/hosts.
    docker("run -d --name n1 --network none busybox sleep 100")
    docker("run -d --name h1 --network host busybox sleep 100")
    assert docker("inspect -f '{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.Networks.none.IPAddress}}|"
                  "{{.NetworkSettings.Networks.none.Gateway}}' n1").out == "||\n"
    assert docker("inspect -f '{{.NetworkSettings.IPAddress}}|{{len .NetworkSettings.Networks.host.NetworkID}}' h1"
                  ).out == "|64\n"
    assert docker("exec n1 cat /etc/hosts").out == (
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
        "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")


def test_attach_fields_follow_detach(docker):
    # Real 20.10: run -d -> Attach* false; run attached and create -> stdout/stderr true;
    # -i attached -> AttachStdin, OpenStdin and StdinOnce true.
    fmt = "'{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}} {{.Config.OpenStdin}} " \
          "{{.Config.StdinOnce}}'"
    docker("run -d --name d1 busybox sleep 100")
    docker("run --name d2 busybox true")
    docker("run -i --name d3 busybox true")
    docker("create --name d4 busybox true")
    assert docker(f"inspect -f {fmt} d1 d2 d3 d4").out == (
        "false false false false false\nfalse true true false false\n"
        "true true true true true\nfalse true true false false\n")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_with_stdin(engine, tmp_path, line, stdin):
    from simulator.cli import app, commands  # noqa: F401  (registers the commands)
    out: list[str] = []
    status = app.run(engine, shlex.split(line), str(tmp_path), out.append, out.append, stdin)
    return status, "".join(out)


def test_run_i_gives_the_clis_stdin_to_the_command(engine, tmp_path):
    # Real 20.10: `echo 'echo hi' | docker run -i --rm busybox sh` prints hi; `printf abc |
    # docker run -i busybox cat` prints abc; without -i the command reads nothing.
    assert _run_with_stdin(engine, tmp_path, "run -i --rm busybox sh", io.StringIO("echo hi\n")) == (0, "hi\n")
    assert _run_with_stdin(engine, tmp_path, "run -i --rm busybox cat", io.StringIO("abc")) == (0, "abc")
    assert _run_with_stdin(engine, tmp_path, "run --rm busybox cat", io.StringIO("abc")) == (0, "")
    assert _run_with_stdin(engine, tmp_path, "run -i --rm busybox cat", None) == (0, "")


def test_it_without_a_terminal_is_refused_as_docker_does(engine, tmp_path, docker):
    # Real 20.10 (stdin not a terminal): `run -it` -> "the input device is not a TTY", exit 1,
    # nothing created; `-t` alone and `-dt` run normally.
    assert _run_with_stdin(engine, tmp_path, "run -it --rm busybox echo hi", io.StringIO("")) == \
        (1, "the input device is not a TTY\n")
    r = docker("run -it --name x busybox echo hi")
    assert (r.exit, r.output) == (1, "the input device is not a TTY\n")
    assert docker("ps -aq").out == ""
    assert docker("run -t --rm busybox echo hi").output == "hi\n"
    assert docker("run -dt --rm busybox echo hi").exit == 0


def test_it_on_a_terminal_says_it_is_not_modelled(engine, tmp_path):
    status, text = _run_with_stdin(engine, tmp_path, "run -it --rm busybox sh", _Terminal(""))
    assert status == 1 and text.startswith("simulator: an interactive terminal session (-it) is not modelled")


def test_bind_mounts_never_change_the_real_folder_but_docker_cp_does(docker, tmp_path):
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "keep.txt").write_text("keep\n")
    assert docker(f"run --rm -v {tmp_path}/v:/v busybox rm /v/keep.txt").exit == 0
    assert (tmp_path / "v" / "keep.txt").read_text() == "keep\n"
    assert docker(f"run --name wr -v {tmp_path}/v:/v busybox sh -c 'echo new > /v/new.txt; ls /v'").out == "new.txt\n"
    assert not (tmp_path / "v" / "new.txt").exists()
    assert docker("cp wr:/v/new.txt got.txt").exit == 0     # asked for: written to the host
    assert (tmp_path / "got.txt").read_text() == "new\n"
