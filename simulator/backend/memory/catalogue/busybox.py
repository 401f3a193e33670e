"""`busybox:latest` as the conformance engines have it.

The real engines import the tar made by busybox-rootfs.sh, one of the shared tools beside the
repository (`../shared/tools/`), with `docker import --change 'CMD ["sh"]' OUT.tar busybox:latest`:
one layer holding Debian 12's static busybox 1.35.0 (1,982,256 bytes) at /bin/busybox, one hard
link per applet in /bin, the passwd/group/shadow files below and a few empty directories. The
same list is in the shared reference's busybox-files.txt (`../shared/reference/`), which the
tests compare with this layer entry by entry.
"""

from __future__ import annotations

from ....model.image import EMPTY_RUN_CONFIG, Image
from ....model.layer import Content, Entry, Kind, Layer, directory, file, hardlink

BUSYBOX_SIZE = 1982256

APPLETS = """
[ [[ acpid adjtimex ar arch arp arping ascii ash awk base64 basename bc blkdiscard blockdev
brctl bunzip2 bzcat bzip2 cal cat chgrp chmod chown chroot chvt clear cmp cp cpio crc32 crond
crontab cttyhack cut date dc dd deallocvt depmod devmem df diff dirname dmesg dnsdomainname
dos2unix dpkg dpkg-deb du dumpkmap dumpleases echo ed egrep env expand expr factor fallocate
false fatattr fdisk fgrep find findfs fold free freeramdisk fsfreeze fstrim ftpget ftpput
getopt getty grep groups gunzip gzip halt head hexdump hostid hostname httpd hwclock i2cdetect
i2cdump i2cget i2cset i2ctransfer id ifconfig ifdown ifup init insmod ionice ip ipcalc ipneigh
kill killall klogd last less link linux32 linux64 linuxrc ln loadfont loadkmap logger login
logname logread losetup ls lsmod lsscsi lzcat lzma lzop md5sum mdev microcom mim mkdir mkdosfs
mke2fs mkfifo mknod mkpasswd mkswap mktemp modinfo modprobe more mount mt mv nameif nc netstat
nl nologin nproc nsenter nslookup nuke od openvt partprobe passwd paste patch pidof ping ping6
pivot_root poweroff printf ps pwd rdate readlink realpath reboot renice reset resume rev rm
rmdir rmmod route rpm rpm2cpio run-init run-parts sed seq setkeycodes setpriv setsid sh sha1sum
sha256sum sha3sum sha512sum shred shuf sleep sort ssl_client start-stop-daemon stat strings
stty su sulogin svc svok swapoff swapon switch_root sync sysctl syslogd tac tail tar taskset tc
tee telnet telnetd test tftp time timeout top touch tr traceroute traceroute6 true truncate ts
tty tunctl ubirename udhcpc udhcpd uevent umount uname uncompress unexpand uniq unix2dos unlink
unlzma unshare unxz unzip uptime usleep uudecode uuencode vconfig vi w watch watchdog wc wget
which who whoami xargs xxd xz xzcat yes zcat
""".split()

PASSWD = """\
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
"""

GROUP = "".join(f"{line}\n" for line in """
root:x:0: daemon:x:1: bin:x:2: sys:x:3: adm:x:4: tty:x:5: disk:x:6: lp:x:7: mail:x:8: kmem:x:9:
wheel:x:10:root cdrom:x:11: dialout:x:18: floppy:x:19: video:x:28: audio:x:29: tape:x:32:
www-data:x:33: operator:x:37: utmp:x:43: plugdev:x:46: staff:x:50: lock:x:54: netdev:x:82:
users:x:100: nogroup:x:65534:
""".split())

SHADOW = "".join(f"{name}:*:10933:0:99999:7:::\n" for name in
                 "root daemon bin sys sync mail www-data operator nobody".split())

# directory -> (mode, uid, gid)
DIRECTORIES = {
    "/bin": (0o755, 0, 0), "/dev": (0o755, 0, 0), "/etc": (0o755, 0, 0),
    "/home": (0o755, 65534, 65534), "/lib": (0o755, 0, 0), "/proc": (0o755, 0, 0),
    "/root": (0o700, 0, 0), "/sys": (0o755, 0, 0), "/tmp": (0o1777, 0, 0), "/usr": (0o755, 0, 0),
    "/usr/sbin": (0o755, 1, 1), "/var": (0o755, 0, 0), "/var/spool": (0o755, 0, 0),
    "/var/spool/mail": (0o755, 8, 8), "/var/www": (0o755, 33, 33),
}


def layer(binary: Content | None = None) -> Layer:
    """The one layer of busybox:latest (the rootfs tar of busybox-rootfs.sh). `binary`: the
    real busybox executable (the Linux backend's); by default a synthetic stand-in of its size."""
    entries: dict[str, Entry] = {path: directory(*meta) for path, meta in DIRECTORIES.items()}
    entries["/bin/busybox"] = Entry(Kind.FILE, 0o755,
                                    content=binary or Content.synthetic(BUSYBOX_SIZE, "busybox"))
    for applet in APPLETS:
        entries[f"/bin/{applet}"] = hardlink("/bin/busybox")
    entries["/etc/passwd"] = file(PASSWD)
    entries["/etc/group"] = file(GROUP)
    entries["/etc/shadow"] = file(SHADOW, mode=0o600)
    return Layer.of(entries)


def imported(created: str, diff_id: str) -> Image:
    """The config `docker import --change 'CMD ["sh"]' - busybox:latest` writes at `created`
    (moby `daemon/images/image_import.go`): no Env, Cmd ["sh"], one history entry with
    only `created` and the comment `Imported from -`."""
    return Image.from_config({
        "architecture": "amd64",
        "comment": "Imported from -",
        "config": dict(EMPTY_RUN_CONFIG, Cmd=["sh"]),
        "container_config": dict(EMPTY_RUN_CONFIG),
        "created": created,
        "docker_version": "20.10.24+dfsg1",
        "history": [{"created": created, "comment": "Imported from -"}],
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    })
