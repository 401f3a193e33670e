"""Go's encoding/json errors and time parsing, as `docker load` prints them.

Each expected message is what Docker 20.10 (Go 1.19) printed for the same manifest or config
in an archive loaded on a real engine (tests/test_load_conformance.py runs some of them there).
"""

import pytest

from simulator.model.gojson import (BOOL, STR_SLICE, TIME, GoJSONError, List, Map, Str, Struct, decode,
                                    field_value, go_time_error)

MANIFEST = List("[]tarexport.manifestItem", elem=Struct("tarexport.manifestItem", name="manifestItem", fields={
    "Config": Str(), "RepoTags": List("[]string", elem=Str()), "Layers": List("[]string", elem=Str())}))
CONFIG = Struct("image.Image", name="Image", fields={
    "os": Str(), "created": TIME,
    "config": Struct("container.Config", name="Config", fields={
        "Env": List("[]string", elem=Str()), "Cmd": STR_SLICE,
        "ExposedPorts": Map("nat.PortSet", elem=Struct("struct {}", name="", fields={})),
        "Labels": Map("map[string]string", elem=Str())}),
    "rootfs": Struct("image.RootFS", name="RootFS", fields={
        "diff_ids": List("[]layer.DiffID", elem=Str("layer.DiffID"))}),
    "history": List("[]image.History", elem=Struct("image.History", name="History", fields={
        "created_by": Str(), "empty_layer": BOOL}))})


@pytest.mark.parametrize("text, message", [
    (b"{nope", "invalid character 'n' looking for beginning of object key string"),
    (b'[{"Config": 5', "unexpected EOF"),
    (b"", "EOF"),
    (b"[tru]", "invalid character ']' in literal true (expecting 'e')"),
    (b"[-x]", "invalid character 'x' in numeric literal"),
    (b'"x"', "json: cannot unmarshal string into Go value of type []tarexport.manifestItem"),
    (b"[5]", "json: cannot unmarshal number into Go value of type tarexport.manifestItem"),
    (b'  [ {  "Config" : 5 } ]', "json: cannot unmarshal number into Go struct field manifestItem.Config of type string"),
    (b'[{"RepoTags": "a"}]', "json: cannot unmarshal string into Go struct field manifestItem.RepoTags of type []string"),
    (b'[{"RepoTags": [5]}]', "json: cannot unmarshal number into Go struct field manifestItem.RepoTags of type string"),
    (b'[{"Layers": {}}]', "json: cannot unmarshal object into Go struct field manifestItem.Layers of type []string"),
])
def test_manifest_errors_as_a_decoder_gives_them(text, message):
    with pytest.raises(GoJSONError) as err:
        decode(text, MANIFEST, stream=True)
    assert str(err.value) == message


def test_decoder_reads_one_value_and_matches_keys_without_case():
    assert decode(b"[] x", MANIFEST, stream=True) == []
    assert decode(b"null", MANIFEST, stream=True) is None
    items = decode(b'[{"config": "a.json", "CONFIG": "b.json"}]', MANIFEST, stream=True)
    assert field_value(items[0], "Config") == "b.json"       # the last matching key wins


@pytest.mark.parametrize("text, message", [
    (b'{"rootfs":', "unexpected end of JSON input"),
    (b'{"rootfs":{}} x', "invalid character 'x' after top-level value"),
    (b'{"rootfs":NaN}', "invalid character 'N' looking for beginning of value"),
    (b"\xef\xbb\xbf{}", "invalid character '\u00ef' looking for beginning of value"),
    (b'{"a":"\x01"}', "invalid character '\\x01' in string literal"),
    (b'{"a":"\\x"}', "invalid character 'x' in string escape code"),
    (b'{"config": {"Env": "x"}}', "json: cannot unmarshal string into Go struct field Config.config.Env of type []string"),
    (b'{"rootfs": []}', "json: cannot unmarshal array into Go struct field Image.rootfs of type image.RootFS"),
    (b'{"rootfs": {"diff_ids": "x"}}',
     "json: cannot unmarshal string into Go struct field RootFS.rootfs.diff_ids of type []layer.DiffID"),
    (b'{"rootfs": {"diff_ids": [5]}}',
     "json: cannot unmarshal number into Go struct field RootFS.rootfs.diff_ids of type layer.DiffID"),
    (b'{"history": {}}', "json: cannot unmarshal object into Go struct field Image.history of type []image.History"),
    (b'{"history": [{"created_by": 5}]}',
     "json: cannot unmarshal number into Go struct field History.history.created_by of type string"),
    (b'{"history": [{"empty_layer": "yes"}]}',
     "json: cannot unmarshal string into Go struct field History.history.empty_layer of type bool"),
    (b'{"config": {"Labels": ["a"]}}',
     "json: cannot unmarshal array into Go struct field Config.config.Labels of type map[string]string"),
    (b'{"config": {"ExposedPorts": {"80/tcp": 1}}}',
     "json: cannot unmarshal number into Go struct field Config.config.ExposedPorts of type struct {}"),
    (b'{"os": 5}', "json: cannot unmarshal number into Go struct field Image.os of type string"),
    (b'{"created": 5}', 'parsing time "5" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "5" as "\\""'),
    # a type's own decoder fails at once, after a type error Go has only noted
    (b'{"os": 5, "created": "x"}',
     'parsing time "\\"x\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "x\\"" as "2006"'),
])
def test_config_errors_as_unmarshal_gives_them(text, message):
    with pytest.raises(GoJSONError) as err:
        decode(text, CONFIG, stream=False)
    assert str(err.value) == message


def test_strslice_takes_a_string_or_a_list():
    assert decode(b'{"config": {"Cmd": "echo hi"}}', CONFIG)["config"]["Cmd"] == "echo hi"
    assert decode(b'{"config": {"Cmd": ["a", "b"]}}', CONFIG)["config"]["Cmd"] == ["a", "b"]


@pytest.mark.parametrize("raw, message", [
    ('"2020-09-13T12:26:40Z"', ""),
    ('"2020-09-13T12:26:40.123456789+02:00"', ""),
    ("null", ""),
    ('"garbage"', 'parsing time "\\"garbage\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "garbage\\"" as "2006"'),
    ('"2020-13-01T00:00:00Z"', 'parsing time "\\"2020-13-01T00:00:00Z\\"": month out of range'),
    ('"2021-02-29T00:00:00Z"', 'parsing time "\\"2021-02-29T00:00:00Z\\"": day out of range'),
    ('"2020-02-29T00:00:00Z"', ""),
    ('"2020-09-13T12:26:40Zx"', 'parsing time "\\"2020-09-13T12:26:40Zx\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": '
                                'cannot parse "x\\"" as "\\""'),
])
def test_time_as_time_unmarshal_parses_it(raw, message):
    assert go_time_error(raw) == message
