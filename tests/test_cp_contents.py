"""`docker cp` of a host directory, following the rules in Docker's `docker cp` reference:
SRC_PATH a directory not ending in `/.` and DEST_PATH an existing directory -> the source
directory is copied into it; SRC_PATH ending in `/.` -> its *contents* are copied into it;
DEST_PATH missing -> created as a directory holding the source's contents."""


def _tree(tmp_path):
    (tmp_path / "site" / "sub").mkdir(parents=True)
    (tmp_path / "site" / "a").write_text("a\n")
    (tmp_path / "site" / "sub" / "b").write_text("b\n")


def test_directory_contents_with_a_trailing_dot(docker, tmp_path):
    _tree(tmp_path)
    assert docker("create --name box busybox").exit == 0
    assert docker("cp site/. box:/tmp").exit == 0
    assert docker("cp site box:/tmp").exit == 0
    assert docker("cp site/. box:/newdir").exit == 0
    assert sorted(docker("diff box").out.splitlines()) == sorted([
        "A /newdir", "A /newdir/a", "A /newdir/sub", "A /newdir/sub/b",
        "C /tmp", "A /tmp/a", "A /tmp/sub", "A /tmp/sub/b",
        "A /tmp/site", "A /tmp/site/a", "A /tmp/site/sub", "A /tmp/site/sub/b",
    ])
