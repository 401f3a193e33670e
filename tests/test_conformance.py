"""Conformance: each recorded real-engine scenario, replayed by the simulator, must print
the same transcript once both are normalised (tests/conformance/normalise.py).

The recordings (tests/conformance/scenarios/<name>/scenario.expected) come from a real
Docker Engine 20.10 (see tests/conformance/README.md); the simulator replays the same
scenario.txt with `simulator.cli.play`.  The normaliser's own tests below use
small hand-written transcripts.

Each scenario is also run on a private real engine during the session (record.Recorder, in
temporary folders): the simulator must match that fresh transcript, and the committed
recording must still equal it (otherwise it is stale: `make conformance-record`).  Where no
engine can start these skip with the reason; with CI set they fail instead, unless
SIMULATOR_NO_REAL_ENGINE=1 (which also keeps the engine from being tried at all).

A scenario may declare differences the simulator keeps on purpose in
tests/conformance/scenarios/<name>/known-differences.json: a list of
`{"expected": <normalised recorded line>, "actual": <normalised simulated line>, "why":
"docs/fidelity.md: <paragraph title>"}`.  Only one kind of line may be declared, the
`<tag>: digest: sha256:... size: N` line of `docker push`, differing only in N (the manifest's
size depends on the compressed sizes of real binaries, which the synthetic files cannot have).
Each pair replaces the simulated lines equal to `actual`, and must still occur, in both
transcripts, so a stale declaration fails.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIOS = HERE / "conformance" / "scenarios"
sys.path.insert(0, str(HERE / "conformance"))

from normalise import normalise  # noqa: E402
from realengine import EngineUnavailable  # noqa: E402
from record import Recorder  # noqa: E402

PLAY_TIMEOUT = 120
FIDELITY = ROOT / "docs" / "fidelity.md"
# The only line a scenario may declare as differing: a push's manifest size.
DECLARABLE = re.compile(r"(\S+: digest: sha256:<id\d+> size: )\d+")


def _read(path: Path) -> str:
    # newline="": keep "\r" as recorded ("...3.072kB\r\r\n"); universal newlines would
    # turn it into blank lines.
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


# Every recording starts on an engine that has `busybox:latest` imported from a rootfs tar
# (realengine.py); the simulator's engine gets the same image before the scenario runs.
# Entries are written as they finish, so a crash still shows the transcript so far.
_PLAY = """
import sys
from simulator.cli.play import play
from simulator.engine.engine import Engine
engine = Engine()
engine.registry.import_busybox()
play(sys.argv[1], engine, write=lambda entry: (sys.stdout.write(entry), sys.stdout.flush()))
"""


def _play(scenario: Path) -> str:
    """The simulator's transcript of `scenario` (simulator.cli.play on a busybox engine)."""
    proc = subprocess.run(
        [sys.executable, "-c", _PLAY, str(scenario)],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        timeout=PLAY_TIMEOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    got = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        got += "<simulator crashed (exit %d)>\n%s" % (
            proc.returncode, proc.stderr.decode("utf-8", "replace")[-3000:])
    return got


@functools.cache
def _simulated(name: str) -> str:
    """The normalised simulator transcript of scenario `name` (played once per session)."""
    return normalise(_play(SCENARIOS / name / "scenario.txt"))


def _diff(expected: str, got: str, fromfile: str = "real docker 20.10 (normalised)",
          tofile: str = "simulator (normalised)") -> str:
    return "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), got.splitlines(keepends=True),
        fromfile=fromfile, tofile=tofile, n=2))


def _known_differences(folder: Path) -> list[dict[str, str]]:
    """The scenario's declared differences, checked to be size lines that differ only in the
    size, each explained by a paragraph of docs/fidelity.md."""
    path = folder / "known-differences.json"
    if not path.exists():
        return []
    declared = json.loads(_read(path))
    fidelity = _read(FIDELITY)
    for item in declared:
        assert sorted(item) == ["actual", "expected", "why"], item
        want, have = DECLARABLE.fullmatch(item["expected"]), DECLARABLE.fullmatch(item["actual"])
        assert want and have and want.group(1) == have.group(1), \
            f"{path}: only a push's manifest size line may differ, and only in the size: {item}"
        title = item["why"].removeprefix("docs/fidelity.md: ")
        assert f"**{title}.**" in fidelity, f"{path}: 'why' must name a docs/fidelity.md paragraph: {item['why']}"
    return declared


def apply_known_differences(expected: str, got: str, declared: list[dict[str, str]]) -> str:
    """`got` with each simulated line equal to a declared `actual` replaced by its `expected`.
    Raises AssertionError for a declaration that no longer matches a line of both transcripts."""
    recorded = expected.splitlines()
    lines = got.splitlines(keepends=True)
    for item in declared:
        hits = [n for n, line in enumerate(lines) if line.rstrip("\n") == item["actual"]]
        assert hits and item["expected"] in recorded, f"stale known difference (no longer occurs): {item}"
        for n in hits:
            lines[n] = item["expected"] + lines[n][len(item["actual"]):]
    return "".join(lines)


@pytest.mark.parametrize("name", sorted(p.parent.name for p in SCENARIOS.glob("*/scenario.expected")))
def test_scenario_matches_real_docker(name):
    folder = SCENARIOS / name
    expected = normalise(_read(folder / "scenario.expected"))
    got = apply_known_differences(expected, _simulated(name), _known_differences(folder))
    if got != expected:
        pytest.fail("%s differs from the real engine:\n%s" % (name, _diff(expected, got)), pytrace=False)


# -- the real side: a fresh transcript from a private Docker 20.10 engine, this session ----

ALL_SCENARIOS = sorted(p.parent.name for p in SCENARIOS.glob("*/scenario.txt"))
REAL_TESTS = ("test_recording_is_current", "test_scenario_matches_fresh_real_docker")
# Engines recording at once; each is reset between its scenarios (realengine Engine.reset).
REAL_ENGINES = 3


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def real_recorder(request):
    """A record.Recorder for this session's real-side scenarios (None with
    SIMULATOR_NO_REAL_ENGINE=1).  At the end of the session it must have left no daemon,
    registry, mount, cgroup or temporary file behind, or the session fails."""
    if os.environ.get("SIMULATOR_NO_REAL_ENGINE") == "1":
        yield None
        return
    names = sorted({item.callspec.params["name"] for item in request.session.items
                    if getattr(item, "originalname", None) in REAL_TESTS})
    recorder = Recorder([SCENARIOS / n / "scenario.txt" for n in names], engines=REAL_ENGINES)
    yield recorder
    left = recorder.close()
    if left:
        pytest.fail("the real engine left behind (now removed):\n  " + "\n  ".join(left),
                    pytrace=False)


_FRESH: dict[str, tuple[str, str | None]] = {}


def _fresh_real(recorder, name: str) -> tuple[str, str | None]:
    """(the normalised transcript of scenario `name` on a real engine this session, a note
    when the real engine printed differently on two runs).  A first run that differs from
    the committed recording is run again on a fresh engine: if the second run equals the
    recording, the first met timing-dependent output (a warning) and the second stands.
    Skips (one line) where no engine can start; fails instead under CI, unless
    SIMULATOR_NO_REAL_ENGINE=1."""
    if recorder is None:
        pytest.skip("real engine not used (SIMULATOR_NO_REAL_ENGINE=1)")
    try:
        if name not in _FRESH:
            _FRESH[name] = _settle(recorder, name)
        return _FRESH[name]
    except EngineUnavailable as e:
        reason = str(e)
    if _flag("CI"):
        pytest.fail("CI is set but no real engine can start: %s "
                    "(SIMULATOR_NO_REAL_ENGINE=1 allows that)" % reason, pytrace=False)
    pytest.skip("no real engine: %s" % reason)


def _settle(recorder, name: str) -> tuple[str, str | None]:
    scenario = SCENARIOS / name / "scenario.txt"
    recording = SCENARIOS / name / "scenario.expected"
    fresh = normalise(recorder.result(scenario))
    committed = normalise(_read(recording)) if recording.exists() else fresh
    if fresh == committed:
        return fresh, None
    again = normalise(recorder.again(scenario))
    if again == fresh:
        return fresh, None
    note = "%s: the real engine printed differently on two runs (timing-dependent output):\n%s" % (
        name, _diff(fresh, again, "real docker 20.10, run 1", "real docker 20.10, run 2"))
    if again == committed:
        warnings.warn(note)
        return again, None
    return fresh, note


@pytest.mark.parametrize("name", ALL_SCENARIOS)
def test_recording_is_current(name, real_recorder):
    """The committed recording still says what the real engine prints now."""
    fresh, varied = _fresh_real(real_recorder, name)
    recording = SCENARIOS / name / "scenario.expected"
    if not recording.exists():
        pytest.fail("%s has no recording: run `make conformance-record`" % name, pytrace=False)
    if varied:
        pytest.fail(varied + "\nmake the scenario's output independent of timing", pytrace=False)
    committed = normalise(_read(recording))
    if committed != fresh:
        pytest.fail("%s: the committed recording is stale (the real engine now prints otherwise, "
                    "twice); re-record with `make conformance-record`:\n%s"
                    % (name, _diff(committed, fresh, "committed recording (normalised)",
                                   "real docker 20.10 now (normalised)")), pytrace=False)


@pytest.mark.parametrize("name", ALL_SCENARIOS)
def test_scenario_matches_fresh_real_docker(name, real_recorder):
    """The simulator prints what the real engine printed this session."""
    fresh, _ = _fresh_real(real_recorder, name)
    folder = SCENARIOS / name
    got = apply_known_differences(fresh, _simulated(name), _known_differences(folder))
    if got != fresh:
        pytest.fail("%s differs from the real engine (fresh run):\n%s"
                    % (name, _diff(fresh, got)), pytrace=False)


class _Runs:
    """A stand-in Recorder that returns given transcripts: the first run, then reruns."""

    def __init__(self, first: str, *reruns: str):
        self.first, self.reruns = first, list(reruns)

    def result(self, path):
        return self.first

    def again(self, path):
        return self.reruns.pop(0)


def test_a_fresh_run_unlike_the_recording_is_run_again():
    recorded = _read(SCENARIOS / "cache-hit" / "scenario.expected")
    other = recorded.replace("$ ", "$ docker nosuch\n$ ", 1)
    assert _settle(_Runs(recorded), "cache-hit") == (normalise(recorded), None)
    with pytest.warns(UserWarning, match="printed differently on two runs"):
        assert _settle(_Runs(other, recorded), "cache-hit") == (normalise(recorded), None)
    assert _settle(_Runs(other, other), "cache-hit") == (normalise(other), None)  # stale
    fresh, note = _settle(_Runs(other, other + "$ docker x\n"), "cache-hit")
    assert fresh == normalise(other) and "timing-dependent" in note


def test_leftovers_names_processes_and_files_under_the_folder(tmp_path):
    from realengine import leftovers
    assert leftovers(tmp_path) == []
    (tmp_path / "dockerd.pid").write_text("1")
    argv = [sys.executable, "-c", "import time; time.sleep(30)", str(tmp_path)]  # names the folder
    proc = subprocess.Popen(argv)
    try:
        cmdline, deadline = Path("/proc/%d/cmdline" % proc.pid), time.monotonic() + 10
        while str(tmp_path).encode() not in cmdline.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.01)  # until the exec
        left = leftovers(tmp_path, cgroups=["no-such-cgroup-here"])
    finally:
        proc.kill()
        proc.wait()
    assert left == ["process %d: %s" % (proc.pid, " ".join(argv)),
                    "file: %s" % (tmp_path / "dockerd.pid")]


# -- declared differences -----------------------------------------------------------------

SIZE_LINES = [{"expected": "1: digest: sha256:<id3> size: 527", "actual": "1: digest: sha256:<id3> size: 525",
               "why": "docs/fidelity.md: Compressed layer blobs"}]


def test_a_declared_difference_replaces_only_exactly_equal_lines():
    expected = "$ docker push r/b:1\n1: digest: sha256:<id3> size: 527\n"
    got = "$ docker push r/b:1\n1: digest: sha256:<id3> size: 525\n1: digest: sha256:<id3> size: 5250\n"
    assert apply_known_differences(expected, got, SIZE_LINES) == (
        "$ docker push r/b:1\n1: digest: sha256:<id3> size: 527\n1: digest: sha256:<id3> size: 5250\n")


def test_a_declared_difference_that_no_longer_occurs_fails():
    expected = "$ docker push r/b:1\n1: digest: sha256:<id3> size: 527\n"
    with pytest.raises(AssertionError, match="stale known difference"):
        apply_known_differences(expected, expected, SIZE_LINES)
    with pytest.raises(AssertionError, match="stale known difference"):
        apply_known_differences("$ docker push r/b:1\n", expected.replace("527", "525"), SIZE_LINES)


def test_only_size_lines_explained_in_fidelity_md_may_be_declared(tmp_path):
    def declare(item):
        (tmp_path / "known-differences.json").write_text(json.dumps([item]))
        return _known_differences(tmp_path)
    assert declare(SIZE_LINES[0]) == SIZE_LINES
    for wrong in ({"expected": "app", "actual": "ap"},
                  {"expected": "1: digest: sha256:<id3> size: 527", "actual": "2: digest: sha256:<id3> size: 525"},
                  {"why": "docs/fidelity.md: No such paragraph"}):
        with pytest.raises(AssertionError):
            declare({**SIZE_LINES[0], **wrong})


# -- the normaliser ---------------------------------------------------------------------

A = "0123456789ab" + "c" * 52
B = "fedcba987654" + "3" * 52


def test_ids_numbered_by_first_appearance_short_and_long_share_a_number():
    text = ("$ docker build -q ctx\nsha256:%s\n$ docker run -d busybox\n%s\n"
            "$ docker ps -q\n%s\n%s\n" % (A, B, B[:12], A[:12]))
    assert normalise(text) == ("$ docker build -q ctx\nsha256:<id1>\n$ docker run -d busybox\n"
                               "<id2>\n$ docker ps -q\n<id2>\n<id1>\n")


def test_ids_distinct_ids_stay_distinct_and_cache_hits_are_checked():
    real = "$ docker build ctx\n ---> %s\n ---> %s\n" % (A[:12], B[:12])
    same_twice = "$ docker build ctx\n ---> %s\n ---> %s\n" % (A[:12], A[:12])
    assert normalise(real) != normalise(same_twice)


def test_other_hex_lengths_are_kept():
    text = "$ docker history app\nCOPY file:96b246e4e0b6a57b… deadbeef 0123456789abc\n"
    assert normalise(text) == text


def test_durations_in_status_and_created_become_placeholders():
    text = ("$ docker ps -a --format x\nUp 3 seconds\nUp Less than a second (Paused)\n"
            "Exited (0) 2 seconds ago\nLess than a second ago\nUp About a minute\n"
            "Exited (137) About an hour ago\n")
    assert normalise(text) == ("$ docker ps -a --format x\nUp <dur>\nUp <dur> (Paused)\n"
                               "Exited (0) <dur> ago\n<dur> ago\nUp <dur>\n"
                               "Exited (137) <dur> ago\n")


def test_durations_elsewhere_are_kept():
    text = "$ docker run busybox echo waited 5 seconds\nwaited 5 seconds\n"
    assert normalise(text) == text


def test_timestamps_become_placeholders_but_the_zero_time_is_kept():
    text = ('$ docker inspect x\n"Created": "2026-11-29T15:17:23.123456789Z",\n'
            '"FinishedAt": "0001-01-01T00:00:00Z",\n'
            '{"CreatedAt":"2026-11-29 15:17:23 +0000 UTC"}\n2024-01-01T10:00:00+02:00\n')
    assert normalise(text) == ('$ docker inspect x\n"Created": "<time>",\n'
                               '"FinishedAt": "0001-01-01T00:00:00Z",\n'
                               '{"CreatedAt":"<time>"}\n<time>\n')


def test_generated_names_numbered_but_chosen_names_and_paths_kept():
    text = ("$ docker run --name my_app busybox\n$ docker ps -a --format x\n"
            "wonderful_villani Created\nmy_app Created\nzealous_pare Created\n"
            "$ docker inspect --format {{.Name}} zz\n/zealous_pare\n"
            "$ docker run busybox cat /etc/foo_bar\n/etc/foo_bar\n")
    assert normalise(text) == ("$ docker run --name my_app busybox\n$ docker ps -a --format x\n"
                               "<name1> Created\nmy_app Created\n<name2> Created\n"
                               "$ docker inspect --format {{.Name}} zz\n/<name2>\n"
                               "$ docker run busybox cat /etc/foo_bar\n/etc/foo_bar\n")


PS_WIDE = (
    "$ docker ps -a\n"
    "CONTAINER ID   IMAGE     COMMAND                  CREATED                  STATUS    PORTS     NAMES\n"
    "%s   busybox   \"sh -c 'echo  two'\"      Less than a second ago   Created             web\n"
    % A[:12])
PS_NARROW = (
    "$ docker ps -a\n"
    "CONTAINER ID   IMAGE     COMMAND               CREATED         STATUS    PORTS     NAMES\n"
    "%s   busybox   \"sh -c 'echo  two'\"   2 seconds ago   Created             web\n"
    % B[:12])


def test_table_padding_is_collapsed_into_cells():
    assert normalise(PS_WIDE) == normalise(PS_NARROW) == (
        "$ docker ps -a\nCONTAINER ID | IMAGE | COMMAND | CREATED | STATUS | PORTS | NAMES\n"
        "<id1> | busybox | \"sh -c 'echo  two'\" | <dur> ago | Created |  | web\n")


def test_spaces_inside_table_cells_are_kept():
    one_space = PS_NARROW.replace("echo  two", "echo two")
    assert normalise(one_space) != normalise(PS_NARROW)
    history = ("$ docker history app\nIMAGE          CREATED BY                      SIZE\n"
               "%s   /bin/sh -c #(nop)  CMD [\"sh\"]   0B\n" % A[:12])
    assert "#(nop)  CMD" in normalise(history)
    assert normalise(history) != normalise(history.replace("#(nop)  CMD", "#(nop) CMD "))


def test_misaligned_row_falls_back_to_collapsing_outside_quotes():
    text = ("$ docker ps -a\nCONTAINER ID   COMMAND        NAMES\n"
            "%s \"a  b\"  web\n" % A[:12])
    assert normalise(text) == "$ docker ps -a\nCONTAINER ID | COMMAND | NAMES\n<id1> \"a  b\" | web\n"


def test_spaces_outside_tables_are_kept():
    two = "$ docker build ctx\nSending build context to Docker daemon  3.072kB\r\r\n"
    assert normalise(two) == "$ docker build ctx\nSending build context to Docker daemon  3.072kB\n"
    assert normalise(two) != normalise(two.replace("daemon  3", "daemon 3"))
    trailing = "$ docker ps --format x\nfresh  \n"
    assert normalise(trailing) == trailing


def test_diff_lines_are_sorted():
    one = "$ docker diff c1\nC /tmp\nA /tmp/new\nC /etc\nC /etc/passwd\n"
    two = "$ docker diff c1\nC /etc\nC /etc/passwd\nC /tmp\nA /tmp/new\n"
    assert normalise(one) == normalise(two) == (
        "$ docker diff c1\nA /tmp/new\nC /etc\nC /etc/passwd\nC /tmp\n")
    assert normalise(one) != normalise(one.replace("A /tmp/new", "C /tmp/new"))


def test_images_rows_are_sorted_and_new_ids_numbered_in_sorted_order():
    head = "REPOSITORY   TAG       IMAGE ID       CREATED                  SIZE\n"
    real = ("$ docker images\n" + head +
            "busybox      latest    %s   Less than a second ago   1.98MB\n"
            "<none>       <none>    %s   Less than a second ago   1.98MB\n" % (A[:12], B[:12]))
    sim = ("$ docker images\n" + head +
           "<none>       <none>    %s   Less than a second ago   1.98MB\n"
           "busybox      latest    %s   Less than a second ago   1.98MB\n" % (A[:12], B[:12]))
    assert normalise(real) == normalise(sim) == (
        "$ docker images\nREPOSITORY | TAG | IMAGE ID | CREATED | SIZE\n"
        "<none> | <none> | <id1> | <dur> ago | 1.98MB\n"
        "busybox | latest | <id2> | <dur> ago | 1.98MB\n")
    failed = "$ docker images -q x\nError: boom\n[exit 1]\n"
    assert normalise(failed) == failed
    quiet = "$ docker images -q\n%s\n%s\n" % (A[:12], B[:12])
    assert normalise(quiet) == normalise("$ docker images -q\n%s\n%s\n" % (B[:12], A[:12]))


def test_other_listings_keep_their_order():
    one = "$ docker ps -a --format x\nweb\ndb\n"
    assert normalise(one) != normalise("$ docker ps -a --format x\ndb\nweb\n")


def test_push_progress_grouped_per_layer_whatever_the_interleaving():
    real = ("$ docker push r/app:1\nThe push refers to repository [r/app]\n"
            "%s: Preparing\n%s: Preparing\n%s: Mounted from busybox\n%s: Pushed\n"
            "1: digest: sha256:%s size: 735\n"
            % (A[:12], B[:12], B[:12], A[:12], "e" * 64))
    sim = ("$ docker push r/app:1\nThe push refers to repository [r/app]\n"
           "%s: Preparing\n%s: Mounted from busybox\n%s: Preparing\n%s: Pushed\n"
           "1: digest: sha256:%s size: 735\n"
           % ("1" * 12, "1" * 12, "2" * 12, "2" * 12, "f" * 64))
    assert normalise(real) == normalise(sim) == (
        "$ docker push r/app:1\nThe push refers to repository [r/app]\n"
        "<id1>: Preparing\n<id1>: Mounted from busybox\n<id2>: Preparing\n<id2>: Pushed\n"
        "1: digest: sha256:<id3> size: 735\n")
    wrong = sim.replace("Mounted from busybox", "Pushed")
    assert normalise(wrong) != normalise(real)


def test_host_artefacts_are_dropped():
    text = ("$ docker run busybox nosuch\n"
            'time="2026-11-29T15:17:17Z" level=error msg="error waiting for container: context canceled"\n'
            "docker: Error response from daemon: boom.\n"
            "$ docker build ctx\n ---> [Warning] IPv4 forwarding is disabled. Networking will not work.\n"
            " ---> Running in %s\n"
            "$ docker cp host/nope c1:/tmp/\n"
            "lstat /tmp/scenario-t2vfom8i/container-fs/host/nope: no such file or directory\n"
            "$ docker pull nosuchimage\n"
            'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on '
            "10.255.255.53:53: dial udp 10.255.255.53:53: connect: network is unreachable\n" % A[:12])
    assert normalise(text) == (
        "$ docker run busybox nosuch\ndocker: Error response from daemon: boom.\n"
        "$ docker build ctx\n ---> Running in <id1>\n"
        "$ docker cp host/nope c1:/tmp/\nlstat <scratch>/host/nope: no such file or directory\n"
        "$ docker pull nosuchimage\n"
        'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on '
        "<resolver>: dial udp <resolver>: connect: network is unreachable\n")


def test_private_data_root_becomes_the_default_one():
    text = ('$ docker inspect --format x web\n[{"Source":"/tmp/conformance-i1/dockerconf-e8_t7/data'
            '/volumes/data/_data","Destination":"/data"}]\n')
    assert normalise(text) == ('$ docker inspect --format x web\n'
                               '[{"Source":"/var/lib/docker/volumes/data/_data","Destination":"/data"}]\n')


def test_given_scratch_folder_is_replaced():
    text = "$ docker cp a c1:/\nlstat /var/tmp/sim-1/demo/a: no such file or directory\n"
    assert normalise(text, scratch=["/var/tmp/sim-1/demo/"]) == (
        "$ docker cp a c1:/\nlstat <scratch>/a: no such file or directory\n")


def test_ansi_colour_escapes_and_exit_lines_are_kept():
    text = ("$ docker build ctx\n\x1b[91mto stderr\n\x1b[0mRemoving intermediate container x\n"
            "[exit 1]\n")
    assert normalise(text) == text
    assert normalise(text) != normalise(text.replace("\x1b[91m", "").replace("\x1b[0m", ""))


def test_json_labels_are_sorted_other_label_text_kept():
    one = '$ docker ps --format x\n{"ID":"x","Labels":"x=label x,team=core","Names":"r"}\nx=1,a=2\n'
    two = '$ docker ps --format x\n{"ID":"x","Labels":"team=core,x=label x","Names":"r"}\nx=1,a=2\n'
    assert normalise(one) == normalise(two) == two
    assert normalise(one) != normalise(one.replace("x=1,a=2", "a=2,x=1"))


def test_prune_sections_are_sorted():
    one = ("$ docker image prune -a -f\nDeleted Images:\nuntagged: a:1\ndeleted: sha256:%s\n"
           "untagged: busybox:latest\n\nTotal reclaimed space: 4B\n" % A)
    two = ("$ docker image prune -a -f\nDeleted Images:\nuntagged: busybox:latest\n"
           "untagged: a:1\ndeleted: sha256:%s\n\nTotal reclaimed space: 4B\n" % A)
    assert normalise(one) == normalise(two) == (
        "$ docker image prune -a -f\nDeleted Images:\ndeleted: sha256:<id1>\nuntagged: a:1\n"
        "untagged: busybox:latest\n\nTotal reclaimed space: 4B\n")
    assert normalise(one.replace("prune -a -f", "ps")) != normalise(two.replace("prune -a -f", "ps"))


def test_system_df_volume_rows_are_sorted():
    head = "$ docker system df -v\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n"
    one = head + "keep          1         20kB\nempty         0         0B\n"
    two = head + "empty         0         0B\nkeep          1         20kB\n"
    assert normalise(one) == normalise(two)
    assert normalise(one).endswith("VOLUME NAME | LINKS | SIZE\nempty | 0 | 0B\nkeep | 1 | 20kB\n")


def test_joined_labels_of_a_format_are_sorted():
    cmd = "$ docker ps -a --format '{{.Names}} {{.Labels}}'\n"
    assert normalise(cmd + "runner x=label x,team=core\n") == normalise(cmd + "runner team=core,x=label x\n") \
        == cmd + "runner team=core,x=label x\n"
    other = "$ docker ps -a --format '{{.Names}} {{.Command}}'\n"
    assert normalise(other + "r x=1,a=2\n") != normalise(other + "r a=2,x=1\n")


def test_pull_verifying_checksum_lines_are_dropped():
    pull = "$ docker pull r/app:1\n1: Pulling from app\n%s: Pulling fs layer\n%s: Download complete\n"
    assert normalise(pull % (A[:12], A[:12])) == normalise(
        pull.replace("Download", "Verifying Checksum\n%s: Download") % (A[:12], A[:12], A[:12]))
