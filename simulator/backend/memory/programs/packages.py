"""Package managers: apt-get, apk, pip and npm. They add the files listed in
`package_data.py` (synthetic blobs of realistic sizes) and print what the real tools
print in a non-interactive container; there is no network, so nothing is downloaded."""

from __future__ import annotations

import json
import posixpath
import re

from ....model.fs import FSError
from ....model.layer import Content
from . import program
from .package_data import APK, APT, NPM, PIP, PIP_VERSIONS
from .runtime import Ctx

APT_LISTS = "/var/lib/apt/lists"


def _put(ctx: Ctx, path: str, size: int, label: str, text: str = "") -> None:
    ctx.fs.mkdir(posixpath.dirname(path), parents_too=True)
    data = Content.of(text) if text or not size else Content.synthetic(size, label)
    ctx.fs.write(path, data, mode=0o755 if "/bin/" in path or "/sbin/" in path else 0o644)


def _closure(table: dict, names: list[str]) -> list[str]:
    """Each package after its dependencies, each once."""
    out: list[str] = []

    def visit(name: str) -> None:
        if name in out:
            return
        for dep in table[name][1]:
            visit(dep)
        out.append(name)

    for n in names:
        visit(n)
    return out


def _codename(ctx: Ctx) -> tuple[str, str]:
    try:
        text = ctx.read("/etc/os-release")
    except FSError:
        text = ""
    m = re.search(r"^VERSION_CODENAME=(\w+)", text, re.M)
    ubuntu = "ID=ubuntu" in text
    return (m.group(1) if m else ("jammy" if ubuntu else "bookworm")), ("ubuntu" if ubuntu else "debian")


@program("apt-get", "apt")
def apt_get(ctx: Ctx) -> int:
    """apt-get update | install [-y] [--no-install-recommends] PKG... | clean."""
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    yes = any(a in ("-y", "--yes", "-qy", "-yq", "--assume-yes") for a in ctx.argv[1:])
    if not args:
        ctx.out("apt 2.6.1 (amd64)\n")
        return 1
    codename, distro = _codename(ctx)
    if args[0] == "update":
        if distro == "ubuntu":
            base = "http://archive.ubuntu.com/ubuntu"
            lists = [(f"{base} {codename} InRelease", "270 kB", 270_000), (f"{base} {codename}/main amd64 Packages", "1792 kB", 1_792_000),
                     (f"{base} {codename}/universe amd64 Packages", "17.5 MB", 17_500_000)]
        else:
            base = "http://deb.debian.org/debian"
            lists = [(f"{base} {codename} InRelease", "151 kB", 151_000),
                     (f"{base} {codename}-updates InRelease", "55.4 kB", 55_400),
                     (f"http://deb.debian.org/debian-security {codename}-security InRelease", "48.0 kB", 48_000),
                     (f"{base} {codename}/main amd64 Packages", "8786 kB", 20_400_000),
                     (f"{base} {codename}-updates/main amd64 Packages", "12.7 kB", 52_000),
                     (f"http://deb.debian.org/debian-security {codename}-security/main amd64 Packages", "160 kB", 430_000)]
        for k, (what, shown, size) in enumerate(lists, 1):
            ctx.out(f"Get:{k} {what} [{shown}]\n")
            name = what.split("://", 1)[1].replace("/", "_").replace(" ", "_")
            _put(ctx, f"{APT_LISTS}/{name}", size, "apt list " + what)
        ctx.sleep(2)
        ctx.out("Fetched 9213 kB in 2s (4607 kB/s)\nReading package lists...\n")
        return 0
    if args[0] == "clean":
        return 0
    if args[0] != "install":
        ctx.err(f"E: Invalid operation {args[0]}\n")
        return 100
    wanted = args[1:]
    ctx.out("Reading package lists...\nBuilding dependency tree...\nReading state information...\n")
    try:
        have_lists = any(n != "lock" and n != "partial" for n in ctx.fs.listdir(APT_LISTS))
    except FSError:
        have_lists = False
    missing = [w for w in wanted if w not in APT or not have_lists]
    if missing:
        ctx.err(f"E: Unable to locate package {missing[0]}\n")
        return 100
    todo = _closure(APT, wanted)
    extra = [p for p in todo if p not in wanted]
    if extra:
        ctx.out("The following additional packages will be installed:\n  " + " ".join(extra) + "\n")
    size = sum(sum(v or 4096 for v in APT[p][2].values()) for p in todo)
    ctx.out("The following NEW packages will be installed:\n  " + " ".join(sorted(todo)) + "\n"
            f"0 upgraded, {len(todo)} newly installed, 0 to remove and 0 not upgraded.\n"
            f"Need to get {size // 3 // 1000} kB of archives.\n"
            f"After this operation, {size / 1e6:.1f} MB of additional disk space will be used.\n")
    if not yes:
        ctx.out("Do you want to continue? [Y/n] Abort.\n")
        return 1
    for k, p in enumerate(todo, 1):
        ctx.out(f"Get:{k} http://deb.debian.org/debian {codename}/main amd64 {p} amd64 {APT[p][0]} "
                f"[{sum(APT[p][2].values()) // 3000} kB]\n")
    ctx.err("debconf: delaying package configuration, since apt-utils is not installed\n")
    ctx.sleep(3)
    for p in todo:
        version = APT[p][0]
        ctx.out(f"Selecting previously unselected package {p}.\nPreparing to unpack .../{p}_{version}_amd64.deb ...\n"
                f"Unpacking {p} ({version}) ...\n")
        for path, n in APT[p][2].items():
            _put(ctx, path, n, f"{p} {version} {path}", f"# {path} from {p} {version}\n" if not n else "")
        _put(ctx, f"/usr/share/doc/{p}/copyright", 0, "", f"Files: *\nComment: {p} {version}\n")
        ctx.fs.write(f"/var/lib/dpkg/info/{p}.list", "".join(f"{x}\n" for x in APT[p][2]).encode()) \
            if ctx.fs.exists("/var/lib/dpkg/info") else None
    for p in todo:
        ctx.out(f"Setting up {p} ({APT[p][0]}) ...\n")
    return 0


@program("apk")
def apk(ctx: Ctx) -> int:
    """apk add [--no-cache] PKG... | update (Alpine)."""
    args = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if not args:
        return 1
    try:
        release = ctx.read("/etc/alpine-release").strip()
    except FSError:
        release = "3.18.4"
    branch = "v" + ".".join(release.split(".")[:2])
    repos = [f"https://dl-cdn.alpinelinux.org/alpine/{branch}/{r}/x86_64/APKINDEX.tar.gz" for r in ("main", "community")]
    ctx.out("".join(f"fetch {r}\n" for r in repos))
    if args[0] == "update":
        ctx.out(f"{release} [https://dl-cdn.alpinelinux.org/alpine/{branch}/main]\nOK: 23000 distinct packages available\n")
        return 0
    if args[0] != "add":
        return 1
    unknown = [w for w in args[1:] if w not in APK]
    if unknown:
        ctx.err("ERROR: unable to select packages:\n" + "".join(
            f"  {w} (no such package):\n    required by: world[{w}]\n" for w in unknown))
        return len(unknown)
    todo = _closure(APK, args[1:])
    for k, p in enumerate(todo, 1):
        ctx.out(f"({k}/{len(todo)}) Installing {p} ({APK[p][0]})\n")
        for path, n in APK[p][2].items():
            _put(ctx, path, n, f"{p} {APK[p][0]} {path}", f"# {path} from {p}\n" if not n else "")
    total = sum(sum(APK[p][2].values()) for p in todo)
    ctx.out(f"OK: {7 + total // 1_000_000} MiB in {14 + len(todo)} packages\n")
    return 0


def _site_packages(ctx: Ctx) -> str:
    version = ctx.env.get("PYTHON_VERSION", "3.11.4")
    return f"/usr/local/lib/python{'.'.join(version.split('.')[:2])}/site-packages"


def _requirement(spec: str) -> tuple[str, str | None]:
    """`name`, `name==1.2`, `name>=1` ... as (lower-case name, pinned version or None)."""
    name = re.split(r"[<>=!~\[ ;]", spec, 1)[0].strip().lower()
    pin = re.search(r"===?\s*([\w.+-]+)", spec)
    return name, pin.group(1) if pin else None


def _pip_table(pins: dict[str, str]) -> dict[str, tuple[str, int, list[str], int]]:
    """PIP with the pinned versions (and their own wheel, dependencies and size) in place."""
    table = dict(PIP)
    for name, version in pins.items():
        _, wheel, deps, size = PIP[name]
        wheel, deps, size = PIP_VERSIONS.get(name, {}).get(version, (wheel, deps, size))
        table[name] = (version, wheel, deps, size)
    return table


def _pip_list(ctx: Ctx) -> int:
    """`pip list`: the distributions in site-packages (their *.dist-info folders), as pip's
    two-column table sorted by name."""
    site = _site_packages(ctx)
    rows = []
    for entry in ctx.fs.listdir(site) if ctx.fs.exists(site) else []:
        if entry.endswith(".dist-info"):
            name, _, version = entry[:-len(".dist-info")].rpartition("-")
            try:
                meta = ctx.read(f"{site}/{entry}/METADATA")
                name = re.search(r"^Name: (.+)$", meta, re.M).group(1)
            except (FSError, AttributeError):
                pass
            rows.append((name, version))
    rows.sort(key=lambda r: r[0].lower())
    width = max([len("Package")] + [len(n) for n, _ in rows])
    vwidth = max([len("Version")] + [len(v) for _, v in rows])
    lines = [("Package", "Version"), ("-" * width, "-" * vwidth)] + rows
    ctx.out("".join(f"{n.ljust(width)} {v}".rstrip() + "\n" for n, v in lines))
    return 0


@program("pip", "pip3")
def pip(ctx: Ctx) -> int:
    """pip install [-r FILE] [--no-cache-dir] PKG... (pins honoured), pip list, pip --version;
    other pip commands are not simulated."""
    args = ctx.argv[1:]
    if args and args[0] in ("--version", "-V"):
        version = ctx.env.get("PYTHON_VERSION", "3.11.4")
        ctx.out(f"pip {ctx.env.get('PYTHON_PIP_VERSION', '23.0.1')} from {_site_packages(ctx)}/pip "
                f"(python {'.'.join(version.split('.')[:2])})\n")
        return 0
    if args[:1] == ["list"]:
        return _pip_list(ctx)
    if not args or args[0] != "install":
        ctx.err(f"{ctx.argv[0]}: simulated program not available\n")
        return 126
    names: list[str] = []
    rest = args[1:]
    while rest:
        a = rest.pop(0)
        if a in ("-r", "--requirement"):
            req = rest.pop(0) if rest else ""
            try:
                text = ctx.read(req)
            except FSError:
                ctx.err(f"ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{req}'\n")
                return 1
            names += [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]
        elif not a.startswith("-"):
            names.append(a)
    for spec in names:
        ctx.out(f"Collecting {spec}\n")
        if _requirement(spec)[0] not in PIP:
            ctx.err(f"ERROR: Could not find a version that satisfies the requirement {spec} (from versions: none)\n"
                    f"ERROR: No matching distribution found for {spec}\n")
            return 1
    wanted = [_requirement(s)[0] for s in names]
    table = _pip_table({name: pin for name, pin in map(_requirement, names) if pin})
    todo = _closure({k: (v[0], v[2]) for k, v in table.items()}, wanted)
    for name in todo:
        version, wheel, _, _ = table[name]
        if name not in wanted:
            ctx.out(f"Collecting {name}\n")
        ctx.out(f"  Downloading {name.replace('-', '_')}-{version}-py3-none-any.whl ({_kb(wheel)})\n")
    ctx.sleep(2)
    ordered = sorted(todo)
    ctx.out(f"Installing collected packages: {', '.join(todo)}\n"
            f"Successfully installed {' '.join(f'{n}-{table[n][0]}' for n in ordered)}\n")
    site = _site_packages(ctx)
    for name in todo:
        version, _, _, size = table[name]
        mod = name.replace("-", "_")
        _put(ctx, f"{site}/{mod}/__init__.py", size, f"{name} {version}")
        _put(ctx, f"{site}/{mod}-{version}.dist-info/METADATA", 0, "",
             f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    if ctx.uid == 0:
        ctx.err("WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour "
                "with the system package manager. It is recommended to use a virtual environment instead: "
                "https://pip.pypa.io/warnings/venv\n")
    return 0


def _kb(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1_000_000 else f"{round(size / 1000)} kB"


# The npm each Node.js release ships (nodejs.org/dist/index.json).
NPM_BUNDLED = {"14.21.3": "6.14.18"}


@program("npm")
def npm(ctx: Ctx) -> int:
    """npm install / npm ci (dependencies of ./package.json), npm start (runs `node` on main)."""
    args = ctx.argv[1:]
    if args[:1] in (["--version"], ["-v"]):
        ctx.out(f"{NPM_BUNDLED.get(ctx.env.get('NODE_VERSION', ''), '6.14.18')}\n")
        return 0
    if not args or args[0] not in ("install", "i", "ci", "start"):
        ctx.err(f"{ctx.argv[0]}: simulated program not available\n")
        return 126
    try:
        manifest = json.loads(ctx.read("package.json"))
    except (FSError, ValueError):
        ctx.err(f"npm ERR! code ENOENT\nnpm ERR! syscall open\nnpm ERR! path {ctx.path('package.json')}\n"
                f"npm ERR! errno -2\nnpm ERR! enoent ENOENT: no such file or directory, open "
                f"'{ctx.path('package.json')}'\n")
        return 254
    if args[0] == "start":
        script = manifest.get("scripts", {}).get("start", f"node {manifest.get('main', 'server.js')}")
        ctx.out(f"\n> {manifest.get('name', 'app')}@{manifest.get('version', '1.0.0')} start\n> {script}\n\n")
        from ..shell import Shell
        return Shell(ctx).run_script(script)
    deps = dict(manifest.get("dependencies", {}))
    deps.update({a: "latest" for a in args[1:] if not a.startswith("-")})
    count = 0
    for name in sorted(deps):
        version, transitive, size = NPM.get(name, ("1.0.0", 0, 40_000))
        base = ctx.path(f"node_modules/{name}")
        _put(ctx, f"{base}/package.json", 0, "", json.dumps({"name": name, "version": version}, indent=2) + "\n")
        _put(ctx, f"{base}/index.js", size, f"npm {name} {version}")
        for k in range(transitive):
            dep = f"{name}-dep-{k + 1}"
            _put(ctx, ctx.path(f"node_modules/{dep}/index.js"), size // (transitive * 4) + 1, f"npm {dep}")
        count += 1 + transitive
    ctx.sleep(3)
    _put(ctx, ctx.path("package-lock.json"), 0, "", json.dumps({"name": manifest.get("name", "app"),
                                                                "lockfileVersion": 3}, indent=2) + "\n")
    ctx.out(f"\nadded {count} packages, and audited {count + 1} packages in 3s\n\nfound 0 vulnerabilities\n"
            if count else "\nup to date, audited 1 package in 1s\n\nfound 0 vulnerabilities\n")
    return 0
