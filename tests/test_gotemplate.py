"""Go text/template semantics for docker's --format; expected values follow Go's documented
behaviour (text/template, fmt's %v, encoding/json) and docker/cli's templates.go functions."""

import pytest

from simulator.cli.formatter import FormatError, format_items, format_template, render_table, tabwrite
from simulator.cli.gotemplate import FormatterContext, Struct, TemplateError, go_json, go_print, parse

DATA = {
    "Config": {"Cmd": ["nginx", "-g", "daemon off;"], "Env": None, "Labels": {"team": "core", "app": "web"}},
    "Name": "/web",
    "Size": 1234567,
    "Ratio": 1234567.0,
    "State": Struct("*types.ContainerState", Status="running", Running=True, Pid=42),
    "Args": [],
}


def render(template, data=DATA):
    return parse(template).execute(data)


@pytest.mark.parametrize("template, expected", [
    ("{{.Name}}", "/web"),
    ("{{.Config.Cmd}}", "[nginx -g daemon off;]"),
    ("{{.Config.Labels}}", "map[app:web team:core]"),          # fmt sorts map keys
    ("{{.Config.Env}}", "<nil>"),
    ("{{.Args}}", "[]"),
    ("{{.State}}", "{running true 42}"),                      # a struct prints its fields in order
    ("{{.State.Running}}", "true"),
    ("{{.Size}}", "1234567"),
    ("{{.Ratio}}", "1.234567e+06"),                           # %v of a float64: %g, shortest
    ("{{.Missing}}", "<no value>"),                           # a map's missing key
    ("{{.Missing.Deeper}}", "<no value>"),
    ("{{json .Config.Cmd}}", '["nginx","-g","daemon off;"]'),
    ("{{json .Config.Labels}}", '{"app":"web","team":"core"}'),
    ("{{json .State}}", '{"Status":"running","Running":true,"Pid":42}'),
    ("{{json .Ratio}}", "1234567"),
    ("{{json .Config.Env}}", "null"),
    ('{{json "<&>"}}', '"<&>"'),                              # docker turns HTML escaping off
    ("{{.Config.Cmd | json}}", '["nginx","-g","daemon off;"]'),
    ('{{join .Config.Cmd ","}}', "nginx,-g,daemon off;"),
    ('{{split "a,b,c" ","}}', "[a b c]"),
    ('{{upper "abc"}} {{lower "ABC"}} {{title "hello world"}}', "ABC abc Hello World"),
    ('[{{pad "x" 2 1}}][{{pad "" 2 1}}]', "[  x ][]"),
    ('{{truncate "abcdef" 3}} {{truncate "ab" 3}}', "abc ab"),
    ('{{index .Config.Labels "team"}}', "core"),
    ('{{index .Config.Labels "nope"}}', "<nil>"),
    ("{{index .Config.Cmd 1}}", "-g"),
    ("{{len .Config.Cmd}} {{len .Name}}", "3 4"),
    ("{{println 1 2}}", "1 2\n"),
    ('{{print 1 2 "a" "b" 3}}', "1 2ab3"),                    # spaces only between non-strings
    ('{{printf "%s=%d" .Name .Size}}', "/web=1234567"),
    ('{{printf "%-6s|%5v|%q" "ab" 3 "x"}}', 'ab    |    3|"x"'),
    ('{{if eq .State.Status "running"}}up{{else}}down{{end}}', "up"),
    ('{{if ne .State.Pid 42}}a{{else if gt .State.Pid 40}}b{{else}}c{{end}}', "b"),
    ("{{if .Args}}yes{{else}}no{{end}}", "no"),
    ("{{if .Config.Env}}yes{{else}}no{{end}}", "no"),
    ("{{range .Config.Cmd}}<{{.}}>{{end}}", "<nginx><-g><daemon off;>"),
    ("{{range $i, $c := .Config.Cmd}}{{$i}}:{{$c}} {{end}}", "0:nginx 1:-g 2:daemon off; "),
    ("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "app=web;team=core;"),
    ("{{range .Args}}x{{else}}empty{{end}}", "empty"),
    ("{{with .State}}{{.Status}}{{end}}", "running"),
    ("{{with .Args}}x{{else}}none{{end}}", "none"),
    ("{{$n := .Name}}{{with .State}}{{$n}} {{.Pid}} {{$.Size}}{{end}}", "/web 42 1234567"),
    ("{{$x := 1}}{{$x = 2}}{{$x}}", "2"),
    ("a  {{- .Name -}}  b", "a/webb"),
    ("{{/* a comment */}}x", "x"),
    ("{{and 1 0}} {{and 1 2}} {{or 0 \"\"}} {{or 0 3}} {{not 0}}", "0 2  3 true"),
    ("{{lt 1 2}} {{le 2 2}} {{ge 1 2}} {{eq 1 2 3 1}}", "true true false true"),
    ("{{(index .Config.Cmd 0) | upper}}", "NGINX"),
    ('{{"a\\tb"}}', "a\tb"),
    ("{{`raw\\t`}}", "raw\\t"),
    ("{{.}}", go_print(DATA)),
])
def test_render(template, expected):
    assert render(template) == expected


@pytest.mark.parametrize("template, message", [
    ("{{.Nope", "template: :1: unclosed action"),
    ("{{nope}}", 'template: :1: function "nope" not defined'),
    ("{{if .X}}", "template: :1: unexpected EOF"),
    ("{{end}}", "template: :1: unexpected {{end}}"),
    ("{{$x}}", 'template: :1: undefined variable "$x"'),
    ('x\n{{"abc}}', "template: :2: unterminated quoted string"),
])
def test_parse_errors(template, message):
    with pytest.raises(TemplateError) as e:
        parse(template)
    assert str(e.value) == message


@pytest.mark.parametrize("template, message", [
    ("{{.State.Nope}}", 'template: :1:2: executing "" at <.State.Nope>: '
                        "can't evaluate field Nope in type *types.ContainerState"),
    ("{{.Config.Env.X}}", 'template: :1:2: executing "" at <.Config.Env.X>: '
                          "nil pointer evaluating interface {}.X"),
    ("{{.Name.X}}", 'template: :1:2: executing "" at <.Name.X>: can\'t evaluate field X in type string'),
    ("x\n {{index .Config.Cmd 5}}", 'template: :2:3: executing "" at <index .Config.Cmd 5>: '
                                    "error calling index: index out of range: 5"),
    ("{{eq .Size 1.0}}", 'template: :1:2: executing "" at <eq .Size 1.0>: '
                         "error calling eq: incompatible types for comparison"),
])
def test_execution_errors(template, message):
    with pytest.raises(TemplateError) as e:
        render(template)
    assert str(e.value) == message


def test_field_error_position_counts_from_line_start():
    # Go reports <line>:<byte offset in the line> of the failing field chain's start
    with pytest.raises(TemplateError) as e:
        render("{{.Name}} {{.State.Nope}}")
    assert str(e.value).startswith("template: :1:12: ")


class ContainerContext:
    """Stands for docker's formatter.ContainerContext: methods are the template's fields."""

    go_type = "*formatter.ContainerContext"

    def __init__(self, name, image):
        self._name, self._image = name, image

    def Names(self):
        return self._name

    def Image(self):
        return self._image

    def Label(self, key):
        return {"team": "core"}.get(key, "")

    def __go_json__(self):
        return {"Image": self._image, "Names": self._name}


HEADERS = {"Names": "NAMES", "Image": "IMAGE", "ID": "CONTAINER ID"}
ITEMS = [ContainerContext("fresh", "busybox"), ContainerContext("runner", "labelled")]


def test_methods_with_arguments_and_json_of_an_object():
    assert format_template('{{.Names}} {{.Label "team"}}', ITEMS[0]) == "fresh core"
    assert format_template("{{json .}}", ITEMS[0]) == '{"Image":"busybox","Names":"fresh"}'


def test_format_items_plain_replaces_backslash_t():
    assert format_items(r"{{.Names}}\t{{.Image}}", ITEMS, HEADERS) == "fresh\tbusybox\nrunner\tlabelled\n"


def test_format_items_table_has_header_and_tabwriter_alignment():
    # docker ps -a --format 'table {{.Names}}\t{{.Image}}' (real 20.10 output in ps-format scenario)
    assert format_items(r"table {{.Names}}\t{{.Image}}", ITEMS, HEADERS) == \
        "NAMES     IMAGE\nfresh     busybox\nrunner    labelled\n"
    # without tabs nothing is aligned
    assert format_items("table {{.Names}} {{upper .Image}}", ITEMS, HEADERS) == \
        "NAMES IMAGE\nfresh BUSYBOX\nrunner LABELLED\n"


def test_format_items_table_prints_header_without_items():
    assert format_items(r"table {{.Names}}\t{{.Image}}", [], HEADERS) == "NAMES     IMAGE\n"


def test_format_errors_carry_docker_prefixes():
    with pytest.raises(FormatError) as e:
        format_items("{{.Nope}}", ITEMS, HEADERS)
    assert str(e.value) == ('failed to execute template: template: :1:2: executing "" at <.Nope>: '
                            "can't evaluate field Nope in type *formatter.ContainerContext")
    with pytest.raises(FormatError) as e:
        format_items("{{.Nope", ITEMS, HEADERS)
    assert str(e.value) == "template parsing error: template: :1: unclosed action"


def test_tabwriter_minwidth_padding_and_trailing_cells():
    # minwidth 10, padding 3; the last cell of a line is never padded
    assert tabwrite("a\tbb\tc\nlonger-than-ten\tx\ty\n") == \
        "a" + " " * 17 + "bb" + " " * 8 + "c\n" + "longer-than-ten   " + "x" + " " * 9 + "y\n"
    # a column block ends at a line that lacks that column
    assert tabwrite("a\tb\nno tabs here\nccc\td\n") == "a         b\nno tabs here\nccc       d\n"
    # an empty cell is padded to the column width
    assert tabwrite("x\t\ty\n\t\tz\n") == "x" + " " * 19 + "y\n" + " " * 20 + "z\n"


def test_render_table_matches_docker_ps():
    # `docker ps -a` from the ps-format recording (docker 20.10.24)
    rows = [["ad7c79c0b89c", "busybox", '"echo a b c"', "Less than a second ago", "Created", "", "fresh"],
            ["8fac23ceda57", "labelled", '"sleep 1000"', "Less than a second ago", "Up Less than a second", "",
             "runner"]]
    assert render_table(rows, ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]) == (
        "CONTAINER ID   IMAGE      COMMAND        CREATED                  STATUS                  PORTS     NAMES\n"
        'ad7c79c0b89c   busybox    "echo a b c"   Less than a second ago   Created                           fresh\n'
        '8fac23ceda57   labelled   "sleep 1000"   Less than a second ago   Up Less than a second             runner\n')


@pytest.mark.parametrize("value, printed, encoded", [
    (None, "<nil>", "null"), (True, "true", "true"), (3, "3", "3"), (0.5, "0.5", "0.5"),
    (100.0, "100", "100"), (1e21, "1e+21", "1e+21"), (0.00001, "1e-05", "0.00001"), (1e-7, "1e-07", "1e-7"),
    ("é\n", "é\n", '"é\\n"'), ([1, "a"], "[1 a]", '[1,"a"]'), ({"b": 1, "a": [2]}, "map[a:[2] b:1]", '{"a":[2],"b":1}'),
])
def test_go_values(value, printed, encoded):
    assert go_print(value) == printed
    assert go_json(value) == encoded


def test_json_escapes_html_only_inside_a_marshal_json_result():
    # docker/cli templates.go: `json` encodes with SetEscapeHTML(false); formatter.MarshalJSON
    # (image/history/container rows) is json.Marshal, which writes < > & as \u003c \u003e \u0026
    assert format_template("{{json .}}", {"Cmd": ["a && b", "<none>"]}) == '{"Cmd":["a && b","<none>"]}'
    row = FormatterContext("*formatter.imageContext", {"Tag": "<none>", "Digest": "a&b"})
    assert format_template("{{json .}}", row) == '{"Digest":"a\\u0026b","Tag":"\\u003cnone\\u003e"}'
    assert format_template("{{json .Tag}}", row) == '"<none>"'
    assert go_json(ContainerContext("x", "<none>")) == '{"Image":"\\u003cnone\\u003e","Names":"x"}'
