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
    (["play", "--html", "s.txt"], "--html needs an output file followed by the scenario: expected --html OUT.html FILE"),
    (["play", "--html=s.txt"], "--html needs an output file followed by the scenario: expected --html OUT.html FILE"),
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


# --- what play copies --------------------------------------------------------------------

def _copied(monkeypatch) -> list[list[str]]:
    """Make play's lines list their working folder instead of running: the names seen."""
    from simulator.cli import play
    seen: list[list[str]] = []
    monkeypatch.setattr(play, "run_line", lambda engine, line, cwd: (seen.append(sorted(os.listdir(cwd))), ("", 0))[1])
    return seen


def test_a_scenario_that_is_not_a_regular_file_is_refused(tmp_path):
    from simulator.cli.play import ScenarioError, play
    with pytest.raises(ScenarioError, match="^/dev/null is not a regular file"):
        play("/dev/null")
    with pytest.raises(ScenarioError, match="is not a regular file"):
        play(str(tmp_path))
    os.mkfifo(tmp_path / "fifo.txt")
    with pytest.raises(ScenarioError, match="fifo.txt is not a regular file"):
        play(str(tmp_path / "fifo.txt"))   # refused without opening it (which would block)


def test_main_refuses_a_link_to_a_device_with_one_line(tmp_path, capsys):
    (tmp_path / "stdin").symlink_to("/dev/null")   # as /dev/stdin is a link to a terminal or a pipe
    assert main(["play", str(tmp_path / "stdin")]) == 2
    assert capsys.readouterr().err == (
        "simulator play: %s is not a regular file: a scenario is a text file in a folder\n" % (tmp_path / "stdin"))


def test_a_symlinked_scenario_copies_the_folder_it_really_lives_in(tmp_path, monkeypatch):
    from simulator.cli.play import play
    real, elsewhere = tmp_path / "real", tmp_path / "elsewhere"
    real.mkdir(), elsewhere.mkdir()
    (real / "s.txt").write_text("docker images\n")
    (real / "context.txt").write_text("x")
    (elsewhere / "link.txt").symlink_to(real / "s.txt")
    (elsewhere / "big.bin").write_text("y")
    seen = _copied(monkeypatch)
    play(str(elsewhere / "link.txt"))
    assert seen == [["context.txt", "s.txt"]]


def test_devices_fifos_and_sockets_are_never_copied(tmp_path, monkeypatch):
    import socket
    import stat
    from simulator.cli.play import play
    (tmp_path / "s.txt").write_text("docker images\n")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "pipe")
    (tmp_path / "link").symlink_to("s.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    expected = ["link", "s.txt", "sub"]
    try:
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        pass   # not allowed to make device nodes here: the FIFO and the socket still tell
    seen, sub = [], []
    from simulator.cli import play as play_module
    monkeypatch.setattr(play_module, "run_line", lambda engine, line, cwd: (
        seen.append(sorted(os.listdir(cwd))), sub.append(os.listdir(os.path.join(cwd, "sub"))), ("", 0))[2])
    try:
        play(str(tmp_path / "s.txt"))
    finally:
        sock.close()
    assert seen == [expected] and sub == [[]]


def test_a_folder_with_too_many_entries_is_refused(tmp_path, monkeypatch):
    from simulator.cli.play import ScenarioError, play
    (tmp_path / "s.txt").write_text("docker images\n")
    for i in range(4999):   # with s.txt: 5000 entries, the most allowed
        (tmp_path / f"f{i}").touch()
    seen = _copied(monkeypatch)
    play(str(tmp_path / "s.txt"))
    assert len(seen[0]) == 5000
    (tmp_path / "d").mkdir()   # entry 5001
    with pytest.raises(ScenarioError) as e:
        play(str(tmp_path / "s.txt"))
    assert str(e.value) == ("%s is too big to copy (more than 5000 entries or 200 MB): put the scenario in a "
                            "folder of its own" % tmp_path)
    assert len(seen) == 1   # nothing ran


def test_a_folder_with_too_many_bytes_is_refused(tmp_path, monkeypatch):
    from simulator.cli.play import ScenarioError, play
    (tmp_path / "s.txt").write_text("docker images\n")   # 14 bytes
    (tmp_path / "deep").mkdir()
    with open(tmp_path / "deep" / "big.bin", "wb") as f:   # sparse: costs no disk
        f.truncate(200_000_000 - 14)
    seen = _copied(monkeypatch)
    monkeypatch.setattr("shutil.copytree", lambda *a, **k: os.makedirs(a[1]))   # do not really copy 200 MB
    play(str(tmp_path / "s.txt"))   # exactly 200 MB: allowed
    assert len(seen) == 1
    (tmp_path / "one-more").write_text("!")
    with pytest.raises(ScenarioError, match="put the scenario in a folder of its own$"):
        play(str(tmp_path / "s.txt"))
    assert len(seen) == 1
