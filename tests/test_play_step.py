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
    assert life == "container state: created (just taken: create, (new) -> created)\n"


def test_keys_move_both_ways(tmp_path):
    scenario = tmp_path / "s.txt"
    scenario.write_text("docker images\ndocker create --name c1 busybox\ndocker rm c1\ndocker ps -a\n")
    done = step(scenario, "n\nn\np\nx\nq\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    headers = [line for line in out.splitlines() if line.startswith("--- step")]
    n = int(headers[0].split()[-2])
    assert headers == [f"--- step {i} of {n} ---" for i in (1, 2, 3, 2)]
    # the first step shows `docker images`, which changed nothing, before the pull of busybox
    first = out.split("--- step 2")[0]
    assert "$ docker images\nREPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n" in first
    assert "$ docker create --name c1 busybox\n" in first
    assert out.count("keys: n (or Enter) next step, p previous step, q quit\n") == 1
    assert done.stdout == step(scenario, "n\nn\np\nx\nq\n").stdout   # deterministic


def test_walk_to_the_end_and_quit_at_end_of_input(tmp_path):
    scenario = tmp_path / "s.txt"
    scenario.write_text("docker create --name c1 busybox\ndocker rm c1\ndocker ps -a\n")
    out = step(scenario, "\n" * 100).stdout
    headers = [line for line in out.splitlines() if line.startswith("--- step")]
    n = len(headers)
    assert headers[-1] == f"--- step {n} of {n} ---" and "(this is the last step)" in out
    last = out.split(headers[-1])[1]
    assert "container state: (removed) (just taken: remove, removing -> (removed))" in last
    assert "| c1\n" in last                                # rm's output at its last step
    assert out.endswith("[n]ext [p]revious [q]uit > \n$ docker ps -a\n"
                        "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n")
