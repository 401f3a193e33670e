""".dockerignore (docker-semantics.md §4.5; docker/cli 20.10 `build/dockerignore.go ReadAll`,
moby `pkg/fileutils` `PatternMatcher.Matches`, `pkg/archive.TarWithOptions`).

Expected sets are worked out by hand from those rules: Go `filepath.Match` wildcards
(`*` and `?` never cross `/`), `**` for any depth, parent folders tested at the
pattern's depth, the last matching pattern deciding."""

from __future__ import annotations

import pytest
from build_world import world  # noqa: F401  (fixture)

from simulator.engine.build.dockerignore import matches, read_patterns


def test_read_patterns_comments_blanks_bang_and_leading_slash():
    text = ("\ufeff# a comment\n"
            "\n"
            "   \n"
            "  spaced.txt  \n"
            "/rooted\n"
            "./dot/../cleaned/\n"
            "! reinclude\n"
            "  # not a comment: the # is not in column 0\n")
    assert read_patterns(text) == ["spaced.txt", "rooted", "cleaned", "!reinclude",
                                   "# not a comment: the # is not in column 0"]


@pytest.mark.parametrize("path, patterns, excluded", [
    # `*` stops at `/`: a top-level pattern does not reach into folders.
    ("a.log", ["*.log"], True),
    ("sub/a.log", ["*.log"], False),
    # `**` crosses any number of folders, zero included.
    ("a.log", ["**/*.log"], True),
    ("sub/deeper/a.log", ["**/*.log"], True),
    ("sub/a.txt", ["**/*.log"], False),
    # `?` is one character, not `/`; classes as in filepath.Match.
    ("a1", ["a?"], True),
    ("a12", ["a?"], False),
    ("ab", ["a[a-c]"], True),
    ("ad", ["a[a-c]"], False),
    ("ad", ["a[^a-c]"], True),
    # A pattern naming a folder excludes what is in it (parents are tested too).
    ("data/x/y.txt", ["data"], True),
    ("data/x/y.txt", ["data/x"], True),
    ("database", ["data"], False),
    # Last match wins; `!` re-includes.
    ("data/keep.txt", ["data", "!data/keep.txt"], False),
    ("data/drop.txt", ["data", "!data/keep.txt"], True),
    ("data/keep.txt", ["!data/keep.txt", "data"], True),
    ("x.md", ["*.md", "!README*.md", "README-secret.md"], True),
    ("README.md", ["*.md", "!README*.md", "README-secret.md"], False),
    ("README-secret.md", ["*.md", "!README*.md", "README-secret.md"], True),
    # `.` is literal, not "any character".
    ("axlog", ["a.log"], False),
])
def test_matches_follows_go_rules(path, patterns, excluded):
    assert matches(path, patterns) is excluded


def _listing(world, files: dict, ignore: str) -> set[str]:
    world.context("ctx", dict(files, **{".dockerignore": ignore,
                                        "Dockerfile": "FROM busybox\nCOPY . /ctx/\n"}))
    r = world.docker("build -t ignored ctx")
    assert r.exit == 0, r.output
    tree = world.engine.images.tree(world.image("ignored"))
    base = world.engine.images.tree(world.image("busybox"))
    return {p[len("/ctx/"):] for p in tree.entries if p.startswith("/ctx/") and base.get(p) is None}


FILES = {"app.py": "print()\n", "debug.log": "x", "src/main.py": "m", "src/trace.log": "t",
         "secrets/key.pem": "k", "secrets/public.pem": "p", "docs/README.md": "r", "docs/notes.md": "n"}


def test_copy_sees_only_what_the_ignore_file_lets_through(world):
    ignore = ("# build outputs\n"
              "**/*.log\n"
              "\n"
              "/secrets\n"
              "!secrets/public.pem\n"
              "docs/*.md\n"
              "!docs/README.md\n")
    got = _listing(world, FILES, ignore)
    # The Dockerfile and .dockerignore are not ignored here, so COPY . sees them.
    assert got == {"Dockerfile", ".dockerignore", "app.py", "src", "src/main.py", "secrets",
                   "secrets/public.pem", "docs", "docs/README.md"}


def test_dockerfile_and_dockerignore_are_sent_but_hidden_from_copy_when_ignored(world):
    got = _listing(world, FILES, "Dockerfile\n.dockerignore\n*.log\n")
    assert "Dockerfile" not in got and ".dockerignore" not in got
    assert "app.py" in got and "debug.log" not in got and "src/trace.log" in got
    # COPY of the ignored Dockerfile by name fails as for any missing source.
    world.context("two", {"Dockerfile": "FROM busybox\nCOPY Dockerfile /x\n", ".dockerignore": "Dockerfile\n"})
    r = world.docker("build two")
    assert r.exit == 1
    assert r.output.splitlines()[-1] == ("COPY failed: file not found in build context or excluded by "
                                         ".dockerignore: stat Dockerfile: file does not exist")


def test_ignored_files_leave_the_context_size(world):
    # Go's archive/tar: a 512-byte header per member plus data rounded up to 512,
    # and two zero blocks at the end. Dockerfile (23 bytes) + .dockerignore + big.bin.
    big = "x" * 5000
    world.context("ctx", {"Dockerfile": "FROM busybox\nENV A=1\n", ".dockerignore": "big.bin\n",
                          "big.bin": big})
    r = world.docker("build ctx")
    # Dockerfile: 512 + 512; .dockerignore: 512 + 512; end: 1024 -> 3072 bytes.
    assert r.out.splitlines()[0] == "Sending build context to Docker daemon  3.072kB"
