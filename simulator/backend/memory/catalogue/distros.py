"""Distribution base layers: Alpine 3.19, Debian 10/11/12 and Ubuntu 22.04.

Each is the single `ADD file:... in /` layer of the official image, with the programs a
learner meets (shells, coreutils, the package manager), the account files, os-release, and
bulk files bringing the layer to the real image's size. Debian 12 and Ubuntu 22.04 are
merged-/usr systems (`/bin -> usr/bin`); Debian 10 and 11 keep /bin and /sbin. Every
Debian-family layer has `/var/run -> /run` and `/var/lock -> /run/lock` (`ls -l /var` in
the official images: /run replaced /var/run and /var/lock, the old paths stay as links).
"""

from __future__ import annotations

from functools import lru_cache

from ....model.layer import Layer, directory, symlink
from .recipe import dirs, files, layer, links, texts

ALPINE_APPLETS_BIN = """arch ash base64 bbconfig cat chgrp chmod chown cp date dd df dmesg dnsdomainname
dumpkmap echo ed egrep false fatattr fdflush fgrep fsync getopt grep gunzip gzip hostname ionice
iostat ipcalc kbd_mode kill link linux32 linux64 ln login ls lsattr lzop makemime mkdir mknod
mktemp more mount mountpoint mpstat mv netstat nice pidof ping ping6 pipe_progress printenv ps
pwd reformime rev rm rmdir run-parts sed setpriv setserial sh sleep stat stty su sync tar
touch true umount uname usleep watch zcat""".split()
ALPINE_APPLETS_USR_BIN = """[ [[ awk basename bc beep blkdiscard bunzip2 bzcat bzip2 cal chvt cksum clear cmp
comm cpio crontab cryptpw cut dc deallocvt diff dirname dos2unix du eject env expand expr
factor fallocate find flock fold free fuser getconf getent groups hd head hexdump hostid
iconv id install ipcrm ipcs killall last ldd less logger lsof lsusb lzcat lzma md5sum mesg
microcom mkfifo mkpasswd nc nl nmeter nohup nproc nsenter nslookup od openvt paste patch
pgrep pkill pmap printf pscan pstree pwdx readlink realpath renice reset resize seq setkeycodes
setsid sha1sum sha256sum sha3sum sha512sum showkey shred shuf sort split strings sum tac tail
tee test time timeout top tr traceroute truncate tty ttysize udhcpc6 unexpand uniq unlink
unlzma unlzop unshare unxz unzip uptime uudecode uuencode vi vlock volname wc wget which
whoami whois xargs xxd xzcat yes""".split()

ALPINE_PASSWD = """\
root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
adm:x:3:4:adm:/var/adm:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
operator:x:11:0:operator:/root:/sbin/nologin
man:x:13:15:man:/usr/man:/sbin/nologin
postmaster:x:14:12:postmaster:/var/mail:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
at:x:25:25:at:/var/spool/cron/atjobs:/sbin/nologin
squid:x:31:31:Squid:/var/cache/squid:/sbin/nologin
xfs:x:33:33:X Font Server:/etc/X11/fs:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
cyrus:x:85:12::/usr/cyrus:/sbin/nologin
vpopmail:x:89:89::/var/vpopmail:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
smmsp:x:209:209:smmsp:/var/spool/mqueue:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
"""

ALPINE_GROUP = "".join(f"{g}\n" for g in """root:x:0:root bin:x:1:root,bin,daemon daemon:x:2:root,bin,daemon
sys:x:3:root,bin,adm adm:x:4:root,adm,daemon tty:x:5: disk:x:6:root,adm lp:x:7:lp kmem:x:9:
wheel:x:10:root floppy:x:11:root mail:x:12:mail news:x:13:news uucp:x:14:uucp cron:x:16:cron
audio:x:18: cdrom:x:19: dialout:x:20:root ftp:x:21: sshd:x:22: input:x:23: tape:x:26:root
video:x:27:root netdev:x:28: kvm:x:34:kvm games:x:35: www-data:x:82: users:x:100:games
nogroup:x:65533: nobody:x:65534:""".split())


def os_release(name: str, pretty: str, ident: str, version_id: str, extra: str = "",
               home: str = "", support: str = "", bugs: str = "") -> str:
    lines = [f'PRETTY_NAME="{pretty}"', f'NAME="{name}"', f'VERSION_ID="{version_id}"']
    lines += extra.splitlines() + [f"ID={ident}"]
    lines += [f'HOME_URL="{home}"', f'SUPPORT_URL="{support}"', f'BUG_REPORT_URL="{bugs}"']
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=None)
def alpine() -> Layer:
    """alpine:3.19 (3.19.0): busybox with applet symlinks, musl, apk; 7.38MB."""
    applets = {f"/bin/{a}": "/bin/busybox" for a in ALPINE_APPLETS_BIN}
    applets.update({f"/usr/bin/{a}": "/bin/busybox" for a in ALPINE_APPLETS_USR_BIN})
    return layer(
        dirs("bin dev etc/apk/keys etc/apk/protected_paths.d home lib/apk/db media/cdrom mnt opt proc "
             "run sbin srv sys usr/bin usr/lib usr/local/bin usr/local/lib usr/local/share usr/sbin "
             "usr/share var/cache/apk var/empty var/lib var/local var/lock var/log var/mail var/opt "
             "var/spool var/tmp".split()),
        {"/root": directory(0o700), "/tmp": directory(0o1777)},
        files("""
            bin: busybox=808712
            sbin: apk=120824 ldconfig=393
            lib: ld-musl-x86_64.so.1=649424 libcrypto.so.3=4367792 libssl.so.3=609008 libz.so.1.3=100312
            usr/bin: scanelf=79264 ssl_client=14248"""),
        {path: symlink(target) for path, target in applets.items()},
        links("lib: libc.musl-x86_64.so.1->ld-musl-x86_64.so.1 libz.so.1->libz.so.1.3"),
        texts({
            "/etc/alpine-release": "3.19.0\n",
            "/etc/os-release": os_release(
                "Alpine Linux", "Alpine Linux v3.19", "alpine", "3.19.0",
                home="https://alpinelinux.org/", support="", bugs="https://gitlab.alpinelinux.org/alpine/aports/-/issues"),
            "/etc/hostname": "localhost\n",
            "/etc/passwd": ALPINE_PASSWD,
            "/etc/group": ALPINE_GROUP,
            "/etc/shells": "# valid login shells\n/bin/sh\n/bin/ash\n",
            "/etc/apk/repositories": "https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n"
                                     "https://dl-cdn.alpinelinux.org/alpine/v3.19/community\n",
            "/etc/apk/world": "alpine-baselayout\nalpine-keys\napk-tools\nbusybox\nlibc-utils\n",
            "/etc/apk/arch": "x86_64\n",
        }),
        size=7_378_270, bulk="/usr/share/apk", label="alpine")


# Programs of a Debian-family base image: those Debian keeps in /bin, then the rest.
DEB_BIN = """
    bin: bash=1265648 dash=125560 cat=44016 chgrp=72752 chmod=64448 chown=72752 cp=151152
    bin: date=109616 dd=76464 df=93552 echo=35120 false=35120 grep=203152 gzip=98136 hostname=22760
    bin: kill=30952 ln=68592 login=61344 ls=147176 mkdir=76432 mknod=68304 mktemp=35440 more=59632
    bin: mount=59704 mv=147208 pwd=39376 readlink=43504 rm=72624 rmdir=51856 run-parts=27280
    bin: sed=121288 sleep=35280 stty=76696 su=72000 sync=35376 tar=531984 touch=101104
    bin: true=35120 umount=39128 uname=35376 which=4959 zcat=1984 egrep=41 fgrep=41 gunzip=2346"""
DEB_USR_BIN = """
    usr/bin: [=51632 apt=18824 apt-cache=84392 apt-config=27016 apt-get=51648 apt-mark=51640
    usr/bin: awk=125416 basename=35440 cmp=51736 cut=43760 diff=146888 dirname=35408 dpkg=314488
    usr/bin: dpkg-deb=154096 dpkg-query=162168 du=109744 env=48400 expr=47984 find=224848
    usr/bin: getent=35560 groups=35400 head=43664 id=39760 md5sum=43728 nohup=35440 nproc=35440
    usr/bin: passwd=68248 perl=3925312 printf=55592 realpath=43576 seq=47856 sha256sum=47856
    usr/bin: sort=121552 stat=84528 tail=68656 tee=35440 test=47280 timeout=39856 tr=47600
    usr/bin: uniq=43792 wc=47824 whoami=35408 xargs=68560 yes=35440
    usr/sbin: adduser=37322 groupadd=88064 ldconfig=936664 useradd=150528 userdel=109080 usermod=134608
    usr/lib/x86_64-linux-gnu: libc.so.6=1922136 libm.so.6=907784 libstdc++.so.6=2190440
    usr/lib/x86_64-linux-gnu: libssl.so.3=667864 libcrypto.so.3=4709656 libz.so.1.2.13=121280"""

DEB_PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""

DEB_GROUP = "".join(f"{g}\n" for g in """root:x:0: daemon:x:1: bin:x:2: sys:x:3: adm:x:4: tty:x:5:
disk:x:6: lp:x:7: mail:x:8: news:x:9: uucp:x:10: man:x:12: proxy:x:13: kmem:x:15: dialout:x:20:
fax:x:21: voice:x:22: cdrom:x:24: floppy:x:25: tape:x:26: sudo:x:27: audio:x:29: dip:x:30:
www-data:x:33: backup:x:34: operator:x:37: list:x:38: irc:x:39: src:x:40: shadow:x:42: utmp:x:43:
video:x:44: sasl:x:45: plugdev:x:46: staff:x:50: games:x:60: users:x:100: nogroup:x:65534:""".split())


def debian_family(os_text: str, merged: bool, size: int, extra: dict[str, str] | None = None) -> Layer:
    """A Debian-style root filesystem layer; `merged` moves /bin, /sbin, /lib under /usr."""
    bin_table = DEB_BIN.replace("bin:", "usr/bin:") if merged else DEB_BIN
    tops = ("boot dev usr/lib64 etc/apt/sources.list.d etc/dpkg home media mnt opt proc run srv sys "
            "usr/games usr/include usr/local/bin usr/local/etc usr/local/games usr/local/include "
            "usr/local/lib usr/local/man usr/local/sbin usr/local/share usr/local/src usr/share/doc "
            "var/backups var/cache/apt var/lib/apt/lists var/lib/dpkg var/local var/log/apt var/mail "
            "var/opt var/spool").split()
    return layer(
        dirs(tops),
        {"/root": directory(0o700), "/tmp": directory(0o1777), "/var/tmp": directory(0o1777),
         "/run/lock": directory(0o1777)},
        files(bin_table + DEB_USR_BIN),
        links("usr/bin: sh->dash" if merged else "bin: sh->dash"),
        links("/: bin->usr/bin sbin->usr/sbin lib->usr/lib lib64->usr/lib64") if merged else {},
        links("usr/lib/x86_64-linux-gnu: libz.so.1->libz.so.1.2.13"),
        links("var: run->/run lock->/run/lock"),
        texts({"/etc/os-release": os_text, "/etc/passwd": DEB_PASSWD, "/etc/group": DEB_GROUP,
               "/etc/shells": "# /etc/shells: valid login shells\n/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/dash\n",
               "/etc/hostname": "", **(extra or {})}),
        texts({"/etc/shadow": "".join(f"{u.split(':')[0]}:*:19639:0:99999:7:::\n"
                                      for u in DEB_PASSWD.splitlines())}, mode=0o640),
        size=size)


def _debian(codename: str, number: str, point: str, size: int, extra: dict[str, str] | None = None) -> Layer:
    text = os_release("Debian GNU/Linux", f"Debian GNU/Linux {number} ({codename})", "debian", number,
                      extra=f'VERSION="{number} ({codename})"\nVERSION_CODENAME={codename}',
                      home="https://www.debian.org/", support="https://www.debian.org/support",
                      bugs="https://bugs.debian.org/")
    return debian_family(text, merged=number == "12", size=size,
                         extra={"/etc/debian_version": point + "\n", **(extra or {})})


@lru_cache(maxsize=None)
def debian_bookworm() -> Layer:
    """debian:bookworm (12.4), 117MB."""
    return _debian("bookworm", "12", "12.4", 116_532_427)


@lru_cache(maxsize=None)
def debian_buster() -> Layer:
    """debian:buster (10.13), the base of node:14; 114MB."""
    return _debian("buster", "10", "10.13", 114_068_398)


@lru_cache(maxsize=None)
def debian_bullseye_slim() -> Layer:
    """debian:bullseye-slim (11.6), the base of nginx:1.23; 80.5MB."""
    return _debian("bullseye", "11", "11.6", 80_457_209)


@lru_cache(maxsize=None)
def ubuntu_jammy() -> Layer:
    """ubuntu:22.04 (22.04.3 LTS), 77.9MB."""
    text = os_release("Ubuntu", "Ubuntu 22.04.3 LTS", "ubuntu", "22.04",
                      extra='VERSION="22.04.3 LTS (Jammy Jellyfish)"\nID_LIKE=debian\n'
                            'VERSION_CODENAME=jammy\nUBUNTU_CODENAME=jammy',
                      home="https://www.ubuntu.com/", support="https://help.ubuntu.com/",
                      bugs="https://bugs.launchpad.net/ubuntu/")
    return debian_family(text, merged=True, size=77_863_281,
                         extra={"/etc/debian_version": "bookworm/sid\n", "/etc/lsb-release":
                                "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n"
                                'DISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n'})
