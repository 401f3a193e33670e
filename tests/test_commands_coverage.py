"""Images, build and command-line checklist items not covered elsewhere, error paths included.

Expected values: Docker 20.10 behaviour (docker-semantics.md sections, moby/cli source named per
test, or the recordings under tests/conformance/scenarios). Container commands are in
test_commands_containers.py.
"""

import subprocess
import sys
from pathlib import Path

NET = "--network none"
ROOT = Path(__file__).resolve().parents[1]


def ok(docker, line):
    r = docker(line)
    assert r.exit == 0, r.output
    return r


# -- images ---------------------------------------------------------------------------------
def test_images_of_a_missing_repository_prints_only_the_header(docker):
    ok(docker, "pull -q busybox")
    assert ok(docker, "images nosuch").out == "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n"
    assert ok(docker, "images -q nosuch").out == ""


def test_rmi_of_an_image_used_by_a_running_container(docker):
    # moby image_delete.go: a running container blocks even -f when the ID is given
    ok(docker, f"run -d {NET} --name up busybox sleep 1000")
    image = ok(docker, "image inspect --format '{{.Id}}' busybox").out.strip()
    r = docker(f"rmi -f {image}")
    cid = ok(docker, "inspect --format '{{.Id}}' up").out.strip()
    assert (r.exit, r.err) == (1, f"Error response from daemon: conflict: unable to delete {image[7:19]} "
                                  f"(cannot be forced) - image is being used by running container {cid[:12]}\n")


def test_tag_moves_and_leaves_the_old_image_dangling(docker, tmp_path):
    for name, text in (("one", "1"), ("two", "2")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text(f"FROM busybox\nLABEL v={text}\n")
    first = ok(docker, "build -q -t app one").out.strip()
    second = ok(docker, "build -q -t app two").out.strip()
    assert ok(docker, "images -q -f dangling=true").out == first[7:19] + "\n"
    ok(docker, f"tag {first} app")
    assert ok(docker, "images -q -f dangling=true").out == second[7:19] + "\n"


# -- build ----------------------------------------------------------------------------------
def test_build_from_a_missing_image_pulls_it(docker, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    r = ok(docker, "build .")
    assert "Step 1/1 : FROM alpine\nlatest: Pulling from library/alpine\n" in r.out
    assert "Status: Downloaded newer image for alpine:latest\n" in r.out


def test_build_unconsumed_build_arg_warns(docker, tmp_path):
    # builder/dockerfile/builder.go warnOnUnusedBuildArgs
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    r = ok(docker, "build --build-arg FOO=1 .")
    assert "[Warning] One or more build-args [FOO] were not consumed\n" in r.out


def test_build_tag_errors_and_missing_context(docker):
    r = docker("build -t Bad .")
    assert r.exit == 125
    assert r.err.startswith('invalid argument "Bad" for "-t, --tag" flag: invalid reference format: '
                            "repository name must be lowercase\n")
    r = docker("build")
    assert r.exit == 1 and r.err.startswith('"docker build" requires exactly 1 argument.\n')


# -- command line ---------------------------------------------------------------------------
def _sim(args, cwd):
    return subprocess.run([sys.executable, "-m", "simulator", *args], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)


def test_state_folder_carries_the_engine_between_invocations(tmp_path):
    state = str(tmp_path / "st")
    first = _sim(["docker", "--state", state, "create", "--network", "none", "--name", "kept", "busybox"], tmp_path)
    assert first.returncode == 0, first.stderr
    second = _sim(["docker", "--state", state, "ps", "-a", "--format", "{{.Names}} {{.Status}}"], tmp_path)
    assert (second.returncode, second.stdout) == (0, "kept Created\n")
    third = _sim(["docker", "--state", state, "rm", "nosuch"], tmp_path)
    assert (third.returncode, third.stderr) == (1, "Error: No such container: nosuch\n")


def test_play_transcript_exit_lines_and_relative_paths(tmp_path):
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM busybox\nCMD [\"echo\", \"built\"]\n")
    (tmp_path / "s.txt").write_text("docker build -q -t app ctx\n"
                                    "docker run --rm --network none app\n"
                                    "docker run --network none busybox sh -c 'exit 3'\n"
                                    "docker rm nosuch\n")
    r = _sim(["play", "s.txt"], tmp_path)
    lines = r.stdout.splitlines()
    assert lines[0] == "$ docker build -q -t app ctx" and lines[1].startswith("sha256:")
    assert lines[2:] == ["$ docker run --rm --network none app", "built",
                         "$ docker run --network none busybox sh -c 'exit 3'", "[exit 3]",
                         "$ docker rm nosuch", "Error: No such container: nosuch", "[exit 1]"]
    # the scenario runs in a scratch copy: its folder is left as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ctx", "s.txt"]
