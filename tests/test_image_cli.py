"""Image commands' output, compared with the real Docker 20.10 recordings
(tests/conformance/scenarios/images-rmi, build-basics, ps-format, usage-errors)."""

import shlex

import pytest

import simulator.cli.commands.images  # noqa: F401  (registers the commands)
from image_world import World
from simulator.cli import app
from simulator.model.reference import parse


def docker(w, line):
    out = []
    rc = app.run(w, shlex.split(line), "/tmp", out.append, out.append)
    return "".join(out), rc


@pytest.fixture
def w():
    world = World()
    world.base()
    return world


def test_images_table_and_reference(w):
    for t in ("mybox", "mybox:v1", "example.com:5000/team/mybox:v2"):
        assert docker(w, f"tag busybox {t}") == ("", 0)
    text, rc = docker(w, "images")
    iid = w.images.lookup("busybox").id[7:19]
    assert text == (
        "REPOSITORY                    TAG       IMAGE ID       CREATED                  SIZE\n"
        f"busybox                       latest    {iid}   Less than a second ago   1.98MB\n"
        f"mybox                         latest    {iid}   Less than a second ago   1.98MB\n"
        f"mybox                         v1        {iid}   Less than a second ago   1.98MB\n"
        f"example.com:5000/team/mybox   v2        {iid}   Less than a second ago   1.98MB\n")
    assert docker(w, "images mybox")[0].splitlines()[1:] == [
        f"mybox        latest    {iid}   Less than a second ago   1.98MB",
        f"mybox        v1        {iid}   Less than a second ago   1.98MB"]


@pytest.mark.parametrize("target, reason", [
    ("Upper:1", "invalid reference format: repository name must be lowercase"),
    ("a:b:c", "invalid reference format"), ("bad tag", "invalid reference format"),
    ("mybox:-bad", "invalid reference format"), ("mybox:", "invalid reference format"),
])
def test_tag_invalid_target(w, target, reason):
    assert docker(w, f"tag busybox '{target}'") == (
        f'Error parsing reference: "{target}" is not a valid repository/tag: {reason}\n', 1)


def test_tag_and_rmi_errors(w):
    assert docker(w, "tag nosuch x") == ("Error response from daemon: No such image: nosuch:latest\n", 1)
    assert docker(w, "rmi nosuch") == ("Error: No such image: nosuch\n", 1)
    assert docker(w, "rmi -f nosuch") == ("Error: No such image: nosuch\n", 0)
    assert docker(w, "rmi UPPER") == (
        "Error response from daemon: invalid reference format: repository name must be lowercase\n", 1)
    text, rc = docker(w, "tag busybox")
    assert rc == 1 and text.startswith('"docker tag" requires exactly 2 arguments.\n')


def test_rmi_lines_and_prune_output(w):
    bb = w.images.lookup("busybox")
    one = w.build(bb, "one", "app")
    w.build(bb, "two", "app")
    assert docker(w, "images -f dangling=true")[0] == (
        "REPOSITORY   TAG       IMAGE ID       CREATED                  SIZE\n"
        f"<none>       <none>    {one.id[7:19]}   Less than a second ago   1.98MB\n")
    assert docker(w, "image prune -f") == (
        f"Deleted Images:\ndeleted: {one.id}\ndeleted: {one.chain_ids[-1]}\n\nTotal reclaimed space: 4B\n", 0)
    assert docker(w, "image prune -f") == ("Total reclaimed space: 0B\n", 0)
    assert docker(w, "image prune") == (
        "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "
        "Total reclaimed space: 0B\n", 0)
    two = w.images.lookup("app")
    assert docker(w, "rmi app") == (f"Untagged: app:latest\nDeleted: {two.id}\nDeleted: {two.chain_ids[-1]}\n", 0)


def test_empty_images_prints_the_header(w):
    docker(w, "rmi busybox")
    assert docker(w, "images -a") == ("REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n", 0)


def test_history_table(w):
    bb = w.images.lookup("busybox")
    top = w.child(bb, '/bin/sh -c #(nop)  CMD ["cat" "/app/hello.txt"]')
    w.images.tag(parse("app"), top.id)
    text, rc = docker(w, "history app")
    assert text == (
        "IMAGE          CREATED                  CREATED BY                                      SIZE      COMMENT\n"
        f"{top.id[7:19]}   Less than a second ago   /bin/sh -c #(nop)  CMD [\"cat\" \"/app/hello.tx…   0B        \n"
        f"{bb.id[7:19]}   Less than a second ago                                                   1.98MB    "
        "Imported from -\n")
    assert docker(w, "history -q app")[0] == f"{top.id[7:19]}\n{bb.id[7:19]}\n"
    assert docker(w, "history --format '{{.CreatedBy}} | {{.Size}}' busybox")[0] == " | 1.98MB\n"
    assert docker(w, "history --format 'table {{.Size}}\\t{{.Comment}}' busybox")[0] == (
        "SIZE      COMMENT\n1.98MB    Imported from -\n")
    assert docker(w, "history --no-trunc -q busybox")[0] == bb.id + "\n"


def test_images_formats(w):
    assert docker(w, "images --format '{{.Repository}}:{{.Tag}} {{.Size}}'")[0] == "busybox:latest 1.98MB\n"
    assert docker(w, "images --format 'table {{.Repository}}\\t{{.Tag}}'")[0] == (
        "REPOSITORY   TAG\nbusybox      latest\n")
    text = docker(w, "images --format '{{json .}}' busybox")[0]
    assert text.startswith('{"Containers":"N/A","CreatedAt":"2026-01-01 12:00:00 +0000 UTC",')
    assert '"SharedSize":"N/A","Size":"1.98MB","Tag":"latest","UniqueSize":"N/A","VirtualSize":"1.983MB"}' in text
    # ps-format recording: the row's MarshalJSON is json.Marshal's, so `<none>` is HTML escaped
    assert '"Digest":"\\u003cnone\\u003e",' in text
    # historyContext's MarshalJSON too: keys sorted (formatter.MarshalJSON builds a map)
    assert docker(w, "history --format '{{json .}}' busybox")[0].startswith('{"Comment":"Imported from -",')


def test_image_inspect(w):
    assert docker(w, "image inspect --format '{{.Id}}' nosuch") == ("\nError: No such image: nosuch\n", 1)
    assert docker(w, "image inspect nosuch") == ("[]\nError: No such image: nosuch\n", 1)
    text, rc = docker(w, "image inspect busybox")
    assert rc == 0 and text.startswith('[\n    {\n        "Id": "sha256:') and text.endswith("    }\n]\n")
    assert docker(w, "image inspect -f '{{.Config.Cmd}} {{json .Config.Cmd}}' busybox")[0] == '[sh] ["sh"]\n'
    assert docker(w, "image inspect --format '{{.Nope' busybox") == (
        "template parsing error: template: :1: unclosed action\n", 64)


def test_image_inspect_template_sees_every_config_field(w):
    # build-metadata recording: nil map / slice fields print `map[]` / `[]`, even the fields
    # the JSON omits when empty (Shell), while `json` of a nil one is null.
    assert docker(w, "image inspect --format '{{.Config.WorkingDir}}|{{.Config.Volumes}}|{{.Config.Shell}}' busybox") \
        == ("|map[]|[]\n", 0)
    assert docker(w, "image inspect --format '{{json .Config.Volumes}} {{json .Config.Shell}} "
                     "{{len .Config.ExposedPorts}}' busybox") == ("null null 0\n", 0)
    assert '"Shell"' not in docker(w, "image inspect --format '{{json .Config}}' busybox")[0]
