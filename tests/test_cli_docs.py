"""The documentation for learners and notebook users says what exists, and its examples run."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import simulator.cli.play
from simulator.engine.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_names_the_ways_in():
    for needed in ("play --step", "play --html", "make demo", "walkthrough.html", "Graphviz", "`dot`",
                   "python -m simulator sleep", "run_line(engine,", "trace.record(engine)", "Stepper",
                   "diagrams_for", "simulator.viz", "docs/scenarios.md"):
        assert needed in README, needed


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (block,) = re.findall(r"```python\n(.*?)```", README, re.S)
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "\nhi\n" in out and "storage " in out   # the run's output; the last step's storage diagram


def test_engine_docstring_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    doc = Engine.__doc__
    example = textwrap.dedent("\n".join(line for line in doc.splitlines() if line.startswith("        ")))
    assert len(example.strip().splitlines()) == 5
    exec(compile(example, "Engine.__doc__", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    # `docker ps -a` five seconds after `echo hi` ran and exited
    assert "Exited (0) 5 seconds ago" in lines[1] and lines[1].endswith(" hello")


def test_docs_point_to_files_that_exist():
    assert "docs/scenarios.md" in simulator.cli.play.__doc__ and "ARCHITECTURE.md" not in simulator.cli.play.__doc__
    assert (ROOT / "docs" / "scenarios.md").is_file()
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    assert "simulator/trace" in architecture and "simulator/viz" in architecture
    for link in re.findall(r"\]\(([^)#]+)\)", README + architecture):
        assert (ROOT / link).exists() or (ROOT / "docs" / link).exists(), link


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def test_readme_quick_start_installs_what_make_demo_and_the_diagrams_need():
    (apt,) = [line for block in _shell_blocks(README) for line in block.splitlines() if "apt-get install" in line]
    assert set(apt.split()) >= {"sudo", "apt-get", "install", "python3-venv", "make", "graphviz"}


def test_readme_commands_use_the_project_environment():
    """Stock Debian has no `python` and its python3 lacks the dependencies: the commands run in .venv."""
    using = README[README.index("## Using it"):]
    blocks = _shell_blocks(using)
    assert blocks[0].strip() == ". .venv/bin/activate"
    assert "`.venv/bin/python`" in using[:using.index("```sh\npython")]
    for line in (line for block in _shell_blocks(README) for line in block.splitlines()):
        assert not line.startswith(("python3 ", "pip ", "sudo pip")), line
    assert "pip install" not in README.replace(".venv/bin/pip install", "").replace(
        "elsewhere, `pip install -e '.[viz]'`\ninto a virtual environment of your own", "")


def test_readme_one_command_block_runs_as_written(tmp_path, monkeypatch, capsys):
    from simulator.cli.main import main
    monkeypatch.chdir(tmp_path)
    (block,) = [b for b in _shell_blocks(README) if "python -m simulator docker run" in b]
    lab = str(tmp_path / "lab")      # not the README's /tmp/lab
    lines = [[lab if a == "/tmp/lab" else a for a in line.split("#")[0].split()] for line in block.splitlines()]
    assert lines[-1] == ["rm", "-rf", ".simulator"]
    for argv in lines[:-1]:
        assert argv[:3] == ["python", "-m", "simulator"]
        capsys.readouterr()
        assert main(argv[3:]) == 0, argv
    assert "   Up 30 seconds   " in capsys.readouterr().out


def test_waiting_commands_move_the_one_command_clock(tmp_path, capsys):
    """README: `docker wait` and a foreground `run` wait for the process, so the saved clock moves."""
    from simulator.cli.main import main
    state = str(tmp_path / "st")

    def docker(*args):
        capsys.readouterr()
        assert main(["docker", "--state", state, *args]) == 0
        return capsys.readouterr().out

    docker("run", "-d", "--name", "waited", "busybox", "sleep", "5")
    assert docker("wait", "waited") == "0\n"
    docker("run", "--name", "foreground", "busybox", "sleep", "7")
    assert docker("ps", "-a", "--format", "{{.Names}}: {{.Status}}, created {{.RunningFor}}") == (
        "foreground: Exited (0) Less than a second ago, created 7 seconds ago\n"
        "waited: Exited (0) 7 seconds ago, created 12 seconds ago\n")
    assert "docker wait" in README and "foreground `docker run`" in README


def test_scenarios_doc_copy_in_example_plays(tmp_path):
    """docs/scenarios.md: files beside a scenario reach a container or a named volume with docker cp."""
    doc = (ROOT / "docs" / "scenarios.md").read_text()
    (block,) = [b for b in re.findall(r"```\n(.*?)```", doc, re.S) if "docker cp site/" in b]
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<h1>beside</h1>\n")
    (tmp_path / "s.txt").write_text(block)
    out = simulator.cli.play.play(str(tmp_path / "s.txt"))
    assert "[exit" not in out
    assert out.count("\n<h1>beside</h1>\n") == 2


def test_scenarios_doc_says_shell_expansions_stay_as_written(tmp_path):
    doc = (ROOT / "docs" / "scenarios.md").read_text()
    assert "`$PWD`, `$(pwd)` and `~` stay as written" in doc
    (tmp_path / "s.txt").write_text("docker run --rm busybox echo $(pwd) $PWD ~\n"
                                    "docker run --rm -v $PWD/site:/site busybox true\n")
    out = simulator.cli.play.play(str(tmp_path / "s.txt"))
    assert "\n$(pwd) $PWD ~\n" in out
    assert ('docker: Error response from daemon: create $PWD/site: "$PWD/site" includes invalid characters for a '
            'local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host '
            "directory, use absolute path.\nSee 'docker run --help'.\n[exit 125]\n") in out
