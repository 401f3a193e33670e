"""Tar headers as Go 1.19's `archive/tar` Writer writes them for moby's archives.

moby (`pkg/archive` FileInfoHeader) asks for `tar.FormatPAX`, which Go writes as plain USTAR
whenever the header fits it and as PAX otherwise (Writer.WriteHeader, `allowedFormats`):

- USTAR: numbers in octal with leading zeros and a NUL (`0100644\\0`; mode keeps Go's file
  type bits, c_ISREG and friends), the checksum as six digits, NUL, space; magic
  `ustar\\0` + `00`; devmajor/devminor `0000000\\0`; a name longer than 100 bytes split at
  the last `/` that leaves a prefix of at most 155 bytes (splitUSTARPath).
- PAX, when a name or link target is longer than USTAR holds (or not ASCII), a user or
  group name longer than 32 bytes (or not ASCII), or a number does not fit its octal field:
  first a `x` header named `<dir>/PaxHeaders.0/<base>` (non-ASCII dropped, at most 100
  bytes, no trailing `/`; mode, owner and mtime 0; no device numbers) whose data is the
  records `"<len> <key>=<value>\\n"` sorted by key, then the main header with its fields
  cut to fit (non-ASCII dropped, numbers that do not fit written as 0).
- The archive ends with two zero blocks and no record padding (Writer.Close).

    header_blocks(Header("etc/", TYPE_DIR, DIR | 0o755, mtime=1700000000, uname="root",
                         gname="root"))   # -> 512 bytes
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

BLOCK = 512
TYPE_REG, TYPE_LINK, TYPE_SYMLINK, TYPE_DIR, TYPE_FIFO = b"0", b"1", b"2", b"5", b"6"
# Go's c_IS* mode bits, which tar.FileInfoHeader (and moby's fillGo18FileTypeBits) put in Mode.
REG, DIR, SYMLINK, FIFO = 0o100000, 0o40000, 0o120000, 0o10000


@dataclass(frozen=True)
class Header:
    """One member. name: as it goes in the archive (a directory's ends in `/`); mode: the
    permission and setuid/setgid/sticky bits with Go's type bits; mtime: whole seconds."""

    name: str
    typeflag: bytes
    mode: int
    uid: int = 0
    gid: int = 0
    size: int = 0
    mtime: int = 0
    linkname: str = ""
    uname: str = ""
    gname: str = ""


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _is_ascii(raw: bytes) -> bool:
    return all(0 < b < 0x80 for b in raw)


def _to_ascii(raw: bytes) -> bytes:
    return bytes(b for b in raw if 0 < b < 0x80)


def _fits_octal(width: int, value: int) -> bool:
    return 0 <= value < 1 << 3 * (width - 1)


def _octal(width: int, value: int) -> bytes:
    """formatOctal: zero-padded, room left for a NUL; 0 when it does not fit."""
    digits = b"%o" % (value if _fits_octal(width, value) else 0)
    return digits.rjust(width - 1, b"0") + b"\0"


def _string(width: int, raw: bytes) -> bytes:
    """formatString: cut to the field, NUL-ended when shorter; a cut that ends in `/` gets a
    NUL after its last character that is not a `/` (so no reader takes it for a directory)."""
    if len(raw) > width:
        field = raw[:width]
        if field.endswith(b"/"):
            n = len(raw[:width - 1].rstrip(b"/"))
            field = field[:n] + b"\0" + field[n + 1:]
        return field
    return raw.ljust(width, b"\0")


def _split_ustar(raw: bytes) -> tuple[bytes, bytes] | None:
    """splitUSTARPath: (prefix, name) for a name longer than 100 bytes, or None."""
    if len(raw) <= 100 or not _is_ascii(raw):
        return None
    length = len(raw)
    if length > 156:
        length = 156
    elif raw[length - 1:length] == b"/":
        length -= 1
    i = raw[:length].rfind(b"/")
    if i <= 0 or len(raw) - i - 1 > 100 or len(raw) - i - 1 == 0 or i > 155:
        return None
    return raw[:i], raw[i + 1:]


def _block(name: bytes, mode: bytes, uid: bytes, gid: bytes, size: bytes, mtime: bytes, typeflag: bytes,
           linkname: bytes, uname: bytes, gname: bytes, devices: bytes, prefix: bytes) -> bytes:
    body = (name + mode + uid + gid + size + mtime + b" " * 8 + typeflag + linkname + b"ustar\x0000"
            + uname + gname + devices + prefix).ljust(BLOCK, b"\0")
    checksum = _octal(7, sum(body)) + b" "
    return body[:148] + checksum + body[156:]


def _pax_record(key: str, value: bytes) -> bytes:
    """formatPAXRecord: the length counts the whole record, itself included."""
    body = b" " + key.encode() + b"=" + value + b"\n"
    size = len(body) + len(str(len(body)))
    if len(str(size)) + len(body) != size:
        size = len(str(size)) + len(body)
    return str(size).encode() + body


def _pax_name(name: bytes) -> bytes:
    """path.Join(dir, "PaxHeaders.0", file) as writeRawFile stores it."""
    head, tail = posixpath.split(name.decode("utf-8", "surrogateescape"))
    joined = posixpath.normpath(posixpath.join(head, "PaxHeaders.0", tail))
    return _to_ascii(_bytes(joined))[:100].rstrip(b"/")


def header_blocks(h: Header) -> bytes:
    """The header blocks of `h` (a PAX extended header first when USTAR cannot hold it)."""
    name, linkname, uname, gname = _bytes(h.name), _bytes(h.linkname), _bytes(h.uname), _bytes(h.gname)
    records: dict[str, bytes] = {}
    ustar = True
    for key, raw, width in (("path", name, 100), ("linkpath", linkname, 100),
                            ("uname", uname, 32), ("gname", gname, 32)):
        if not _is_ascii(raw) or len(raw) > width:
            if not (key == "path" and _split_ustar(raw) is not None):
                ustar = False
            records[key] = raw
    for key, value, width in (("uid", h.uid, 8), ("gid", h.gid, 8), ("size", h.size, 12), ("mtime", h.mtime, 12)):
        if not _fits_octal(width, value):
            ustar = False
            records[key] = str(value).encode()
    devices = _octal(8, 0) * 2
    numbers = (_octal(8, h.mode), _octal(8, h.uid), _octal(8, h.gid), _octal(12, h.size), _octal(12, h.mtime))
    if ustar:
        split = _split_ustar(name)
        prefix, name = split if split is not None else (b"", name)
        return _block(_string(100, name), *numbers, h.typeflag, _string(100, linkname), _string(32, uname),
                      _string(32, gname), devices, _string(155, prefix))
    data = b"".join(_pax_record(key, records[key]) for key in sorted(records))
    extended = _block(_string(100, _pax_name(name)), _octal(8, 0), _octal(8, 0), _octal(8, 0),
                      _octal(12, len(data)), _octal(12, 0), b"x", bytes(100), bytes(32), bytes(32),
                      bytes(16), bytes(155))
    main = _block(_string(100, _to_ascii(name)), *numbers, h.typeflag, _string(100, _to_ascii(linkname)),
                  _string(32, _to_ascii(uname)), _string(32, _to_ascii(gname)), devices, bytes(155))
    return extended + data + bytes(-len(data) % BLOCK) + main


def padding(size: int) -> bytes:
    """The zero bytes that end a member's data of `size` bytes on a block boundary."""
    return bytes(-size % BLOCK)


END = bytes(2 * BLOCK)   # Writer.Close: two zero blocks, no record padding
