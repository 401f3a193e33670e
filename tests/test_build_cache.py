"""Classic build cache (docker-semantics.md §4.3; moby 20.10 `image/cache/cache.go`,
`compare.go`, `builder/dockerfile/imageprobe.go`, `dispatchers.go prependEnvOnCmd`).

Each expectation comes from those rules, worked out by hand for the Dockerfile at hand:
which step hits, which misses, and what the probe's Cmd is."""

from __future__ import annotations

import json
import os

from build_world import cache_pattern, steps, world  # noqa: F401  (fixture)

from simulator.engine.build.cache import compare
from simulator.model.image import Image

APP = ("FROM busybox\n"
       "WORKDIR /app\n"
       "COPY a.txt /app/a.txt\n"
       "RUN echo built > /app/built.txt\n"
       "ENV GREETING=hello\n"
       'CMD ["cat", "/app/a.txt"]\n')


def test_unchanged_rebuild_hits_every_step_and_gives_the_same_image(world):
    world.context("ctx", {"Dockerfile": APP, "a.txt": "v1\n"})
    first = world.docker("build -t app ctx")
    assert first.exit == 0
    assert cache_pattern(first.out) == [False] * 5
    second = world.docker("build -t app ctx")
    assert cache_pattern(second.out) == [True] * 5
    # A hit shows no container: " ---> Using cache" then the cached image's ID.
    assert not any(s.ran for s in steps(second.out))
    final = first.out.splitlines()[-2]
    assert final.startswith("Successfully built ")
    assert final in second.out.splitlines()


def test_changed_copy_source_misses_there_and_every_later_step(world):
    ctx = world.context("ctx", {"Dockerfile": APP, "a.txt": "v1\n"})
    world.docker("build -t app ctx")
    with open(os.path.join(ctx, "a.txt"), "w") as f:
        f.write("v2\n")
    r = world.docker("build -t app ctx")
    # WORKDIR hits; COPY misses; RUN, ENV and CMD were cached before but the cascade
    # (cacheBusted) makes them miss too.
    assert cache_pattern(r.out) == [True, False, False, False, False]
    assert world.read("app", "/app/a.txt") == b"v2\n"


def test_env_change_before_a_run_misses_the_run(world):
    world.context("one", {"Dockerfile": "FROM busybox\nENV A=1\nRUN echo run\n"})
    world.context("two", {"Dockerfile": "FROM busybox\nENV A=2\nRUN echo run\n"})
    assert cache_pattern(world.docker("build one").out) == [False, False]
    r = world.docker("build two")
    assert cache_pattern(r.out) == [False, False]
    assert "run" in steps(r.out)[2].lines          # the RUN ran again
    # Going back to A=1 finds both of the first build's images.
    assert cache_pattern(world.docker("build one").out) == [True, True]


def test_compare_uses_env_cmd_labels_ports_but_not_hostname_or_image():
    base = {"Cmd": ["/bin/sh", "-c", "true"], "Env": ["A=1"], "Labels": {"x": "y"},
            "ExposedPorts": {"80/tcp": {}}, "Hostname": "aaa", "Image": "sha256:1"}
    assert compare(base, dict(base, Hostname="bbb", Image="sha256:2"))
    assert not compare(base, dict(base, Env=["A=2"]))
    assert not compare(base, dict(base, Cmd=["/bin/sh", "-c", "false"]))
    assert not compare(base, dict(base, Labels={"x": "z"}))
    assert not compare(base, dict(base, ExposedPorts={"81/tcp": {}}))
    # OpenStdin never matches (compare.go's first test).
    assert not compare(dict(base, OpenStdin=True), dict(base, OpenStdin=True))


BUILD_ARG = "FROM busybox\nARG K=d\nCOPY f /f\nRUN echo $K > /k\n"


def test_new_build_arg_value_misses_at_the_first_run_not_at_the_arg(world):
    world.context("ctx", {"Dockerfile": BUILD_ARG, "f": "x"})
    world.docker("build -t one ctx")
    r = world.docker("build -t two --build-arg K=v ctx")
    # ARG's key holds only "ARG K=d": a hit. COPY does not use K: a hit. RUN misses.
    assert cache_pattern(r.out) == [True, True, False]
    run = world.image("two")
    assert run.history[-1]["created_by"] == "|1 K=v /bin/sh -c echo $K > /k"
    assert run.get("container_config")["Cmd"] == ["|1", "K=v", "/bin/sh", "-c", "echo $K > /k"]
    assert world.read("two", "/k") == b"v\n"
    # Without --build-arg the default is in scope, and it is recorded the same way.
    assert world.image("one").history[-1]["created_by"] == "|1 K=d /bin/sh -c echo $K > /k"
    # Passing the default explicitly gives the same probe: everything hits.
    assert cache_pattern(world.docker("build --build-arg K=d ctx").out) == [True, True, True]


def test_chmod_of_a_copy_source_misses_but_mtime_alone_does_not(world):
    ctx = world.context("ctx", {"Dockerfile": "FROM busybox\nCOPY f /f\nENV A=1\n", "f": "data"},
                        modes={"f": 0o644})
    world.docker("build -t app ctx")
    os.utime(os.path.join(ctx, "f"), (1_000_000, 1_000_000))
    assert cache_pattern(world.docker("build ctx").out) == [True, True]
    os.chmod(os.path.join(ctx, "f"), 0o600)
    r = world.docker("build -t app ctx")
    assert cache_pattern(r.out) == [False, False]
    assert world.entry("app", "/f").mode == 0o600


def test_renamed_source_with_the_same_content_misses(world):
    # The tarsum hashes the header name too (filehash.go).
    world.context("one", {"Dockerfile": "FROM busybox\nCOPY a /x\n", "a": "same"})
    world.context("two", {"Dockerfile": "FROM busybox\nCOPY b /x\n", "b": "same"})
    world.docker("build one")
    assert cache_pattern(world.docker("build two").out) == [False]


def test_no_cache_misses_everything_and_makes_the_same_layers(world):
    dockerfile = ("FROM busybox\nCOPY a.txt /a.txt\nENV A=1\nCOPY b.txt /b.txt\n"
                  'CMD ["sh"]\n')
    world.context("ctx", {"Dockerfile": dockerfile, "a.txt": "a", "b.txt": "b"})
    world.docker("build -t cached ctx")
    world.engine.clock.advance(3600)
    r = world.docker("build --no-cache -t fresh ctx")
    assert cache_pattern(r.out) == [False] * 4
    cached, fresh = world.image("cached"), world.image("fresh")
    assert cached.id != fresh.id                  # new images (new created times)
    assert fresh.diff_ids == cached.diff_ids      # but the same layer content
    assert len(fresh.diff_ids) == len(world.image("busybox").diff_ids) + 2


def test_only_images_built_locally_are_cache_sources(world):
    world.context("ctx", {"Dockerfile": "FROM busybox\nLABEL x=y\n"})
    world.docker("build -t app ctx")
    built = world.image("app")
    # The same config arriving from elsewhere (as a pull would store it): same parent,
    # same container_config, but not built here.
    config = json.loads(json.dumps(built.config))
    config["created"] = "2020-01-01T00:00:00Z"
    foreign = world.engine.images.add_image(Image.from_config(config), local=False)
    assert world.docker("rmi app").exit == 0
    assert world.engine.images.images.get(foreign.id) is not None
    r = world.docker("build ctx")
    assert cache_pattern(r.out) == [False]
    assert steps(r.out)[1].ran


def test_from_resets_the_cascade_in_each_stage(world):
    dockerfile = ("FROM busybox AS one\nCOPY f /f\nENV A=1\n"
                  "FROM busybox\nENV B=2\nCOPY --from=one /f /g\n")
    ctx = world.context("ctx", {"Dockerfile": dockerfile, "f": "1"})
    world.docker("build ctx")
    with open(os.path.join(ctx, "f"), "w") as f:
        f.write("2")
    r = world.docker("build ctx")
    # Stage one: COPY misses, ENV follows. Stage two starts afresh: ENV B=2 hits, then
    # COPY --from sees a new /f (new hash) and misses.
    assert cache_pattern(r.out) == [False, False, True, False]


def test_a_miss_prints_running_in_and_copy_prints_no_container(world):
    world.context("ctx", {"Dockerfile": "FROM busybox\nCOPY f /f\nENV A=1\n", "f": "1"})
    out = steps(world.docker("build ctx").out)
    assert [line.startswith(" ---> ") for line in out[1].lines] == [True]        # COPY: only the ID
    assert out[2].ran and out[2].lines[1].startswith("Removing intermediate container ")
