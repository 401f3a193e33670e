"""The HTML export (simulator.viz.html) and `python -m simulator play --html`: the page's structure
for the walkthrough, determinism, escaping, the fallback without Graphviz's dot."""

from __future__ import annotations

import re

import pytest

from simulator.cli.main import main
from simulator.cli.play import parse
from simulator.viz import html
from simulator.viz import render as render_module
from simulator.viz.steps import diagrams_for, explain
from walkthrough_page import WALKTHROUGH, page_data, templates, walkthrough

ABSENT = "docker run --name gone busybox sh -c 'echo \"</script><b>&\"'"


@pytest.fixture(scope="module")
def exported():
    page, done = walkthrough()
    return page, done.html, page_data(done.html), templates(done.html)


def test_one_step_per_trace_event(exported):
    page, text, data, _ = exported
    # the engine's own events for the walkthrough, plus one `cli.command` step per scenario line
    lines = list(parse(WALKTHROUGH.read_text()))
    commands = [s for s in page.trace if s.event.kind == "cli.command"]
    assert len(lines) == 31 and [s.event.data["line"] for s in commands] == lines
    assert len(data["steps"]) == len(page.trace) > 100 + 31
    assert "Step 1 / %d" % len(page.trace) in text
    for step, event in zip(data["steps"], page.trace.events):
        assert step["k"] == event.kind and step["e"] == explain(event)


def test_commands_are_the_scenario_lines_and_own_their_steps(exported):
    page, _, data, _ = exported
    lines = list(parse(WALKTHROUGH.read_text()))
    assert [c["line"] for c in data["commands"]] == lines
    # The steps are cut into consecutive runs, one per command, each starting with the command's
    # own step; a read-only command has that one step only.
    assert [(c["start"], c["stop"]) for c in data["commands"]][0][0] == 0
    assert all(a["stop"] == b["start"] for a, b in zip(data["commands"], data["commands"][1:]))
    assert data["commands"][-1]["stop"] == len(data["steps"])
    for c in data["commands"]:
        assert c["stop"] > c["start"] and data["steps"][c["start"]]["k"] == "cli.command"
        assert all(s["k"] != "cli.command" for s in data["steps"][c["start"] + 1:c["stop"]])
        assert page.trace[c["start"]].event.data["line"] == c["line"]
    first = {}
    for c in data["commands"]:
        first.setdefault(c["line"], c)
    assert first["docker images"]["stop"] == first["docker images"]["start"] + 1
    assert data["steps"][first["docker images"]["start"]]["e"] == "`docker images` lists the images in the store"
    assert data["steps"][first["docker ps"]["start"]]["e"] == (
        "`docker ps` lists the containers (only running ones, unless -a)")
    assert first["docker rm app"]["status"] == 1 and "You cannot remove a running container" in (
        first["docker rm app"]["output"])
    for i, step in enumerate(data["steps"]):
        command = data["commands"][step["c"]]
        assert command["start"] <= i < command["stop"]
        if step["k"].startswith("build."):
            assert command["line"].startswith("docker build ")


def test_output_is_shown_as_plain_lines(exported):
    page, _, data, _ = exported
    # the 20.10 CLI ends the build context line with "\r\r\n"; the classic builder colours a RUN
    # step's stderr (pip's WARNING) with SGR codes: the page shows neither
    build = page.commands[0].output
    assert build.startswith("Sending build context to Docker daemon  ") and build.split("\n", 1)[0].endswith("kB\r\r")
    assert any("\x1b[91m" in c.output for c in page.commands)
    for raw, shown in zip(page.commands, data["commands"]):
        assert shown["output"] == raw.output.replace("\r", "").replace("\x1b[91m", "").replace("\x1b[0m", "")
        assert "\r" not in shown["output"] and "\x1b" not in shown["output"]


def test_each_step_shows_its_diagrams(exported):
    page, _, data, svgs = exported
    for i, step in enumerate(data["steps"]):
        expected = diagrams_for(page.trace, i)
        assert [title for title, _ in step["d"]] == [html.TITLES[d.kind] for d in expected]
        for (_, number), diagram in zip(step["d"], expected):
            # dot writes the graph's name as the SVG's first <title>: `digraph image_stack {` -> image_stack
            name = re.match(r"digraph (\w+) \{", diagram.dot).group(1)
            assert re.search(r"<svg [^>]*>\s*<g [^>]*>\s*<title>%s</title>" % name, svgs[number])


def test_each_distinct_diagram_is_stored_once(exported):
    page, text, data, svgs = exported
    dots = {d.dot for i in range(len(page.trace)) for d in diagrams_for(page.trace, i)}
    assert len(svgs) == len(dots)
    assert len(set(svgs.values())) == len(svgs)
    assert sorted({n for s in data["steps"] for _, n in s["d"]}) == list(range(len(svgs)))
    # ids stay unique in the document although every SVG from dot numbers its nodes alike
    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    assert len(text.encode()) < 4_000_000


def test_self_contained(exported):
    _, text, _, svgs = exported
    # nothing to fetch: no linked stylesheet, script, image or frame (URLs in command output are text)
    assert not re.search(r"<(link|img|iframe|object|embed)\b|\s(src|href|xlink:href)=|url\(|@import", text)
    assert all(s.startswith("<svg ") and "<?xml" not in s and "<!--" not in s for s in svgs.values())


def test_two_exports_are_byte_identical(exported):
    _, text, _, _ = exported
    again = html.export(html.record(str(WALKTHROUGH)))
    assert again.html == text


def _scenario(tmp_path, *lines):
    path = tmp_path / "s.txt"
    path.write_text("# a small scenario\n" + "\n".join(lines) + "\n")
    return path


def test_cli_writes_the_page_and_prints_the_transcript(tmp_path, capsys):
    path = _scenario(tmp_path, ABSENT, "docker ps -a --format '{{.Names}}'")
    out = tmp_path / "page.html"
    assert main(["play", "--html", str(out), str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("$ " + ABSENT + "\n") and captured.out.endswith("$ docker ps -a --format '{{.Names}}'\ngone\n")
    assert re.fullmatch(r"simulator play: wrote %s \(\d+ steps, \d+ distinct diagrams, \d+\.\d MB\)\n"
                        % re.escape(str(out)), captured.err)
    text = out.read_text()
    data = page_data(text)                       # "</script>" in the output did not end the JSON early
    assert data["commands"][0]["output"].endswith("\n</script><b>&\n")
    # `docker ps` changes nothing: its one step, the last, is its command step
    assert data["commands"][1]["start"] == data["commands"][1]["stop"] - 1 == len(data["steps"]) - 1
    assert data["steps"][-1]["k"] == "cli.command" and data["steps"][-1]["c"] == 1
    assert main(["play", f"--html={out}", str(path)]) == 0 and out.read_text() == text


def test_cli_usage_errors(tmp_path, capsys):
    assert main(["play", "--html"]) == 2
    assert main(["play", "--html", str(tmp_path / "x.html")]) == 2
    assert capsys.readouterr().err == (
        "simulator play: --html needs the name of the page to write\nSee 'python -m simulator play --help'.\n"
        "simulator play: --html needs an output file followed by the scenario: expected --html OUT.html FILE\n"
        "See 'python -m simulator play --help'.\n")
    assert not (tmp_path / "x.html").exists()


def test_without_dot_the_page_holds_the_hint_and_the_dot_text(tmp_path, monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    page = html.record(str(_scenario(tmp_path, "docker create --name c busybox")))
    svgs = templates(html.export(page).html)
    assert svgs and all(s.startswith('<pre class="dot"># Graphviz&#x27;s `dot` was not found') for s in svgs.values())
    assert any("digraph storage {" in s for s in svgs.values())
