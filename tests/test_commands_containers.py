"""Container commands and flags not covered elsewhere, error paths included, as docker sessions.

Expected values come from Docker 20.10's documented behaviour (docker-semantics.md sections
named per test), the recordings under tests/conformance/scenarios, or the moby/cli source
named in the test; never from what the simulator prints.
"""

import re

import pytest

NET = "--network none"


def run_ok(docker, line):
    r = docker(line)
    assert r.exit == 0, r.output
    return r


# -- run flags ------------------------------------------------------------------------------
def test_run_env_workdir_user_and_entrypoint(docker):
    # -w creates a missing working directory (moby daemon/create.go setWorkingDirectory);
    # busybox's /etc/passwd has nobody as uid 65534.
    r = run_ok(docker, f"run --rm {NET} -e A=1 -e B -w /new/dir -u nobody busybox "
                       "sh -c 'echo \"$A|${B-unset}\"; pwd; id -u'")
    assert r.out == "1|unset\n/new/dir\n65534\n"
    r = run_ok(docker, f"run --rm {NET} -u 1234:5678 busybox sh -c 'id -u; id -g'")
    assert r.out == "1234\n5678\n"
    # --entrypoint replaces the image's ENTRYPOINT, and the image's CMD is then dropped
    r = run_ok(docker, f"run --rm {NET} --entrypoint echo busybox hello there")
    assert r.out == "hello there\n"
    r = run_ok(docker, f"run --rm {NET} --entrypoint pwd -w /tmp busybox")
    assert r.out == "/tmp\n"


def test_run_env_reaches_inspect(docker):
    run_ok(docker, f"create {NET} --name envy -e A=1 -e PATH=/x busybox")
    r = run_ok(docker, "inspect --format '{{json .Config.Env}}' envy")
    # the image's Env, a user value replacing the same name in place, new names appended
    # (moby container/env.go ReplaceOrAppendEnvValues)
    assert r.out == '["PATH=/x","A=1"]\n'


def test_run_unknown_user_fails_at_start(docker):
    # moby getUser (libcontainer/user GetExecUserPath) fails while the daemon writes the OCI
    # spec; cli run.go runStartContainerErr gives 125 (neither "not found"/"no such file" nor
    # EACCES/EISDIR in the text) and, the error coming at start, no See line. Checked on a
    # real 20.10 engine: the container stays created, exit code 128, the error in State.Error.
    r = docker(f"run --rm {NET} -u nosuchuser busybox true")
    assert r.exit == 125 and "See 'docker run --help'" not in r.err
    assert ("\ndocker: Error response from daemon: unable to find user nosuchuser: "
            "no matching entries in passwd file.\n") in r.err
    r = docker(f"run -d {NET} --name u2 -u nobody:nosuchgroup busybox true")
    assert r.exit == 125 and re.fullmatch(r"[0-9a-f]{64}\n", r.out)
    assert r.err == ("docker: Error response from daemon: unable to find group nosuchgroup: "
                     "no matching entries in group file.\n")
    r = run_ok(docker, "inspect --format '{{.State.Status}} {{.State.ExitCode}} {{json .State.Error}}' u2")
    assert r.out == 'created 128 "unable to find group nosuchgroup: no matching entries in group file"\n'


def test_run_detached_prints_the_full_id_and_rm_removes_on_exit(docker):
    r = run_ok(docker, f"run -d {NET} --name dd busybox sleep 100")
    assert re.fullmatch(r"[0-9a-f]{64}\n", r.out)
    assert run_ok(docker, "inspect --format '{{.Id}}' dd").out == r.out
    run_ok(docker, f"run --rm {NET} --name gone busybox true")
    assert run_ok(docker, "ps -a --format '{{.Names}}'").out == "dd\n"


def test_run_it_needs_a_terminal_create_it_is_accepted(docker):
    # real 20.10 with stdin not a terminal: `the input device is not a TTY`, exit 1
    r = docker(f"run -it --rm {NET} busybox echo hi")
    assert (r.exit, r.output) == (1, "the input device is not a TTY\n")
    assert run_ok(docker, f"create -it {NET} --name tty busybox").exit == 0
    assert run_ok(docker, "inspect --format '{{.Config.Tty}} {{.Config.OpenStdin}}' tty").out == "true true\n"


def test_run_unknown_network(docker):
    # libnetwork ErrNoSuchNetwork, at start in 20.10 (create accepts the name), so run prints
    # no See line and exits 125 (runStartContainerErr); checked on a real 20.10 engine
    run_ok(docker, "pull busybox")
    r = docker("run -d --name nn --network nosuchnet busybox true")
    assert (r.exit, r.err) == (125, "docker: Error response from daemon: network nosuchnet not found.\n")
    assert re.fullmatch(r"[0-9a-f]{64}\n", r.out)
    r = run_ok(docker, "inspect --format '{{.State.Status}} {{.State.ExitCode}} {{json .State.Error}} "
                       "{{.HostConfig.NetworkMode}}' nn")
    assert r.out == 'created 128 "network nosuchnet not found" nosuchnet\n'
    r = docker("start nn")
    assert (r.exit, r.err) == (1, "Error response from daemon: network nosuchnet not found\n"
                                  "Error: failed to start containers: nn\n")


def test_run_memory_and_init_reach_host_config(docker):
    run_ok(docker, f"create {NET} --name lim --memory 64m --init busybox")
    assert run_ok(docker, "inspect --format '{{.HostConfig.Memory}} {{.HostConfig.Init}}' lim").out == "67108864 true\n"


def test_run_missing_image_pulls_it_first(docker):
    r = run_ok(docker, f"run --rm {NET} alpine true")
    assert r.err.startswith("Unable to find image 'alpine:latest' locally\nlatest: Pulling from library/alpine\n")
    assert "Status: Downloaded newer image for alpine:latest\n" in r.err
    r = docker("create --network none nosuchrepo/x")
    assert r.exit == 1 and r.err.startswith("Unable to find image 'nosuchrepo/x:latest' locally\n")
    assert ("Error response from daemon: pull access denied for nosuchrepo/x, repository does not exist "
            "or may require 'docker login'") in r.err


# -- exec -----------------------------------------------------------------------------------
def test_exec_flags(docker):
    run_ok(docker, f"run -d {NET} --name ex -e A=image busybox sleep 1000")
    r = run_ok(docker, "exec -e A=exec -e B=2 -w /tmp -u nobody ex sh -c 'echo $A $B; pwd; id -u'")
    assert r.out == "exec 2\n/tmp\n65534\n"
    r = run_ok(docker, "exec ex sh -c 'echo $A; pwd'")
    assert r.out == "image\n/\n"
    # -d: nothing printed, the command's work is done
    r = run_ok(docker, "exec -d ex sh -c 'echo done > /tmp/flag'")
    assert r.output == ""
    assert run_ok(docker, "exec ex cat /tmp/flag").out == "done\n"
    # the command's exit status is exec's
    assert docker("exec ex sh -c 'exit 7'").exit == 7


def test_exec_errors(docker):
    # the CLI inspects the container first (cli exec.go), so a missing one is the client's
    # message, with -d too (checked on a real 20.10 engine)
    r = docker("exec nosuch true")
    assert (r.exit, r.err) == (1, "Error: No such container: nosuch\n")
    r = docker("exec -d nosuch true")
    assert (r.exit, r.err) == (1, "Error: No such container: nosuch\n")
    r = docker("exec")
    assert r.exit == 1 and r.err.startswith('"docker exec" requires at least 2 arguments.\n')


def test_exec_as_an_unknown_user(docker):
    # moby getUser fails before runc runs; api/server/router/container/exec.go hands the error
    # to -d and writes it (with \r\n) into an attached exec's stream, exit 126 (checked on a
    # real 20.10 engine)
    run_ok(docker, f"run -d {NET} --name eu busybox sleep 1000")
    r = docker("exec -u nosuchuser eu true")
    assert (r.exit, r.out, r.err) == (126, "unable to find user nosuchuser: no matching entries in passwd file\r\n", "")
    r = docker("exec -d -u nosuchuser eu true")
    assert (r.exit, r.err) == (1, "Error response from daemon: unable to find user nosuchuser: "
                                  "no matching entries in passwd file\n")
    r = docker("exec -u nobody:nosuchgroup eu true")
    assert (r.exit, r.out) == (126, "unable to find group nosuchgroup: no matching entries in group file\r\n")


# -- logs -----------------------------------------------------------------------------------
def test_logs_tail(docker):
    run_ok(docker, f"run {NET} --name lg busybox sh -c 'echo one; echo two; echo three'")
    assert run_ok(docker, "logs --tail 2 lg").out == "two\nthree\n"
    assert run_ok(docker, "logs --tail 0 lg").out == ""
    assert run_ok(docker, "logs --tail all lg").out == "one\ntwo\nthree\n"
    assert run_ok(docker, "logs -n 1 lg").out == "three\n"


def test_logs_timestamps(docker):
    run_ok(docker, f"run {NET} --name lg busybox sh -c 'echo one; echo two; echo three'")
    # daemon/logs.go: RFC3339NanoFixed (nine fraction digits) then a space; a real 20.10
    # engine printed `2026-11-29T15:43:21.616431706Z one`
    lines = run_ok(docker, "logs -t lg").out.splitlines()
    assert [l.split(" ", 1)[1] for l in lines] == ["one", "two", "three"]
    for line in lines:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \w+", line)
    assert run_ok(docker, "logs -t --tail 1 lg").out == lines[-1] + "\n"


def test_logs_keep_streams_apart(docker):
    run_ok(docker, f"run {NET} --name st busybox sh -c 'echo out; echo err >&2'")
    r = run_ok(docker, "logs st")
    assert (r.out, r.err) == ("out\n", "err\n")


# -- stop / kill / restart / wait / rm ------------------------------------------------------
def _build(docker, tmp_path, dockerfile, tag):
    ctx = tmp_path / tag
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(dockerfile)
    r = docker(f"build -q -t {tag} {tag}")
    assert r.exit == 0, r.output


def test_stop_sends_the_images_stopsignal(docker, tmp_path):
    # docker-semantics.md §2.1: the signal is the container's StopSignal (from STOPSIGNAL), else SIGTERM
    _build(docker, tmp_path, "FROM busybox\nSTOPSIGNAL SIGINT\n"
           "CMD [\"sh\", \"-c\", \"trap 'echo got INT; exit 0' INT; trap 'echo got TERM; exit 1' TERM; "
           "while true; do sleep 0.1; done\"]\n", "sigimg")
    run_ok(docker, f"run -d {NET} --name sig sigimg")
    assert run_ok(docker, "inspect --format '{{.Config.StopSignal}}' sig").out == "SIGINT\n"
    assert run_ok(docker, "stop sig").out == "sig\n"
    assert run_ok(docker, "logs sig").out == "got INT\n"
    assert run_ok(docker, "inspect --format '{{.State.ExitCode}}' sig").out == "0\n"


def test_stop_time_zero_kills_at_once(docker, engine):
    run_ok(docker, f"run -d {NET} --name quick busybox sleep 1000")
    before = engine.now()
    assert run_ok(docker, "stop -t 0 quick").out == "quick\n"
    assert run_ok(docker, "inspect --format '{{.State.ExitCode}}' quick").out == "137\n"
    assert engine.now() == before or (engine.now() - before).total_seconds() < 1


def test_stop_and_kill_several_collect_errors(docker):
    run_ok(docker, f"run -d {NET} --name k1 busybox sleep 1000")
    run_ok(docker, f"run -d {NET} --name k2 busybox sleep 1000")
    r = docker("kill k1 nosuch k2")
    assert r.exit == 1
    assert r.out == "k1\nk2\n"
    assert r.err == "Error response from daemon: Cannot kill container: nosuch: No such container: nosuch\n"
    r = docker("stop k1 nosuch")
    assert (r.exit, r.out, r.err) == (1, "k1\n", "Error response from daemon: No such container: nosuch\n")


def test_kill_signal_forms(docker):
    # -s takes a name with or without SIG, or a number (moby pkg/signal ParseSignal)
    run_ok(docker, f"run -d {NET} --name tr busybox sh -c "
                   "'trap \"exit 8\" USR1; trap \"exit 9\" HUP; while true; do sleep 0.1; done'")
    assert run_ok(docker, "kill --signal 1 tr").out == "tr\n"
    assert run_ok(docker, "wait tr").out == "9\n"
    run_ok(docker, "start tr")
    assert run_ok(docker, "kill -s SIGUSR1 tr").out == "tr\n"
    assert run_ok(docker, "wait tr").out == "8\n"


def test_trap_handler_that_keeps_running_logs_its_output(docker, engine):
    run_ok(docker, f"run -d {NET} --name tr busybox sh -c "
                   "'trap \"echo usr1\" USR1; while true; do sleep 0.1; done'")
    engine.sleep(1)
    assert run_ok(docker, "kill -s USR1 tr").out == "tr\n"
    engine.sleep(1)
    assert run_ok(docker, "logs tr").out == "usr1\n"
    assert run_ok(docker, "inspect --format '{{.State.Status}}' tr").out == "running\n"


def test_kill_with_a_number_linux_lacks(docker):
    # tests/conformance/scenarios/kill-signals: any number parses, the daemon refuses it
    run_ok(docker, f"run -d {NET} --name k9 busybox sleep 1000")
    r = docker("kill -s 99 k9")
    assert (r.exit, r.err) == (1, "Error response from daemon: Cannot kill container: k9: "
                                  "The linux daemon does not support signal 99\n")
    r = docker("kill -s SIGNOPE k9")
    assert (r.exit, r.err) == (1, "Error response from daemon: Invalid signal: SIGNOPE\n")


def test_stop_signal_flag(docker):
    # tests/conformance/scenarios/stop-timeouts: Config.StopSignal as given; stop sends it
    run_ok(docker, f"run -d {NET} --name hup --stop-signal SIGHUP busybox "
                   "sh -c 'trap \"echo got HUP; exit 5\" HUP; while true; do sleep 0.1; done'")
    assert run_ok(docker, "inspect --format '{{.Config.StopSignal}}' hup").out == "SIGHUP\n"
    run_ok(docker, "stop hup")
    assert run_ok(docker, "inspect --format '{{.State.ExitCode}}' hup").out == "5\n"
    assert run_ok(docker, "logs hup").out == "got HUP\n"


def test_memory_swap(docker):
    # tests/conformance/scenarios/memory-limits
    run_ok(docker, f"run {NET} --name fits -m 16m --memory-swap 32m busybox true")
    r = run_ok(docker, "inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' fits")
    assert r.out == "16777216 33554432\n"
    run_ok(docker, f"create {NET} --name half -m 8m busybox true")
    r = run_ok(docker, "inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' half")
    assert r.out == "8388608 16777216\n"
    r = docker(f"run {NET} -m 16m --memory-swap 8m busybox true")
    assert (r.exit, r.err) == (125, "docker: Error response from daemon: Minimum memoryswap limit should "
                                    "be larger than memory limit, see usage.\nSee 'docker run --help'.\n")


def test_start_attach_of_a_missing_container(docker):
    # tests/conformance/scenarios/wait-start-attach: cli start.go inspects it first
    r = docker("start -a nosuch")
    assert (r.exit, r.err) == (1, "Error: No such container: nosuch\n")


def test_restart_of_running_container_and_missing(docker):
    run_ok(docker, f"run -d {NET} --name rs busybox sleep 1000")
    assert run_ok(docker, "restart -t 1 rs").out == "rs\n"
    assert run_ok(docker, "inspect --format '{{.State.Status}} {{.RestartCount}}' rs").out == "running 0\n"
    r = docker("restart nosuch")
    # moby daemon/restart.go: the lookup fails before the "Cannot restart container" wrapping
    assert (r.exit, r.err) == (1, "Error response from daemon: No such container: nosuch\n")


def test_wait_several_and_missing(docker):
    docker(f"run {NET} --name w1 busybox sh -c 'exit 3'")
    docker(f"run {NET} --name w3 busybox sh -c 'exit 4'")
    assert run_ok(docker, "wait w1 w3").out == "3\n4\n"
    r = docker("wait nosuch")
    assert (r.exit, r.err) == (1, "Error response from daemon: No such container: nosuch\n")


def test_rm_several_and_force_of_missing(docker):
    run_ok(docker, f"create {NET} --name r1 busybox")
    run_ok(docker, f"run -d {NET} --name r2 busybox sleep 1000")
    r = docker("rm r1 r2 nosuch")
    assert r.exit == 1 and r.out == "r1\n"
    assert "You cannot remove a running container" in r.err and "Error: No such container: nosuch" in r.err
    r = docker("rm -f r2 nosuch")
    assert (r.exit, r.out) == (0, "r2\n")


def test_rm_v_removes_anonymous_volumes_only(docker):
    run_ok(docker, "volume create keep")
    run_ok(docker, f"create {NET} --name vv -v keep:/k -v /anon busybox")
    assert len(run_ok(docker, "volume ls -q").out.split()) == 2
    assert run_ok(docker, "rm -v vv").out == "vv\n"
    assert run_ok(docker, "volume ls -q").out == "keep\n"


# -- ps -------------------------------------------------------------------------------------
def test_ps_filters(docker):
    docker(f"run {NET} --name e3 busybox sh -c 'exit 3'")
    docker(f"run {NET} --name e0 busybox true")
    run_ok(docker, f"run -d {NET} --name up --label team=core busybox sleep 1000")
    assert run_ok(docker, "ps -a -f exited=3 --format '{{.Names}}'").out == "e3\n"
    assert run_ok(docker, "ps -a -f status=running --format '{{.Names}}'").out == "up\n"
    assert run_ok(docker, "ps -a -f label=team=core --format '{{.Names}}'").out == "up\n"
    assert run_ok(docker, "ps -a -f name=e3 -f name=e0 --format '{{.Names}}'").out == "e0\ne3\n"
    assert run_ok(docker, "ps -a -f ancestor=busybox -q").out.count("\n") == 3
    r = docker("ps -f nosuchkey=1")
    assert (r.exit, r.err) == (1, "Error response from daemon: Invalid filter 'nosuchkey'\n")


def test_ps_filter_exited_needs_a_number(docker):
    # moby daemon/list.go: the exited value goes through strconv.Atoi (text checked on a real
    # 20.10 engine, with -a and next to a valid exited value too)
    r = docker("ps -f exited=x")
    assert (r.exit, r.err) == (1, 'Error response from daemon: strconv.Atoi: parsing "x": invalid syntax\n')
    r = docker("ps -a -f exited=3 -f exited=y")
    assert (r.exit, r.err) == (1, 'Error response from daemon: strconv.Atoi: parsing "y": invalid syntax\n')
    docker(f"run {NET} --name e3 busybox sh -c 'exit 3'")
    assert run_ok(docker, "ps -a -f exited=+3 --format '{{.Names}}'").out == "e3\n"
    assert run_ok(docker, "ps -f exited=-1").out == "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"


# -- diff / commit / cp ---------------------------------------------------------------------
def test_commit_errors_and_change_flags(docker):
    r = docker("commit nosuch img")
    assert (r.exit, r.err) == (1, "Error response from daemon: No such container: nosuch\n")
    run_ok(docker, f"run {NET} --name cm busybox true")
    # builder/dockerfile BuildFromConfig: only CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD USER VOLUME WORKDIR (+STOPSIGNAL)
    r = docker("commit -c 'RUN echo x' cm img")
    assert (r.exit, r.err) == (1, "Error response from daemon: run is not a valid change command\n")
    r = run_ok(docker, "commit -c 'ENV A=1' -c 'WORKDIR /w' -c 'EXPOSE 80' -c 'USER nobody' cm img:2")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", r.out)
    r = run_ok(docker, "image inspect --format "
                       "'{{json .Config.Env}} {{.Config.WorkingDir}} {{json .Config.ExposedPorts}} {{.Config.User}}' img:2")
    assert r.out == '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1"] /w {"80/tcp":{}} nobody\n'


def test_commit_to_an_invalid_reference(docker):
    # the client parses the reference (client/container_commit.go ParseNormalizedNamed): no daemon
    # prefix, and before the container is looked up (checked on a real 20.10 engine)
    run_ok(docker, f"run {NET} --name cm busybox true")
    r = docker("commit cm Bad:tag")
    assert (r.exit, r.err) == (1, "invalid reference format: repository name must be lowercase\n")
    r = docker("commit nosuch bad:Tag!")
    assert (r.exit, r.err) == (1, "invalid reference format\n")
    r = docker("commit cm busybox@sha256:" + "a" * 64)
    assert (r.exit, r.err) == (1, "refusing to create a tag with a digest reference\n")


def test_commit_without_changes_adds_no_layer(docker):
    run_ok(docker, f"create {NET} --name same busybox")
    run_ok(docker, "commit same same:1")
    assert (run_ok(docker, "image inspect --format '{{len .RootFS.Layers}}' same:1").out
            == run_ok(docker, "image inspect --format '{{len .RootFS.Layers}}' busybox").out)


def test_cp_both_ways_and_content(docker, tmp_path):
    (tmp_path / "in.txt").write_text("hello\n")
    run_ok(docker, f"create {NET} --name cpy busybox")
    assert run_ok(docker, "cp in.txt cpy:/tmp/in.txt").output == ""
    run_ok(docker, "cp cpy:/tmp/in.txt back.txt")
    assert (tmp_path / "back.txt").read_text() == "hello\n"
    run_ok(docker, "cp cpy:/etc/hostname hn")
    assert (tmp_path / "hn").exists()


def test_cp_needs_a_container(docker):
    # cli 20.10 cp.go: plain errors, exit 1 (checked on a real 20.10 engine)
    r = docker("cp in.txt out.txt")
    assert r.exit == 1 and r.err == "must specify at least one container source\n"
    r = docker("cp a:/x b:/y")
    assert r.exit == 1 and r.err == "copying between containers is not supported\n"


def test_diff_of_a_fresh_container_is_empty(docker):
    run_ok(docker, f"create {NET} --name fresh busybox")
    assert run_ok(docker, "diff fresh").output == ""


# -- ports ----------------------------------------------------------------------------------
def test_port_mappings_and_conflict(docker):
    r = run_ok(docker, "run -d --name web -p 8080:80 busybox sleep 1000")
    assert run_ok(docker, "port web").out == "80/tcp -> 0.0.0.0:8080\n80/tcp -> :::8080\n"
    assert run_ok(docker, "port web 80").out == "0.0.0.0:8080\n:::8080\n"
    assert run_ok(docker, "ps --format '{{.Ports}}'").out == "0.0.0.0:8080->80/tcp, :::8080->80/tcp\n"
    r = docker("port web 81")
    assert (r.exit, r.err) == (1, "Error: No public port '81/tcp' published for web\n")
    r = docker("run -d --name web2 -p 8080:80 busybox sleep 1000")
    assert r.exit == 125
    assert r.err.startswith("docker: Error response from daemon: driver failed programming external "
                            "connectivity on endpoint web2 (")
    # the start fails, so cli run.go reportError prints no See line (as the recorded 127 case)
    assert r.err.endswith("): Bind for 0.0.0.0:8080 failed: port is already allocated.\n")
    # the failed container stays, created
    assert run_ok(docker, "ps -a -f name=web2 --format '{{.Status}}'").out == "Created\n"
    r = docker("run -d -p 99999:80 busybox true")
    assert (r.exit, r.err) == (125, "docker: Invalid hostPort: 99999.\nSee 'docker run --help'.\n")


def test_inspect_json_mounts_keeps_mountpoint_field_order(docker):
    # tests/conformance/scenarios/format-output: []types.MountPoint in struct order
    run_ok(docker, f"create {NET} --name mnt -v data:/data busybox")
    r = run_ok(docker, "inspect --format '{{json .Mounts}}' mnt")
    assert r.out == ('[{"Type":"volume","Name":"data","Source":"/var/lib/docker/volumes/data/_data",'
                     '"Destination":"/data","Driver":"local","Mode":"z","RW":true,"Propagation":""}]\n')
