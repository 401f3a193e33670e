"""Classic builder instructions: layers vs history entries, `created_by` texts, COPY/ADD
path rules, WORKDIR, variable expansion, stages, ONBUILD and the build command's flags.

Sources of the expected values: docker-semantics.md §3.4 and §4 (moby 20.10
`dispatchers.go`, `internals.go`, `copy.go`, `evaluator.go`), the recordings under
tests/conformance/scenarios/build-* (e.g. `COPY --chown=33:33file:<hash> in /app/app.txt `,
no space after the chown), Go's `%q`, and the Dockerfile reference."""

from __future__ import annotations

import io
import re
import tarfile

import pytest
from build_world import cache_pattern, steps, world  # noqa: F401  (fixture)

HASH = r"[0-9a-f]{64}"


def _history(world, ref: str) -> list[dict]:
    """The history entries the build added on top of busybox."""
    return world.image(ref).history[len(world.image("busybox").history):]


def _new_layers(world, ref: str) -> int:
    return len(world.image(ref).diff_ids) - len(world.image("busybox").diff_ids)


# -- layers and history ------------------------------------------------------------------

def test_which_instructions_add_a_layer_and_their_created_by(world):
    dockerfile = ("FROM busybox\n"
                  "RUN true\n"                        # changes nothing: empty
                  "WORKDIR /tmp\n"                    # exists in busybox: empty
                  "WORKDIR /app\n"                    # new folder: a layer
                  "RUN echo x > f\n"                  # a layer
                  "COPY a.txt .\n"                    # a layer
                  "ENV A=1 B=two\n"
                  "LABEL k=v\n"
                  "EXPOSE 80 53/udp\n"
                  "USER nobody\n"
                  "VOLUME /data\n"
                  "STOPSIGNAL SIGTERM\n"
                  'ENTRYPOINT ["python", "app.py"]\n'
                  "CMD echo hi\n")
    world.context("ctx", {"Dockerfile": dockerfile, "a.txt": "a"})
    assert world.docker("build -t app ctx").exit == 0
    history = _history(world, "app")
    texts = [h["created_by"] for h in history]
    assert texts[:4] == ["/bin/sh -c true", "/bin/sh -c #(nop) WORKDIR /tmp",
                         "/bin/sh -c #(nop) WORKDIR /app", "/bin/sh -c echo x > f"]
    assert re.fullmatch(rf"/bin/sh -c #\(nop\) COPY file:{HASH} in \. ", texts[4])
    assert texts[5:] == ["/bin/sh -c #(nop)  ENV A=1 B=two",
                         "/bin/sh -c #(nop)  LABEL k=v",
                         "/bin/sh -c #(nop)  EXPOSE 53/udp 80",
                         "/bin/sh -c #(nop)  USER nobody",
                         "/bin/sh -c #(nop)  VOLUME [/data]",
                         "/bin/sh -c #(nop)  STOPSIGNAL SIGTERM",
                         '/bin/sh -c #(nop)  ENTRYPOINT ["python" "app.py"]',
                         '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "echo hi"]']
    empty = [h.get("empty_layer", False) for h in history]
    assert empty == [True, True, False, False, False] + [True] * 8
    # One diffID per non-empty history entry (image-spec config.md).
    assert _new_layers(world, "app") == 3


def test_shell_changes_the_prefix_of_later_entries(world):
    dockerfile = ('FROM busybox\nSHELL ["/bin/sh", "-e", "-c"]\nRUN true\nENV A=1\n'
                  "COPY f /f\nCMD echo hi\n")
    world.context("ctx", {"Dockerfile": dockerfile, "f": "1"})
    world.docker("build -t app ctx")
    texts = [h["created_by"] for h in _history(world, "app")]
    # As recorded (build-instructions): SHELL's own entry already uses the new shell, and
    # its list is printed without quotes.
    assert texts[0] == "/bin/sh -e -c #(nop)  SHELL [/bin/sh -e -c]"
    assert texts[1] == "/bin/sh -e -c true"
    assert texts[2] == "/bin/sh -e -c #(nop)  ENV A=1"
    assert re.fullmatch(rf"/bin/sh -e -c #\(nop\) COPY file:{HASH} in /f ", texts[3])
    assert texts[4] == '/bin/sh -e -c #(nop)  CMD ["/bin/sh" "-e" "-c" "echo hi"]'
    assert world.image("app").run_config["Cmd"] == ["/bin/sh", "-e", "-c", "echo hi"]


def test_copy_history_names_dir_multi_and_chown(world):
    dockerfile = ("FROM busybox\nCOPY d /d\nCOPY a b /m/\nCOPY --chown=33:33 a /o\nADD a /added\n")
    world.context("ctx", {"Dockerfile": dockerfile, "d/x": "x", "a": "a", "b": "b"})
    world.docker("build -t app ctx")
    texts = [h["created_by"] for h in _history(world, "app")]
    assert re.fullmatch(rf"/bin/sh -c #\(nop\) COPY dir:{HASH} in /d ", texts[0])
    assert re.fullmatch(rf"/bin/sh -c #\(nop\) COPY multi:{HASH} in /m/ ", texts[1])
    assert re.fullmatch(rf"/bin/sh -c #\(nop\) COPY --chown=33:33file:{HASH} in /o ", texts[2])
    assert re.fullmatch(rf"/bin/sh -c #\(nop\) ADD file:{HASH} in /added ", texts[3])
    # The same file gives the same hash whatever the instruction.
    assert texts[2].split("file:")[1][:64] == texts[3].split("file:")[1][:64]


def test_build_args_prefix_run_history_sorted(world):
    dockerfile = "FROM busybox\nARG B\nARG A=1\nRUN echo $A$B\nENV A=env\nRUN true\n"
    world.context("ctx", {"Dockerfile": dockerfile})
    world.docker("build -t app --build-arg B=2 ctx")
    texts = [h["created_by"] for h in _history(world, "app")]
    assert texts[0] == "/bin/sh -c #(nop)  ARG B"
    assert texts[1] == "/bin/sh -c #(nop)  ARG A=1"
    assert texts[2] == "|2 A=1 B=2 /bin/sh -c echo $A$B"
    # An ENV of the same name shadows the arg: only B is left to prepend.
    assert texts[4] == "|1 B=2 /bin/sh -c true"


# -- COPY / ADD ----------------------------------------------------------------------------

def test_copy_destination_rules(world):
    dockerfile = ("FROM busybox\nWORKDIR /w\n"
                  "COPY f1 newname\n"          # no slash, not a folder: the file's new path
                  "COPY f1 sub/\n"             # trailing slash: into a new folder
                  "COPY f1 /tmp\n"             # an existing folder: into it
                  "COPY f1 f2 /multi/\n"
                  "COPY f* /glob/\n"
                  "COPY d /dcopy\n"            # a folder: its contents
                  "COPY . /all/\n")
    world.context("ctx", {"Dockerfile": dockerfile, "f1": "one", "f2": "two", "d/in.txt": "in",
                          "d/sub/deep.txt": "deep"})
    assert world.docker("build -t app ctx").exit == 0
    assert world.read("app", "/w/newname") == b"one"
    assert world.read("app", "/w/sub/f1") == b"one"
    assert world.read("app", "/tmp/f1") == b"one"
    assert (world.read("app", "/multi/f1"), world.read("app", "/multi/f2")) == (b"one", b"two")
    assert (world.read("app", "/glob/f1"), world.read("app", "/glob/f2")) == (b"one", b"two")
    assert world.read("app", "/dcopy/in.txt") == b"in"
    assert world.read("app", "/dcopy/sub/deep.txt") == b"deep"
    assert world.entry("app", "/dcopy/d") is None
    assert world.read("app", "/all/d/sub/deep.txt") == b"deep"
    assert world.read("app", "/all/f1") == b"one"


@pytest.mark.parametrize("instruction, message", [
    ("COPY f1 f2 /dst", "When using COPY with more than one source file, the destination must be "
                        "a directory and end with a /"),
    ("ADD f1 f2 /dst", "When using ADD with more than one source file, the destination must be "
                       "a directory and end with a /"),
    ("COPY f* /dst", "When using COPY with more than one source file, the destination must be "
                     "a directory and end with a /"),
    ("COPY http://example.com/x /x", "COPY failed: source can't be a URL for COPY"),
    ("COPY nothere /x", "COPY failed: file not found in build context or excluded by .dockerignore: "
                        "stat nothere: file does not exist"),
    ("COPY ../f1 /x", "COPY failed: forbidden path outside the build context: ../f1 ()"),
])
def test_copy_errors(world, instruction, message):
    world.context("ctx", {"Dockerfile": f"FROM busybox\n{instruction}\n", "f1": "1", "f2": "2"})
    r = world.docker("build ctx")
    assert r.exit == 1
    assert r.output.splitlines()[-1] == message


def _tar(gz: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as t:
        info = tarfile.TarInfo("pkg/readme.txt")
        info.size, info.mode = 5, 0o600
        t.addfile(info, io.BytesIO(b"hello"))
    return buf.getvalue()


def test_add_extracts_local_tar_and_tar_gz_but_copies_other_files(world):
    dockerfile = ("FROM busybox\nADD plain.tar /x/\nADD packed.tar.gz /y\nADD fake.tar /z/\n"
                  "COPY plain.tar /c/\n")
    world.context("ctx", {"Dockerfile": dockerfile, "plain.tar": _tar(False),
                          "packed.tar.gz": _tar(True), "fake.tar": "not an archive"})
    assert world.docker("build -t app ctx").exit == 0
    assert world.read("app", "/x/pkg/readme.txt") == b"hello"
    assert world.entry("app", "/x/pkg/readme.txt").mode == 0o600
    assert world.read("app", "/y/pkg/readme.txt") == b"hello"
    assert world.read("app", "/z/fake.tar") == b"not an archive"
    # COPY never extracts.
    assert world.read("app", "/c/plain.tar") == _tar(False)


def test_chown_by_number_and_by_name(world):
    dockerfile = ("FROM busybox\nCOPY --chown=1000 f /n\nCOPY --chown=www-data:www-data f /named\n"
                  "COPY --chown=7:8 d /dd\nCOPY f /root-owned\n")
    world.context("ctx", {"Dockerfile": dockerfile, "f": "1", "d/x": "x"}, modes={"f": 0o640})
    assert world.docker("build -t app ctx").exit == 0
    n, named, dd = world.entry("app", "/n"), world.entry("app", "/named"), world.entry("app", "/dd/x")
    assert (n.uid, n.gid) == (1000, 1000)       # a lone uid is also the gid
    assert (named.uid, named.gid) == (33, 33)   # busybox's /etc/passwd: www-data is 33
    assert (dd.uid, dd.gid) == (7, 8)
    root = world.entry("app", "/root-owned")
    assert (root.uid, root.gid, root.mode) == (0, 0, 0o640)


def test_copy_from_stage_name_index_and_image(world):
    dockerfile = ("FROM busybox AS Build\nRUN echo built > /out\n"
                  "FROM busybox\n"
                  "COPY --from=build /out /by-name\n"     # names match case-blindly
                  "COPY --from=0 /out /by-index\n"
                  "COPY --from=busybox /bin/busybox /bb\n")
    world.context("ctx", {"Dockerfile": dockerfile})
    assert world.docker("build -t app ctx").exit == 0
    assert world.read("app", "/by-name") == b"built\n"
    assert world.read("app", "/by-index") == b"built\n"
    assert world.entry("app", "/bb").size == world.entry("busybox", "/bin/busybox").size


@pytest.mark.parametrize("value, message", [
    ("1", "invalid from flag value 1: refers to current build stage"),
    ("2", "invalid from flag value 2: index out of bounds"),
    ("-1", "invalid from flag value -1: index out of bounds"),
])
def test_copy_from_bad_stage_index(world, value, message):
    # evaluator.go validateIndex: stage 1 is the one being built.
    world.context("ctx", {"Dockerfile": f"FROM busybox\nRUN true\nFROM busybox\nCOPY --from={value} /x /x\n"})
    r = world.docker("build ctx")
    assert r.exit == 1
    assert r.output.splitlines()[-1] == message


def test_copy_from_an_unknown_name_is_an_image_reference(world):
    # build-fail-steps recording: a stage defined later is not visible yet, so `Second` is an
    # image reference, and upper case is invalid in one.
    world.context("ctx", {"Dockerfile": "FROM busybox AS first\nCOPY --from=Second /x /x\nFROM busybox AS second\n"})
    r = world.docker("build ctx")
    assert r.exit == 1
    assert r.output.splitlines()[-1] == (
        "invalid from flag value Second: invalid reference format: repository name must be lowercase")


# build-parse-errors and build-fail-steps recordings (Docker 20.10): the step's last line, exit 1.
@pytest.mark.parametrize("instruction, message", [
    ("EXPOSE abc", "Invalid containerPort: abc"),
    ("STOPSIGNAL NOPE", "Invalid signal: NOPE"),
    ("WORKDIR /bin/sh", "Cannot mkdir: /bin/sh is not a directory"),
])
def test_steps_that_fail_on_a_bad_value(world, instruction, message):
    world.context("ctx", {"Dockerfile": f"FROM busybox\n{instruction}\n"})
    r = world.docker("build ctx")
    assert r.exit == 1
    assert r.output.splitlines()[-2:] == [f"Step 2/2 : {instruction}", message]


def test_expose_range_is_one_port_each(world):
    # build-metadata recording: EXPOSE 8000-8001 gives 8000/tcp and 8001/tcp.
    world.context("ctx", {"Dockerfile": "FROM busybox\nEXPOSE 80 53/udp 8000-8001\n"})
    assert world.docker("build -t app ctx").exit == 0
    assert set(world.image("app").run_config["ExposedPorts"]) == {"53/udp", "80/tcp", "8000/tcp", "8001/tcp"}


@pytest.mark.parametrize("instruction", ["ENV ONLYKEY", "LABEL novalue"])
def test_parser_errors_name_the_dockerfile_without_a_line(world, instruction):
    # build-parse-errors recording: `failed to parse Dockerfile.env-nokey: ENV must have two arguments`
    world.context("ctx", {"Dockerfile.x": f"FROM busybox\n{instruction}\n"})
    r = world.docker("build -f ctx/Dockerfile.x ctx")
    keyword = instruction.split()[0]
    assert (r.exit, r.output.splitlines()[-1]) == (
        1, f"Error response from daemon: failed to parse Dockerfile.x: {keyword} must have two arguments")


def test_an_empty_run_runs_the_shell_without_a_command(world):
    # The recorded daemon ran `/bin/sh -c` (busybox: `-c requires an argument`, exit 2).
    world.context("ctx", {"Dockerfile": "FROM busybox\nRUN\n"})
    r = world.docker("build ctx")
    assert r.exit == 2
    assert r.output.splitlines()[-1] == "\x1b[0mThe command '/bin/sh -c' returned a non-zero code: 2"


def test_built_images_carry_the_daemon_version(world):
    # build-metadata recording: {{.DockerVersion}} of a built image is the daemon's version.
    world.context("ctx", {"Dockerfile": "FROM busybox\nENV A=1\n"})
    world.docker("build -t app ctx")
    assert world.image("app").config["docker_version"] == "20.10.24+dfsg1"


# -- WORKDIR, ENV and ARG -------------------------------------------------------------------

def test_workdir_relative_joins_and_expansion(world):
    dockerfile = "FROM busybox\nWORKDIR /a\nWORKDIR b\nWORKDIR ../c/./d\nENV N=e\nWORKDIR $N\n"
    world.context("ctx", {"Dockerfile": dockerfile})
    world.docker("build -t app ctx")
    texts = [h["created_by"] for h in _history(world, "app")]
    assert [t for t in texts if "WORKDIR" in t] == [
        "/bin/sh -c #(nop) WORKDIR /a", "/bin/sh -c #(nop) WORKDIR /a/b",
        "/bin/sh -c #(nop) WORKDIR /a/c/d", "/bin/sh -c #(nop) WORKDIR /a/c/d/e"]
    assert world.image("app").run_config["WorkingDir"] == "/a/c/d/e"
    assert world.entry("app", "/a/c/d/e").kind.name == "DIR"


def test_env_expansion_forms(world):
    dockerfile = ("FROM busybox\nENV V=val\n"
                  r"ENV D=${V:-x} E=${U:-x} P=${V:+y} Q=${U:+y} B=$V C=\$V W=${V}s" "\n")
    world.context("ctx", {"Dockerfile": dockerfile})
    assert world.docker("build -t app ctx").exit == 0
    env = world.image("app").run_config["Env"]
    assert env[-7:] == ["D=val", "E=x", "P=y", "Q=", "B=val", "C=$V", "W=vals"]
    assert _history(world, "app")[-1]["created_by"] == \
        "/bin/sh -c #(nop)  ENV D=val E=x P=y Q= B=val C=$V W=vals"


def test_arg_before_from_and_its_redeclaration(world):
    dockerfile = ("ARG TAG=latest\nARG OTHER=o\n"
                  "FROM busybox:${TAG}\n"
                  "ARG TAG\n"
                  "LABEL tag=$TAG other=${OTHER:-unset}\n")
    world.context("ctx", {"Dockerfile": dockerfile})
    r = world.docker("build -t app ctx")
    assert r.exit == 0
    # Meta ARGs are steps (counted, no image) before the FROM.
    assert [(s.number, s.total, s.text) for s in steps(r.out)][:3] == [
        (1, 5, "ARG TAG=latest"), (2, 5, "ARG OTHER=o"), (3, 5, "FROM busybox:${TAG}")]
    assert steps(r.out)[0].lines == [] and steps(r.out)[1].lines == []
    # A redeclared ARG inherits the global default; an undeclared one is not visible.
    assert world.image("app").run_config["Labels"] == {"tag": "latest", "other": "unset"}


def test_from_platform_is_accepted(world):
    world.context("ctx", {"Dockerfile": "FROM --platform=linux/amd64 busybox\nENV A=1\n"})
    r = world.docker("build -t app ctx")
    assert r.exit == 0, r.output
    assert world.image("app").parent == world.image("busybox").id


# -- stages, target and output --------------------------------------------------------------

MULTI = ("FROM busybox AS one\nRUN echo 1 > /one\n"
         "FROM busybox AS two\nCOPY --from=one /one /two\n"
         "FROM busybox\nCOPY --from=two /two /three\n")


def test_multi_stage_leaves_untagged_stage_images(world):
    world.context("ctx", {"Dockerfile": MULTI})
    r = world.docker("build -t final ctx")
    assert r.exit == 0
    ids = [[line[6:] for line in s.lines if re.fullmatch(r" ---> [0-9a-f]{12}", line)][-1]
           for s in steps(r.out) if not s.text.startswith("FROM")]
    rows = world.docker("images --format '{{.Repository}}:{{.Tag}} {{.ID}}'").out.splitlines()
    # Stages one and two end in images nothing tags or builds on: dangling <none>.
    assert f"<none>:<none> {ids[0]}" in rows and f"<none>:<none> {ids[1]}" in rows
    assert f"final:latest {ids[2]}" in rows
    assert world.read("final", "/three") == b"1\n"


def test_target_stops_at_the_stage_and_counts_only_its_steps(world):
    world.context("ctx", {"Dockerfile": MULTI})
    r = world.docker("build --target TWO -t t ctx")
    assert r.exit == 0
    assert [(s.number, s.total) for s in steps(r.out)] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert world.read("t", "/two") == b"1\n"
    bad = world.docker("build --target nosuch ctx")
    assert bad.exit == 1
    assert bad.err.splitlines()[-1] == ("Error response from daemon: failed to reach build target "
                                        "nosuch in Dockerfile")


def test_quiet_prints_only_the_full_id_and_several_tags_are_all_applied(world):
    world.context("ctx", {"Dockerfile": "FROM busybox\nENV A=1\n"})
    r = world.docker("build -t a -t b:2 -t reg.example:5000/c ctx")
    assert r.out.splitlines()[-3:] == ["Successfully tagged a:latest", "Successfully tagged b:2",
                                       "Successfully tagged reg.example:5000/c:latest"]
    image = world.image("a")
    assert world.image("b:2").id == image.id == world.image("reg.example:5000/c").id
    q = world.docker("build -q ctx")
    assert (q.exit, q.out, q.err) == (0, image.id + "\n", "")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", q.out)


# -- ONBUILD ---------------------------------------------------------------------------------

def test_onbuild_triggers_run_in_the_child_build(world):
    world.context("base", {"Dockerfile": "FROM busybox\nONBUILD COPY hello /hello\n"
                                          "ONBUILD RUN echo triggered > /t\n"})
    assert world.docker("build -t base base").exit == 0
    assert world.image("base").run_config["OnBuild"] == ["COPY hello /hello", "RUN echo triggered > /t"]
    assert _history(world, "base")[0]["created_by"] == "/bin/sh -c #(nop)  ONBUILD COPY hello /hello"
    world.context("child", {"Dockerfile": "FROM base\nRUN cat /t /hello\n", "hello": "hi\n"})
    r = world.docker("build -t child child")
    assert r.exit == 0, r.output
    lines = r.out.splitlines()
    start = lines.index("Step 1/2 : FROM base")
    # dispatchTriggeredOnBuild: "# Executing 2 build triggers", then the triggers' own
    # lines (COPY shows nothing, RUN its container), then the FROM's " ---> <id>".
    assert lines[start + 1] == "# Executing 2 build triggers"
    assert lines[start + 2].startswith(" ---> Running in ")
    assert lines[start + 3].startswith("Removing intermediate container ")
    assert lines[start + 4].startswith(" ---> ") and lines[start + 5] == "Step 2/2 : RUN cat /t /hello"
    assert "triggered" in lines and "hi" in lines
    child = world.image("child")
    # The triggers ran once: the child's config no longer carries them.
    assert child.run_config.get("OnBuild") in (None, [])
    assert [h["created_by"] for h in child.history[-3:]] == [
        child.history[-3]["created_by"], "/bin/sh -c echo triggered > /t", "/bin/sh -c cat /t /hello"]
    assert re.fullmatch(rf"/bin/sh -c #\(nop\) COPY file:{HASH} in /hello ", child.history[-3]["created_by"])
    # A rebuild finds the triggers' images in the cache.
    again = world.docker("build child")
    assert again.out.count(" ---> Using cache") == 3


def test_one_trigger_is_singular(world):
    world.context("base", {"Dockerfile": "FROM busybox\nONBUILD ENV FROM_BASE=1\n"})
    world.docker("build -t base base")
    world.context("child", {"Dockerfile": "FROM base\n"})
    r = world.docker("build -t child child")
    assert "# Executing 1 build trigger" in r.out.splitlines()
    assert "FROM_BASE=1" in world.image("child").run_config["Env"]
    assert cache_pattern(r.out) == []


def test_a_bad_trigger_fails_the_child_build_without_a_line_number(world):
    # ONBUILD checks only the trigger's keyword against ONBUILD/FROM/MAINTAINER; the rest
    # is parsed by `ParseCommand` in the child build, whose errors carry no location.
    world.context("base", {"Dockerfile": "FROM busybox\nONBUILD FOO bar\n"})
    assert world.docker("build -t base base").exit == 0
    world.context("child", {"Dockerfile": "FROM base\n"})
    r = world.docker("build child")
    assert r.exit == 1
    assert r.output.splitlines()[-2:] == ["# Executing 1 build trigger", "unknown instruction: FOO"]
