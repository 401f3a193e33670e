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


def _listing(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _container_tree(docker):
    assert docker("run --name box busybox sh -c 'mkdir -p /site/sub && echo a > /site/a && echo b > /site/sub/b'").exit == 0


def test_container_directory_contents_with_a_trailing_dot_into_an_existing_directory(docker, tmp_path):
    _container_tree(docker)
    (tmp_path / "out").mkdir()
    assert docker("cp box:/site/. out").exit == 0
    assert _listing(tmp_path / "out") == ["a", "sub", "sub/b"]
    assert (tmp_path / "out" / "sub" / "b").read_text() == "b\n"


def test_container_directory_into_an_existing_directory_and_contents_into_a_new_one(docker, tmp_path):
    _container_tree(docker)
    (tmp_path / "out").mkdir()
    assert docker("cp box:/site out").exit == 0
    assert docker("cp box:/site/. newdir").exit == 0
    assert _listing(tmp_path / "out") == ["site", "site/a", "site/sub", "site/sub/b"]
    assert _listing(tmp_path / "newdir") == ["a", "sub", "sub/b"]


def test_container_symlink_copied_as_a_link_unless_followed(docker, tmp_path):
    # docker cp reference: symlinks in SRC_PATH are not followed by default; -L follows them,
    # and so does a trailing `/.` (the link's directory is where the contents are read)
    _container_tree(docker)
    assert docker("commit box withlink").exit == 0
    assert docker("run --name linked withlink ln -s /site /link").exit == 0
    (tmp_path / "out").mkdir()
    assert docker("cp linked:/link out").exit == 0
    assert (tmp_path / "out" / "link").is_symlink()
    assert docker("cp -L linked:/link followed").exit == 0
    assert _listing(tmp_path / "followed") == ["a", "sub", "sub/b"]
    assert docker("cp linked:/link/. contents").exit == 0
    assert _listing(tmp_path / "contents") == ["a", "sub", "sub/b"]
