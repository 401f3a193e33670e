"""Tar headers as Go 1.19's archive/tar writes them for moby (model/gotar.py).

The expected blocks are laid out field by field from the POSIX ustar layout, with the
values a Docker 20.10.24 engine wrote for `docker cp CONTAINER:PATH -` (recorded from a real
engine): octal fields zero-padded with a NUL, the mode with Go's type bits, devmajor and
devminor `0000000\\0`, and PAX headers named `<dir>/PaxHeaders.0/<base>`.
"""

from __future__ import annotations

import io
import tarfile

from simulator.model import gotar

MTIME = 1795975162                     # what the recorded engine stamped: 0o15303063772


def _field(text: bytes, width: int) -> bytes:
    return text + bytes(width - len(text))


def _ustar(name: bytes, mode: bytes, uid: bytes, gid: bytes, size: bytes, mtime: bytes, typeflag: bytes,
           uname: bytes, gname: bytes, linkname: bytes = b"", prefix: bytes = b"",
           devices: bytes = b"0000000\x000000000\x00") -> bytes:
    """A ustar block, its checksum worked out here: the sum of its bytes with the checksum
    field as eight spaces, written as six octal digits, NUL, space."""
    body = (_field(name, 100) + mode + uid + gid + size + mtime + b" " * 8 + typeflag + _field(linkname, 100)
            + b"ustar\x0000" + _field(uname, 32) + _field(gname, 32) + _field(devices, 16) + _field(prefix, 155))
    body += bytes(512 - len(body))
    checksum = b"%06o\x00 " % sum(body)
    return body[:148] + checksum + body[156:]


def test_a_directory_is_one_ustar_block_with_the_type_bits_in_its_mode():
    block = gotar.header_blocks(gotar.Header("d/", gotar.TYPE_DIR, gotar.DIR | 0o755, mtime=MTIME,
                                             uname="root", gname="root"))
    assert block == _ustar(b"d/", b"0040755\x00", b"0000000\x00", b"0000000\x00", b"00000000000\x00",
                           b"15303063772\x00", b"5", b"root", b"root")
    assert block[148:156] == b"011311\x00 "   # the checksum the engine wrote for this header


def test_files_links_and_owners_without_names():
    regular = gotar.header_blocks(gotar.Header("d/f", gotar.TYPE_REG, gotar.REG | 0o640, size=6, mtime=MTIME,
                                               uname="root", gname="root"))
    assert regular[100:108] == b"0100640\x00" and regular[124:136] == b"00000000006\x00"
    link = gotar.header_blocks(gotar.Header("d/l", gotar.TYPE_SYMLINK, gotar.SYMLINK | 0o777, linkname="f",
                                            mtime=MTIME, uname="root", gname="root"))
    assert link == _ustar(b"d/l", b"0120777\x00", b"0000000\x00", b"0000000\x00", b"00000000000\x00",
                          b"15303063772\x00", b"2", b"root", b"root", linkname=b"f")
    # uid 5 has no name in busybox's /etc/passwd; gid 6 is `disk` in its /etc/group
    owned = gotar.header_blocks(gotar.Header("d/sub/g", gotar.TYPE_REG, gotar.REG | 0o644, uid=5, gid=6, size=2,
                                             mtime=MTIME, gname="disk"))
    assert owned[108:124] == b"0000005\x000000006\x00"
    assert owned[265:297] == bytes(32) and owned[297:329] == _field(b"disk", 32)


def test_a_long_name_is_split_into_prefix_and_name_when_ustar_can():
    prefix = "p/" + "a" * 94
    block = gotar.header_blocks(gotar.Header(prefix + "/" + "b" * 23, gotar.TYPE_REG, gotar.REG | 0o644, size=2,
                                             mtime=MTIME, uname="root", gname="root"))
    assert len(block) == 512
    assert block[:100] == _field(b"b" * 23, 100)
    assert block[345:500] == _field(prefix.encode(), 155)


def test_a_name_ustar_cannot_hold_goes_in_a_pax_record():
    name = "p/" + "c" * 110            # one component longer than 100 bytes: no split
    blocks = gotar.header_blocks(gotar.Header(name, gotar.TYPE_REG, gotar.REG | 0o644, size=2, mtime=MTIME,
                                              uname="root", gname="root"))
    record = b"122 path=" + name.encode() + b"\n"     # 122 counts the whole record
    assert len(record) == 122
    extended = _ustar(("p/PaxHeaders.0/" + "c" * 85).encode(), b"0000000\x00", b"0000000\x00", b"0000000\x00",
                      b"%011o\x00" % len(record), b"00000000000\x00", b"x", b"", b"", devices=b"")
    assert blocks[:512] == extended
    assert blocks[512:1024] == record + bytes(512 - len(record))
    assert blocks[1024:] == _ustar(name[:100].encode(), b"0100644\x00", b"0000000\x00", b"0000000\x00",
                                   b"00000000002\x00", b"15303063772\x00", b"0", b"root", b"root")


def test_non_ascii_names_and_big_ids():
    blocks = gotar.header_blocks(gotar.Header("p/é", gotar.TYPE_REG, gotar.REG | 0o644, uid=70000, gid=70000,
                                              size=2, mtime=MTIME))
    record = "13 path=p/é\n".encode()
    assert len(record) == 13
    assert blocks[:100] == _field(b"p/PaxHeaders.0", 100)   # the header's own name: ASCII, no slash at the end
    assert blocks[512:512 + len(record)] == record
    main = blocks[1024:]
    assert main[:100] == _field(b"p/", 100)                 # the non-ASCII character dropped
    assert main[108:124] == b"0210560\x000210560\x00"       # 70000 fits seven octal digits: no record


def test_a_number_that_does_not_fit_is_zero_in_the_header_and_exact_in_a_record():
    blocks = gotar.header_blocks(gotar.Header("f", gotar.TYPE_REG, gotar.REG | 0o644, uid=2 ** 21, mtime=MTIME))
    assert b"15 uid=2097152\n" in blocks[512:1024]
    assert blocks[1024 + 108:1024 + 116] == b"0000000\x00"


def test_the_archive_ends_with_two_zero_blocks_and_reads_back():
    data = b"hello\n"
    stream = (gotar.header_blocks(gotar.Header("d/", gotar.TYPE_DIR, gotar.DIR | 0o755, mtime=MTIME))
              + gotar.header_blocks(gotar.Header("d/" + "x" * 120, gotar.TYPE_REG, gotar.REG | 0o4755, size=6,
                                                 mtime=MTIME, uid=1000))
              + data + gotar.padding(len(data)) + gotar.END)
    # the directory; the PAX header, its record and the file's header; the data; the end
    assert gotar.END == bytes(1024) and len(stream) == 512 + 3 * 512 + 512 + 1024
    with tarfile.open(fileobj=io.BytesIO(stream)) as tar:
        members = tar.getmembers()
        assert [(m.name, m.mode & 0o7777, m.uid) for m in members] == [
            ("d", 0o755, 0), ("d/" + "x" * 120, 0o4755, 1000)]
        assert tar.extractfile(members[1]).read() == data
