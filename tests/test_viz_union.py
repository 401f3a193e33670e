"""The union view of a crowded directory: at most `limit` names drawn (the highlighted one, the
whiteouts, the writable layer's entries, then neighbours in name order) and one "… and N more
from layer k" node per layer for the rest. Worked out by hand on a twelve-name directory."""

from __future__ import annotations

import pytest

from simulator.engine.containers import CreateOptions
from simulator.engine.engine import Engine
from simulator.model.layer import Layer, directory, file
from simulator.model.reference import parse
from simulator.viz import union_listing, union_view
from simulator.viz.text import text
from simulator.viz.union import LIMIT, visible
from viz_world import image

# layer 1: /data/a ... /data/j; layer 2: /data/k. Container w1: new /data/z, deletes /data/b
# (whiteout), appends to /data/f (copy-up). In name order:
#   index  0 1 2 3 4 5 6 7 8 9 10 11
#   name   a b c d e f g h i j k  z
#   from   1 w 1 1 1 w 1 1 1 1 2  w      (w: the writable layer)
LOWER = Layer.of({"/data": directory(), **{f"/data/{n}": file(n) for n in "abcdefghij"}})
UPPER = Layer.of({"/data/k": file("k")})


@pytest.fixture(scope="module")
def crowded():
    engine = Engine()
    demo = image([LOWER, UPPER], ["/bin/sh -c #(nop) ADD file:data in / ", "/bin/sh -c echo k > /data/k"],
                 "2024-01-01T00:00:00Z")
    for layer in (LOWER, UPPER):
        engine.images.add_layer(layer)
    engine.images.add_image(demo)
    engine.images.tag(parse("crowd:1"), demo.id)
    c = engine.containers.create("crowd:1", CreateOptions(name="w1"))
    fs = engine.backend.get(c.id)
    fs.write("/data/z", b"new\n")
    fs.remove("/data/b")
    fs.write("/data/f", b"+\n", append=True)
    return engine


def nodes(d, kind):
    return [(n, a["label"]) for n, a in d.graph.nodes(data=True) if a["kind"] == kind]


def test_listing_is_the_twelve_names(crowded):
    rows = union_listing(crowded, "w1", "/data")
    assert [(r.name, r.source, r.status) for r in rows] == [
        ("a", 1, "lower"), ("b", "writable", "whiteout"), ("c", 1, "lower"), ("d", 1, "lower"),
        ("e", 1, "lower"), ("f", "writable", "copied-up"), ("g", 1, "lower"), ("h", 1, "lower"),
        ("i", 1, "lower"), ("j", 1, "lower"), ("k", 2, "lower"), ("z", "writable", "new")]


def test_highlighted_copy_up_with_a_limit_of_six(crowded):
    d = union_view(crowded, "w1", "/data", highlight="/data/f", limit=6)
    # f (highlighted), b (whiteout), z (writable), then by distance from f: e and g (1), d (2, the
    # earlier of d and h). Left out: a c h i j from layer 1, k from layer 2.
    assert [n for n, _ in nodes(d, "entry")] == ["f1", "f3", "f4", "f5", "f6", "f11"]
    assert [a["name"] for n, a in d.graph.nodes(data=True) if a["kind"] == "entry"] == list("bdefgz")
    assert nodes(d, "more") == [("more_layer2", "… and 1 more from layer 2"),
                                ("more_layer1", "… and 5 more from layer 1")]
    assert d.graph.nodes["more_layer1"]["count"] == 5 and d.graph.nodes["more_layer2"]["source"] == 2
    assert ("more_layer1", "layer1") in d.graph.edges and ("more_layer2", "layer2") in d.graph.edges
    assert 'more_layer1 -> layer1 [style=dotted]' in d.dot
    assert 'label="/data in container w1\\n6 of 12 names shown"' in d.dot
    assert [n for n, a in d.graph.nodes(data=True) if a["highlight"]] == ["f5"]
    assert text(d).splitlines() == [
        "  b                    writable layer   whiteout",
        "  d                    layer 1          lower",
        "  e                    layer 1          lower",
        "* f                    writable layer   copied-up from layer 1",
        "  g                    layer 1          lower",
        "  z                    writable layer   new",
        "  … and 1 more from layer 2",
        "  … and 5 more from layer 1"]


def test_without_highlight_the_first_names_fill_up(crowded):
    d = union_view(crowded, "w1", "/data", limit=6)
    # b (whiteout), f and z (writable), then a, c, d: the nearest to the first name
    assert [a["name"] for _, a in d.graph.nodes(data=True) if a["kind"] == "entry"] == list("abcdfz")
    assert nodes(d, "more") == [("more_layer2", "… and 1 more from layer 2"),
                                ("more_layer1", "… and 5 more from layer 1")]


def test_writable_entries_are_counted_too_when_even_they_do_not_fit(crowded):
    d = union_view(crowded, "w1", "/data", highlight="/data/f", limit=2)
    assert [a["name"] for _, a in d.graph.nodes(data=True) if a["kind"] == "entry"] == ["b", "f"]
    assert nodes(d, "more") == [("more_rw", "… and 1 more from the writable layer"),
                                ("more_layer2", "… and 1 more from layer 2"),
                                ("more_layer1", "… and 8 more from layer 1")]


def test_a_listing_that_fits_is_drawn_whole(crowded):
    whole = union_view(crowded, "w1", "/data", highlight="/data/f", limit=12)
    assert len(nodes(whole, "entry")) == 12 and nodes(whole, "more") == []
    assert 'label="/data in container w1"' in whole.dot and "names shown" not in whole.dot
    assert whole.dot == union_view(crowded, "w1", "/data", highlight="/data/f").dot   # 12 <= LIMIT
    assert LIMIT == 25


def test_visible_prefers_whiteouts_and_opaque_dirs_then_neighbours():
    from simulator.viz.union import UnionEntry
    rows = [UnionEntry("a", "file", 1, 1, "lower"), UnionEntry("b", "dir", 0, "writable", "opaque", 1),
            UnionEntry("c", "file", 1, 1, "lower"), UnionEntry("d", "whiteout", 0, 2, "whiteout", 1),
            UnionEntry("e", "file", 1, 1, "lower"), UnionEntry("f", "file", 1, 1, "lower")]
    assert visible(rows, "e", 3) == [1, 3, 4]            # e, then the opaque b and the whiteout d
    assert visible(rows, "e", 4) == [1, 3, 4, 5]          # then f: after e, distance 1 as d, taken
    assert visible(rows, None, 3) == [0, 1, 3]            # no highlight: a, the first name
    assert visible(rows, "e", 6) == visible(rows, "e") == [0, 1, 2, 3, 4, 5]
