"""Flag parsing as pflag (docker/cli 20.10) does it; error texts from the real docker 20.10 CLI."""

import pytest

from simulator.cli.flags import Flag, FlagError, HelpRequested, flag_usages, parse_flags

PS = [Flag("all", "a", bool, "Show all containers (default shows just running)"),
      Flag("filter", "f", list, "Filter output based on conditions provided", metavar="filter"),
      Flag("format", None, str, "Pretty-print containers using a Go template"),
      Flag("last", "n", int, "Show n last created containers (includes all states)", default=-1),
      Flag("latest", "l", bool, "Show the latest created container (includes all states)"),
      Flag("no-trunc", None, bool, "Don't truncate output"),
      Flag("quiet", "q", bool, "Only display container IDs"),
      Flag("size", "s", bool, "Display total file sizes")]


def parse(argv, flags=PS, interspersed=True):
    return parse_flags(flags, argv, interspersed)


def error(argv, flags=PS):
    with pytest.raises(FlagError) as e:
        parse(argv, flags)
    return str(e.value)


def test_defaults_by_type_and_attribute_names():
    opts, args = parse([])
    assert (opts.all, opts.filter, opts.format, opts.last, opts.no_trunc) == (False, [], None, -1, False)
    assert args == []


def test_long_short_combined_and_attached_values():
    opts, args = parse(["-aq", "--format={{.ID}}", "-n5", "-f", "status=exited", "--filter", "name=x"])
    assert opts.all and opts.quiet and opts.format == "{{.ID}}" and opts.last == 5
    assert opts.filter == ["status=exited", "name=x"]


def test_short_with_equals_and_separate_value():
    assert parse(["-n=3"])[0].last == 3
    assert parse(["-n", "-1"])[0].last == -1          # the next argument is the value, even with a dash
    assert parse(["--last", "7"])[0].last == 7


def test_bool_values():
    assert parse(["--all=false"])[0].all is False
    assert parse(["-a=true"])[0].all is True
    assert parse(["--all=1"])[0].all is True


def test_interspersed_and_terminator():
    assert parse(["x", "-a", "y"])[1] == ["x", "y"]
    assert parse(["-a", "--", "-q", "z"]) [1] == ["-q", "z"]
    assert parse(["-"])[1] == ["-"]


def test_not_interspersed_stops_at_first_positional():
    run = [Flag("detach", "d", bool, ""), Flag("tty", "t", bool, ""), Flag("name", None, str, "")]
    opts, args = parse(["-d", "--name", "web", "busybox", "sh", "-c", "echo -d"], run, interspersed=False)
    assert opts.detach and opts.name == "web"
    assert args == ["busybox", "sh", "-c", "echo -d"]


@pytest.mark.parametrize("argv, message", [
    (["--nope"], "unknown flag: --nope"),
    (["--nope=1"], "unknown flag: --nope"),
    (["-x"], "unknown shorthand flag: 'x' in -x"),
    (["-aqx"], "unknown shorthand flag: 'x' in -x"),
    (["--format"], "flag needs an argument: --format"),
    (["-f"], "flag needs an argument: 'f' in -f"),
    (["-n"], "flag needs an argument: 'n' in -n"),
    (["---x"], "bad flag syntax: ---x"),
    (["--a"], "unknown flag: --a"),
    (["--all=maybe"], 'invalid argument "maybe" for "-a, --all" flag: '
                      'strconv.ParseBool: parsing "maybe": invalid syntax'),
    (["-a=maybe"], 'invalid argument "maybe" for "-a, --all" flag: '
                   'strconv.ParseBool: parsing "maybe": invalid syntax'),
    (["-n", "5x"], 'invalid argument "5x" for "-n, --last" flag: '
                   'strconv.ParseInt: parsing "5x": invalid syntax'),
])
def test_errors_in_pflag_wording(argv, message):
    assert error(argv) == message


def test_int_syntax_is_go_base_0():
    assert parse(["-n", "0x10"])[0].last == 16
    assert parse(["-n", "010"])[0].last == 8
    assert parse(["-n", "+4"])[0].last == 4
    assert "invalid syntax" in error(["-n", "09"])
    assert error(["-n", "99999999999999999999"]).endswith(
        'strconv.ParseInt: parsing "99999999999999999999": value out of range')


def test_custom_parse_reports_its_reason():
    def rational(text):
        try:
            return float(text)
        except ValueError:
            raise ValueError("failed to parse %s as a rational number" % text) from None

    cpus = [Flag("cpus", None, str, "Number of CPUs", metavar="decimal", parse=rational)]
    assert parse(["--cpus", "1.5"], cpus)[0].cpus == 1.5
    assert error(["--cpus", "x"], cpus) == \
        'invalid argument "x" for "--cpus" flag: failed to parse x as a rational number'


def test_help_flags():
    with pytest.raises(HelpRequested) as e:
        parse(["-a", "--help"])
    assert not e.value.deprecated_h
    with pytest.raises(HelpRequested) as e:
        parse(["-h"])
    assert e.value.deprecated_h


def test_options_table_wraps_like_pflag():
    # `docker ps --help` of docker 20.10.24
    assert flag_usages(PS) == """\
  -a, --all             Show all containers (default shows just running)
  -f, --filter filter   Filter output based on conditions provided
      --format string   Pretty-print containers using a Go template
  -n, --last int        Show n last created containers (includes all
                        states) (default -1)
  -l, --latest          Show the latest created container (includes all
                        states)
      --no-trunc        Don't truncate output
  -q, --quiet           Only display container IDs
  -s, --size            Display total file sizes"""


def test_options_table_string_defaults_and_default_text():
    # `docker logs --help` and `docker volume create --help` of docker 20.10.24
    logs = [Flag("since", None, str, "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative "
                 "(e.g. 42m for 42 minutes)"),
            Flag("tail", "n", str, "Number of lines to show from the end of the logs", default="all"),
            Flag("timestamps", "t", bool, "Show timestamps")]
    assert flag_usages(logs) == """\
      --since string   Show logs since timestamp (e.g.
                       2013-01-02T13:23:37Z) or relative (e.g. 42m for 42
                       minutes)
  -n, --tail string    Number of lines to show from the end of the logs
                       (default "all")
  -t, --timestamps     Show timestamps"""
    create = [Flag("driver", "d", str, "Specify volume driver name", default="local"),
              Flag("label", None, list, "Set metadata for a volume"),
              Flag("opt", "o", list, "Set driver specific options", metavar="map", default_text="map[]")]
    assert flag_usages(create) == """\
  -d, --driver string   Specify volume driver name (default "local")
      --label list      Set metadata for a volume
  -o, --opt map         Set driver specific options (default map[])"""
