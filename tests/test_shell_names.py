"""ash names itself in its errors as it was invoked ($0), as busybox 1.35 does (checked
with a `sh` link to /bin/busybox outside /bin: `/tmp/sh -c nosuch` prints
`/tmp/sh: nosuch: not found`). A Dockerfile RUN step runs `/bin/sh -c`, so a typo there
reads `/bin/sh: x: not found` in `docker build` output."""

import pytest

from simulator.backend.base import ProcessSpec

from test_shell import backend, busybox_tree  # noqa: F401  (fixture)


def stderr(backend, argv):
    p = backend.run_process("c", ProcessSpec(tuple(argv)))
    return p.exit_code, "".join(t for _, s, t in p.output if s == "stderr")


@pytest.mark.parametrize("argv,code,text", [
    (["/bin/sh", "-c", "nosuch"], 127, "/bin/sh: nosuch: not found\n"),
    (["sh", "-c", "nosuch"], 127, "sh: nosuch: not found\n"),
    (["/bin/sh", "-c", "cd /nope"], 2, "/bin/sh: cd: line 0: can't cd to /nope: No such file or directory\n"),
    (["/bin/sh", "-c", "nosuch", "myname"], 127, "myname: line 0: nosuch: not found\n"),
    (["/bin/sh", "-c"], 2, "/bin/sh: -c requires an argument\n"),
    (["/bin/sh", "/nope"], 2, "/bin/sh: can't open '/nope': No such file or directory\n"),
])
def test_the_shell_names_itself_as_invoked(backend, argv, code, text):
    assert stderr(backend, argv) == (code, text)


def test_prefix_and_suffix_removal(backend):
    # busybox 1.35: `v=abc.tar.gz; echo ${v#*.} ${v##*.} ${v%.*} ${v%%.*} ${#v}`
    p = backend.run_process("c", ProcessSpec(("sh", "-c", "v=abc.tar.gz; echo ${v#*.} ${v##*.} ${v%.*} ${v%%.*} ${#v}")))
    assert "".join(t for _, s, t in p.output if s == "stdout") == "tar.gz gz abc.tar abc 10\n"
