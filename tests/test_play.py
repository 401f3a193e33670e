"""`python -m simulator play`: scenario parsing, the recorder's transcript format, scratch copies."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import app, play
from simulator.cli.app import command

ROOT = Path(__file__).resolve().parent.parent


def test_parse_drops_comments_and_blanks_and_joins_continuations():
    text = "# intro\n\ndocker run \\\n    busybox \\\n    echo hi\n  # indented comment\ndocker ps\nsleep 2\n"
    assert list(play.parse(text)) == ["docker run busybox echo hi", "docker ps", "sleep 2"]


def test_parse_keeps_a_trailing_continuation():
    assert list(play.parse("docker ps \\")) == ["docker ps"]


def test_numbered_counts_file_lines_from_one_and_names_a_continuation_by_its_first():
    from simulator.scenario import numbered
    text = "# intro\n\ndocker ps\ndocker run \\\n  busybox \\\n  true\n  # indented comment\nsleep 1\n"
    assert list(numbered(text)) == [(3, "docker ps"), (4, "docker run busybox true"), (8, "sleep 1")]


@pytest.mark.parametrize("text, message", [
    ("docker ps\n# c\n\ndocker \\\n  ps \\\n  -a\nsleep 5s\n",
     "line 7: sleep needs a number of seconds: 'sleep 5s'"),
    ("docker ps\ndocker run 'x\n", "line 2: cannot split \"docker run 'x\": No closing quotation"),
    ("\n\n\nls \\\n -l\n", "line 4: only docker commands and `sleep N` are allowed: 'ls -l'"),
])
def test_a_bad_line_is_named_by_its_file_line(scenario, text, message):
    (scenario / "s.txt").write_text(text)
    with pytest.raises(play.ScenarioError) as e:
        play.play(str(scenario / "s.txt"), FakeEngine())
    assert str(e.value) == message


class FakeEngine:
    def __init__(self):
        self.slept = []
        self.log = []        # ("emit", kind, line) and ("sleep", seconds), in order

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.log.append(("sleep", seconds))

    def emit(self, event):
        self.log.append(("emit", event.kind, event.data["line"]))


@pytest.fixture
def scenario(tmp_path, monkeypatch):
    """A scenario folder with private commands: `say` (stdout+stderr, exit 3) and `write FILE`."""
    monkeypatch.setattr(app, "COMMANDS", {})

    @command("say", usage="docker say", short="s", args=(0, None))
    def say(ctx, opts, args):
        ctx.out("out1\n")
        ctx.err("err1\n")
        ctx.out("no newline")
        return 3

    @command("write", usage="docker write FILE", short="w", args=(1, 1))
    def write(ctx, opts, args):
        with open(os.path.join(ctx.cwd, args[0]), "w") as f:
            f.write("written")
        ctx.out(sorted(os.listdir(ctx.cwd)).__repr__() + "\n")
        return 0

    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "keep.txt").write_text("original")
    return folder


def test_transcript_format(scenario):
    (scenario / "s.txt").write_text("docker say \\\n  a   b\nsleep 1.5\ndocker write new.txt\ndocker nosuch\n")
    engine = FakeEngine()
    assert play.play(str(scenario / "s.txt"), engine) == (
        "$ docker say a   b\n"
        "out1\nerr1\nno newline\n"
        "[exit 3]\n"
        "$ sleep 1.5\n"
        "$ docker write new.txt\n"
        "['keep.txt', 'new.txt', 's.txt']\n"
        "$ docker nosuch\n"
        "docker: 'nosuch' is not a docker command.\nSee 'docker --help'\n"
        "[exit 1]\n")
    assert engine.slept == [1.5]


def test_each_line_emits_its_command_event_as_it_starts(scenario):
    (scenario / "s.txt").write_text("docker say \\\n  a   b\nsleep 1.5\ndocker nosuch\n")
    engine = FakeEngine()
    play.play(str(scenario / "s.txt"), engine)
    assert engine.log == [("emit", "cli.command", "docker say a   b"), ("emit", "cli.command", "sleep 1.5"),
                          ("sleep", 1.5), ("emit", "cli.command", "docker nosuch")]


def test_runs_in_a_scratch_copy(scenario):
    (scenario / "s.txt").write_text("docker write keep.txt\ndocker write other.txt\n")
    play.play(str(scenario / "s.txt"), FakeEngine())
    assert sorted(os.listdir(scenario)) == ["keep.txt", "s.txt"]
    assert (scenario / "keep.txt").read_text() == "original"


def test_only_docker_and_sleep_lines(scenario):
    (scenario / "s.txt").write_text("ls -l\n")
    with pytest.raises(play.ScenarioError) as e:
        play.play(str(scenario / "s.txt"), FakeEngine())
    assert str(e.value) == "line 1: only docker commands and `sleep N` are allowed: 'ls -l'"


def test_play_command_line_with_docker_cp(tmp_path):
    """The real engine through `python -m simulator play`: `docker cp` writes into the scratch copy only."""
    folder = tmp_path / "cp"
    folder.mkdir()
    (folder / "s.txt").write_text(
        "docker create --network none --name box busybox\n"
        "docker cp box:/etc/hostname ./hostname\n"
        "docker cp ./hostname box:/copied\n"
        "docker rm box\n")
    before = sorted(os.listdir(folder))
    proc = subprocess.run([sys.executable, "-m", "simulator", "play", str(folder / "s.txt")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "$ docker create --network none --name box busybox"
    # A fresh engine has no images: `create` pulls busybox first, as Docker does.
    assert lines[1] == "Unable to find image 'busybox:latest' locally"
    cp_at = lines.index("$ docker cp box:/etc/hostname ./hostname")
    assert len(lines[cp_at - 1]) == 64
    assert lines[cp_at:] == ["$ docker cp box:/etc/hostname ./hostname", "$ docker cp ./hostname box:/copied",
                         "$ docker rm box", "box"]
    assert sorted(os.listdir(folder)) == before


def test_play_command_line_rejects_bad_lines(tmp_path):
    (tmp_path / "s.txt").write_text("echo hi\n")
    proc = subprocess.run([sys.executable, "-m", "simulator", "play", str(tmp_path / "s.txt")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert proc.stderr == "simulator play: line 1: only docker commands and `sleep N` are allowed: 'echo hi'\n"


def test_play_a_scenario_in_the_scratch_folders_parent(tmp_path, monkeypatch):
    """A scenario kept directly in the temporary folder must not copy its own scratch copy."""
    from simulator.cli import play
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(play.tempfile, "tempdir", None)
    (tmp_path / "s.txt").write_text("docker volume create v1\n")
    assert play.play(str(tmp_path / "s.txt")) == "$ docker volume create v1\nv1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.txt"]
