"""The simulated sh and programs against busybox 1.35 behaviour (messages confirmed with
`busybox sh -c ...`) and the Docker 20.10 + runc recordings (tests/conformance)."""

import pytest

from simulator.backend.base import ProcessSpec
from simulator.backend.memory.backend import MemoryBackend
from simulator.engine.errors import StartError
from simulator.model.fs import Tree
from simulator.model.layer import Layer, blob, directory, file, symlink

APPLETS = ["sh", "ls", "cat", "echo", "sleep", "mkdir", "rm", "touch", "head", "tail", "wc", "grep", "sed",
           "id", "true", "seq", "stat", "cp", "mv", "ln", "chmod", "rmdir"]


def busybox_tree() -> Tree:
    entries = {"/bin": directory(), "/bin/busybox": blob(1_000_000, "busybox"),
               "/etc": directory(), "/etc/passwd": file("root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\n"),
               "/etc/group": file("root:x:0:\nwheel:x:10:root\nwww-data:x:33:\n"),
               "/etc/shadow": file("root:::0:::::\n", 0o600), "/tmp": directory(0o1777),
               "/var": directory(), "/var/www": directory()}
    entries.update({f"/bin/{a}": symlink("busybox") for a in APPLETS})
    return Tree.from_layers([Layer.of(entries)])


@pytest.fixture
def backend():
    b = MemoryBackend()
    b.prepare("c", busybox_tree())
    return b


def sh(backend, script, **kw):
    p = backend.run_process("c", ProcessSpec(("sh", "-c", script), **kw))
    return p, "".join(t for _, s, t in p.output if s == "stdout"), "".join(t for _, s, t in p.output if s == "stderr")


def test_runc_errors_match_recording(backend):
    prefix = "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: "
    with pytest.raises(StartError) as e:
        backend.run_process("c", ProcessSpec(("nosuchcommand",)))
    assert (e.value.message, e.value.exit_code) == (
        prefix + 'exec: "nosuchcommand": executable file not found in $PATH: unknown', 127)
    for path in ("/etc", "/etc/passwd"):
        with pytest.raises(StartError) as e:
            backend.run_process("c", ProcessSpec((path,)))
        assert (e.value.message, e.value.exit_code) == (prefix + f'exec: "{path}": permission denied: unknown', 126)


def test_logs_and_exit_code_with_sleep_offsets(backend):
    p, out, err = sh(backend, "echo out; sleep 0.2; echo err >&2; exit 1")
    assert p.output == [(0.0, "stdout", "out\n"), (0.2, "stderr", "err\n")]
    assert (p.exit_code, p.runs_for) == (1, 0.2)


def test_busybox_messages(backend):
    p, out, err = sh(backend, "nosuch; echo $?; echo x > /nope/y; echo $?; cat /nope; echo $?; rm /x; echo $?; "
                              "mkdir /nope/x; ls /nope; cd /nope")
    assert out == "127\n1\n1\n1\n"
    assert err == ("sh: nosuch: not found\n"
                   "sh: can't create /nope/y: nonexistent directory\n"
                   "cat: can't open '/nope': No such file or directory\n"
                   "rm: can't remove '/x': No such file or directory\n"
                   "mkdir: can't create directory '/nope/x': No such file or directory\n"
                   "ls: /nope: No such file or directory\n"
                   "sh: cd: line 0: can't cd to /nope: No such file or directory\n")
    assert p.exit_code == 2


@pytest.mark.parametrize("script,message", [
    ("if", 'unexpected end of file (expecting "then")'),
    ("if;", 'unexpected ";"'),
    ("fi", 'unexpected "fi"'),
    ("echo )", 'unexpected ")"'),
    ('echo "abc', "unterminated quoted string"),
    ("while true; do", 'unexpected end of file (expecting "done")'),
    ("for x in a b; echo; done", 'unexpected word (expecting "do")'),
    ("(true", 'unexpected end of file (expecting ")")'),
])
def test_syntax_errors(backend, script, message):
    p, out, err = sh(backend, script)
    assert (err, p.exit_code) == (f"sh: syntax error: {message}\n", 2)


def test_quoting_expansion_and_control_flow(backend):
    script = ("A='x  y'; echo $A \"$A\" ${B:-def} ${#A}; echo -e 'a\\tb'; echo 'a\\tb'; printf '%5s|%-3d|%x\\n' ab 4 255; "
              "for i in 1 2; do echo n$i; done; if [ -d /tmp ] && ! [ -f /tmp ]; then echo dir; else echo no; fi; "
              "true || echo never; false && echo never; x=$(echo hi; exit 3); echo $? $x $((1 + 2 * 3)); "
              "case abc in a*) echo A;; *) echo B;; esac; f() { echo in f $1; return 3; }; f z; echo $?; "
              "echo x | while read l; do echo got $l; done")
    p, out, err = sh(backend, script)
    assert err == ""
    assert out == ("x y x  y def 4\na\tb\na\\tb\n   ab|4  |ff\nn1\nn2\ndir\n3 hi 7\nA\nin f z\n3\ngot x\n")


def test_test_errors(backend):
    p, out, err = sh(backend, "[ 1 -eq a ]; echo $?; [ 1 = 1; echo $?; [ a b c ]; echo $?")
    assert out == "2\n2\n2\n"
    assert err == "sh: a: bad number\nsh: missing ]\nsh: b: unknown operand\n"


def test_writes_change_the_union_view(backend):
    p, out, err = sh(backend, "echo x > /tmp/new; echo y >> /etc/passwd; rm /etc/shadow; rm -r /var/www; "
                              "mkdir -p /a/b; touch /a/b/f")
    assert (p.exit_code, err) == (0, "")
    assert backend.get("c").changes() == [
        ("A", "/a"), ("A", "/a/b"), ("A", "/a/b/f"), ("C", "/etc"), ("C", "/etc/passwd"), ("D", "/etc/shadow"),
        ("C", "/tmp"), ("A", "/tmp/new"), ("C", "/var"), ("D", "/var/www")]
    # The recording's `docker start -a c1`: the same command again on the same layer.
    p, out, err = sh(backend, "echo x > /tmp/new; echo y >> /etc/passwd; rm /etc/shadow; rm -r /var/www; "
                              "mkdir -p /a/b; touch /a/b/f")
    assert err == ("rm: can't remove '/etc/shadow': No such file or directory\n"
                   "rm: can't remove '/var/www': No such file or directory\n")


def test_text_tools(backend):
    p, out, err = sh(backend, 'printf "a\\nb\\nc\\n" > /tmp/f; head -n 1 /tmp/f; tail -n1 /tmp/f; wc /tmp/f; '
                              'wc -l < /tmp/f; grep -n b /tmp/f; grep zz /tmp/f; echo $?; sed "s/b/B/" /tmp/f; seq 2 4; '
                              'head -c 100000 /dev/zero > /blob; wc -c /blob')
    assert err == ""
    assert out == "a\nc\n        3         3         6 /tmp/f\n3\n2:b\n1\na\nB\nc\n2\n3\n4\n100000 /blob\n"


def test_id_and_stat_match_build_recording(backend):
    p, out, err = sh(backend, 'touch /f; chown 33:33 /f; stat -c "%u:%g %a %n" /f; id', user="www-data")
    assert out.splitlines()[-1] == "uid=33(www-data) gid=33(www-data) groups=33(www-data)"
    p, out, err = sh(backend, 'touch /f; chown 33:33 /f; stat -c "%u:%g %a %n" /f; id')
    assert out == "33:33 644 /f\nuid=0(root) gid=0(root) groups=0(root),10(wheel)\n"


def test_ls_long_format(backend):
    p, out, err = sh(backend, "mkdir -p /opt/pkg/bin; printf 'readme\\n' > /opt/pkg/readme.txt; ls -ln /opt/pkg")
    # busybox: mode, links %4, owner and group %-8, size %9, date within six months as "Mon dd HH:MM"
    assert out == ("total 8\n"
                   "drwxr-xr-x    2 0        0             4096 Jan  1 12:00 bin\n"
                   "-rw-r--r--    1 0        0                7 Jan  1 12:00 readme.txt\n")


def test_blocking_processes_and_traps(backend):
    p, _, _ = sh(backend, "sleep 1000")
    assert (p.runs_for, p.handlers) == (1000.0, {})
    p = backend.run_process("c", ProcessSpec(("sleep", "infinity")))
    assert (p.runs_for, p.handlers) == (None, {})
    p, _, _ = sh(backend, 'trap "echo caught TERM; exit 143" TERM; while true; do sleep 0.1; done')
    assert (p.runs_for, p.handlers, p.signal_output) == (None, {"TERM": 143}, {"TERM": [(0.0, "stdout", "caught TERM\n")]})
    # ash runs a trap only after the foreground command ends: sleep infinity never does
    p, _, _ = sh(backend, 'trap "exit 3" TERM; sleep infinity')
    assert (p.runs_for, p.handlers) == (None, {})


def test_tail_dev_zero_eats_memory(backend):
    p = backend.run_process("c", ProcessSpec(("tail", "/dev/zero")))
    assert p.runs_for is None and p.memory > 1 << 40


def test_unsimulated_executable(backend):
    backend.get("c").write("/bin/tool", b"\x7fELF", mode=0o755)
    p, out, err = sh(backend, "tool")
    assert (err, p.exit_code) == ("/bin/tool: simulated program not available\n", 126)


def test_kill_builtin_on_the_shell_itself(backend):
    # tests/conformance/scenarios/exit-codes: as PID 1, `sh -c` exits 130 on SIGINT (ash
    # catches it when minusc is set) and ignores TERM and even KILL (kill returns 0).
    assert sh(backend, "kill -INT $$")[0].exit_code == 130
    p, out, _ = sh(backend, "kill -KILL $$; kill -s TERM $$; echo alive $?")
    assert (p.exit_code, out) == (0, "alive 0\n")
    # a trapped signal runs its trap at once
    p, out, _ = sh(backend, 'trap "echo trapped; exit 7" USR1; kill -USR1 $$; echo not here')
    assert (p.exit_code, out) == (7, "trapped\n")


def test_a_trap_that_returns_is_a_handler_that_goes_on(backend):
    # tests/conformance/scenarios/kill-signals: `docker kill -s USR1` prints the trap's
    # output and the container keeps running.
    p, _, _ = sh(backend, 'trap "echo got USR1" USR1; while true; do sleep 0.1; done')
    assert (p.runs_for, p.handlers, p.signal_output) == (
        None, {"USR1": None}, {"USR1": [(0.0, "stdout", "got USR1\n")]})
