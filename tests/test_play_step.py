"""`python -m simulator play --step FILE`, fed keys on stdin, and the text renderings it prints."""

import os
import subprocess
import sys

from simulator.model.image import short_id
from simulator.trace import Trace
from simulator.viz import container_stack, image_stack
from simulator.viz.steps import diagrams_for
from simulator.viz.text import text
from viz_world import LAYER_A, LAYER_B, world

ROOT = os.path.join(os.path.dirname(__file__), "..")


def step(scenario, keys):
    return subprocess.run([sys.executable, "-m", "simulator", "play", "--step", str(scenario)], input=keys,
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_text_of_stacks_and_union():
    trace = Trace()
    engine, cid = world(trace)
    a, b = short_id(LAYER_A.diff_id), short_id(LAYER_B.diff_id)
    assert text(image_stack(engine, "demo:1")).splitlines()[1:] == [
        f"  layer 2  {b}  6B  RUN echo hello > /app/hello.txt", f"  layer 1  {a}  1.04kB  ADD file:abc in /"]
    assert text(container_stack(engine, "c1")).splitlines() == [
        f"container c1 (created)  {cid[:12]}", "  writable layer  3 changes  56B",
        "  init layer  /etc/hosts, /etc/hostname, /.dockerenv ...",
        f"  layer 2  {b}  6B  RUN echo hello > /app/hello.txt", f"  layer 1  {a}  1.04kB  ADD file:abc in /"]
    union, _, _ = diagrams_for(trace, 8)                  # the copy-up of /etc/passwd
    lines = text(union).splitlines()
    assert "* passwd               writable layer   copied-up from layer 1" in lines
    assert "  shadow               layer 1          lower" in lines   # not deleted yet at step 8
    life = text(diagrams_for(trace, 7)[0])
    # the diagram's own sentence: the state, then what the `create` transition does (engine/states.py)
    assert life == "container state: created; just now: the writable layer is prepared over the image; no process runs yet\n"


def test_keys_move_both_ways(tmp_path):
    scenario = tmp_path / "s.txt"
    scenario.write_text("docker images\ndocker create --name c1 busybox\ndocker rm c1\ndocker ps -a\n")
    done = step(scenario, "n\nn\np\nx\nq\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    headers = [line for line in out.splitlines() if line.startswith("--- step")]
    n = int(headers[0].split()[-2])
    assert headers == [f"--- step {i} of {n} ---" for i in (1, 2, 3, 2)]
    # `docker images` changes nothing, yet it is step 1, its own, with its output
    first, second, third = out.split("--- step ")[1:4]
    assert first.startswith("1 of %d ---\n$ docker images\n| REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n"
                            "cli.command: `docker images` lists the images in the store\n" % n)
    # create's output is shown at its first step (its cli.command); the pull that follows says where
    assert second.split("\n", 1)[1].startswith(
        "$ docker create --name c1 busybox\n| Unable to find image 'busybox:latest' locally\n")
    assert "cli.command: `docker create` makes a container" in second
    assert third.split("\n", 1)[1].startswith(
        "$ docker create --name c1 busybox\n(output of this command shown at step 2)\nregistry.")
    assert "Unable to find image" not in third
    assert out.count("keys: n (or Enter) next step, p previous step, q quit\n") == 1
    assert done.stdout == step(scenario, "n\nn\np\nx\nq\n").stdout   # deterministic


def test_walk_to_the_end_and_quit_at_end_of_input(tmp_path):
    scenario = tmp_path / "s.txt"
    scenario.write_text("docker create --name c1 busybox\ndocker rm c1\ndocker ps -a\n")
    out = step(scenario, "\n" * 100).stdout
    headers = [line for line in out.splitlines() if line.startswith("--- step")]
    # create: its command step, the pull of busybox (blob pulled, layer stored, image stored,
    # image pulled), the container created = 6; rm: command, removing, removed = 3; ps: 1
    assert headers == [f"--- step {i} of 10 ---" for i in range(1, 11)] and "(this is the last step)" in out
    removed = out.split("--- step 9 of 10 ---\n")[1].split("--- step 10")[0]
    # rm's output (c1) at its first step, step 7; its last step says so
    assert out.split("--- step 7 of 10 ---\n")[1].startswith("$ docker rm c1\n| c1\ncli.command: ")
    assert removed.startswith("$ docker rm c1\n(output of this command shown at step 7)\ncontainer.state: ")
    assert "\ncontainer state: (removed); just now: the container and its writable layer are deleted\n" in removed
    last = out.split("--- step 10 of 10 ---\n")[1]
    assert last.startswith("$ docker ps -a\n"
                           "| CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
                           "cli.command: `docker ps` lists the containers (only running ones, unless -a)\n\n"
                           "storage (system df):\n")
    assert out.endswith("(this is the last step)\n[n]ext [p]revious [q]uit > \n")


def test_a_build_output_once_and_again_when_back_at_its_first_step(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM busybox\nRUN echo hi > /hi.txt\n")
    scenario = tmp_path / "s.txt"
    scenario.write_text("docker build -t hi app\n")
    out = step(scenario, "n\nn\np\np\nq\n").stdout
    shown = out.split("--- step ")[1:]
    assert [s.split(" ", 1)[0] for s in shown] == ["1", "2", "3", "2", "1"]
    # the 20.10 CLI ends its context line with "\r\r\n": shown as one plain line, no carriage return
    context = "$ docker build -t hi app\n| Sending build context to Docker daemon  2.048kB\n| Step 1/2 : FROM busybox\n"
    for first in (shown[0], shown[4]):
        assert first.split("\n", 1)[1].startswith(context)
        assert "| Successfully tagged hi:latest\n" in first
    for later in shown[1:4]:
        assert later.split("\n", 1)[1].startswith("$ docker build -t hi app\n(output of this command shown at step 1)\n")
        assert "| " not in later and "Successfully" not in later
    assert "\r" not in out
