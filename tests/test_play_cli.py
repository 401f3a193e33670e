"""`python -m simulator play` on the command line: its help, its option errors, and the checks
made before anything runs (the page's folder, the scenario file and its folder)."""

from __future__ import annotations

import os

import pytest

from simulator.cli.main import main


@pytest.fixture
def scenario(tmp_path):
    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "s.txt").write_text("docker volume create v1\n")
    return folder / "s.txt"


@pytest.mark.parametrize("argv", [["play", "--help"], ["play", "-h"], ["play", "--step", "--help"],
                                  ["play", "--html", "out.html", "--help"], ["play", "FILE", "-h"]])
def test_help_prints_the_play_usage(argv, capsys):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: python -m simulator play [--step | --html OUT.html] FILE\n")
    assert "--step" in out and "--html OUT.html" in out and "-h, --help" in out and err == ""


@pytest.mark.parametrize("argv, reason", [
    (["play"], "expected one scenario FILE, got 0"),
    (["play", "a.txt", "b.txt"], "expected one scenario FILE, got 2"),
    (["play", "--stpe", "a.txt"], "unknown option --stpe"),
    (["play", "--html"], "--html needs the name of the page to write"),
    (["play", "--html=", "a.txt"], "--html needs the name of the page to write"),
    (["play", "--step", "--html", "o.html", "a.txt"], "--step and --html cannot be used together"),
])
def test_usage_errors_name_the_reason_and_exit_2(argv, reason, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == "simulator play: %s\nSee 'python -m simulator play --help'.\n" % reason


def test_html_into_a_missing_folder_fails_before_playing(scenario, capsys):
    assert main(["play", "--html", "/nonexistent/dir/x.html", str(scenario)]) == 2
    out, err = capsys.readouterr()
    assert out == ""   # nothing was played
    assert err == "simulator play: cannot write /nonexistent/dir/x.html: the folder /nonexistent/dir does not exist\n"


def test_html_onto_a_folder_fails_before_playing(scenario, tmp_path, capsys):
    assert main(["play", f"--html={tmp_path}", str(scenario)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == "simulator play: cannot write %s: it is a folder\n" % tmp_path


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_html_into_a_read_only_folder_fails_before_playing(scenario, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["play", "--html", str(locked / "x.html"), str(scenario)]) == 2
    finally:
        locked.chmod(0o755)
    out, err = capsys.readouterr()
    assert out == "" and err == "simulator play: cannot write %s: permission denied\n" % (locked / "x.html")


def test_a_double_dash_ends_the_options(tmp_path, capsys, monkeypatch):
    (tmp_path / "--help").write_text("docker volume create v2\n")
    monkeypatch.chdir(tmp_path)
    assert main(["play", "--", "--help"]) == 0
    assert capsys.readouterr().out == "$ docker volume create v2\nv2\n"
