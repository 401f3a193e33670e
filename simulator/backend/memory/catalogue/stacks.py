"""Application images on the distribution bases: buildpack-deps, python, node, nginx.

Each function returns `(Image, [Layer])` with the real image's steps (history), config and
per-layer sizes (as `docker history` shows them for the image of that date). Images built
on the same base share its layers, as they do on Docker Hub: python:3.9 and python:latest
share debian:bookworm's layer and buildpack-deps' three layers.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from ....model.image import Image
from ....model.layer import Layer, directory
from . import distros, scripts
from .recipe import DEFAULT_PATH, Step, build, dirs, files, layer, links, nop, texts

Built = tuple[Image, list[Layer]]


def add_base(base: Layer, created: str) -> Step:
    return Step(f"/bin/sh -c #(nop) ADD file:{base.diff_id[7:]} in / ", base, created)


def copy(text: str, path: str, dest: str, created: str = "", mode: int = 0o755) -> Step:
    """A classic-builder `COPY <file> <dest>` of `text` to `path`."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Step(f"/bin/sh -c #(nop) COPY file:{digest} in {dest} ", layer(texts({path: text}, mode=mode)), created)


def run(command: str, new_layer: Layer, created: str = "") -> Step:
    return Step(f"/bin/sh -c {command}", new_layer, created)


def with_user(passwd: str, group: str, line: str, group_line: str) -> dict[str, str]:
    return {"/etc/passwd": passwd + line + "\n", "/etc/group": group + group_line + "\n"}


# -- buildpack-deps: the compilers and libraries under python and node ----------------------

def buildpack_deps(codename: str, sizes: tuple[int, int, int], created: str) -> list[Step]:
    """The three steps buildpack-deps adds to Debian (curl, scm, the build toolchain)."""
    curl, scm, deps = sizes
    libdir = "/usr/lib/x86_64-linux-gnu"
    return [
        run("set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates "
            "\t\tcurl \t\tgnupg \t\tnetbase \t\twget \t; \trm -rf /var/lib/apt/lists/*",
            layer(files("usr/bin: curl=260328 wget=511144 gpg=1085928 gpgv=376296"),
                  texts({"/etc/ssl/certs/ca-certificates.crt": "# simulated CA bundle\n"}),
                  size=curl, bulk=libdir, label=f"{codename}-curl"), created),
        run("apt-get update && apt-get install -y --no-install-recommends \t\tgit \t\tmercurial "
            "\t\topenssh-client \t\tsubversion \t\t\t\tprocps \t&& rm -rf /var/lib/apt/lists/*",
            layer(files("usr/bin: git=3909064 hg=1701 ssh=855728 scp=109592 svn=265552 ps=137688 top=129072 "
                        "free=27008 kill=30952 watch=31184 pgrep=30896 pkill=30896"),
                  size=scm, bulk=libdir, label=f"{codename}-scm"), created),
        run("set -ex; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tautoconf "
            "\t\tautomake \t\tbzip2 \t\tdpkg-dev \t\tfile \t\tg++ \t\tgcc \t\timagemagick \t\tlibbz2-dev "
            "\t\tlibc6-dev \t\tlibcurl4-openssl-dev \t\tlibffi-dev \t\tlibssl-dev \t\tmake \t\tpatch "
            "\t\tunzip \t\txz-utils \t\tzlib1g-dev \t; \trm -rf /var/lib/apt/lists/*",
            layer(files("usr/bin: gcc-12=1317720 g++-12=1321816 cpp-12=1313624 make=236760 patch=194456 "
                        "unzip=182392 file=27144 xz=84912 bzip2=39144 convert=14568 autoconf=15168"),
                  links("usr/bin: gcc->gcc-12 g++->g++-12 cc->gcc c++->g++ cpp->cpp-12"),
                  size=deps, bulk=libdir, label=f"{codename}-toolchain"), created),
    ]


@lru_cache(maxsize=None)
def bookworm_buildpack() -> list[Step]:
    created = "2024-01-11T21:05:23.482734587Z"
    return [add_base(distros.debian_bookworm(), "2024-01-11T01:20:40.163491946Z"),
            nop('CMD ["bash"]', "2024-01-11T01:20:40.547289734Z"),
            *buildpack_deps("bookworm", (24_049_473, 64_147_331, 621_368_722), created)]


# -- python ---------------------------------------------------------------------------------

PYTHON_ENV = [DEFAULT_PATH.replace("PATH=", "PATH=/usr/local/bin:", 1), "LANG=C.UTF-8"]


def python_layers(version: str, build_size: int, pip_version: str) -> tuple[Layer, Layer]:
    """The interpreter's build layer (and its `python` symlinks layer)."""
    short = version.rsplit(".", 1)[0]
    lib = f"/usr/local/lib/python{short}"
    built = layer(files(f"""
                usr/local/bin: python{short}=14472 pip{short}=231 pip3=231 pip=231 pydoc{short}=84 idle{short}=82
                usr/local/lib: libpython{short}.so.1.0=23156928
                {lib}: os.py=39504 json/__init__.py=14020 http/server.py=48479 site-packages/pip/__init__.py=357
                """),
                  links(f"usr/local/bin: python3->python{short} pydoc3->pydoc{short} idle3->idle{short}"),
                  dirs([f"{lib}/site-packages/pip-{pip_version}.dist-info"]),
                  size=build_size, bulk=f"{lib}/lib-dynload", label=f"python{short}")
    symlinks = layer(links("usr/local/bin: python->python3 pydoc->pydoc3 idle->idle3 python-config->python3-config"))
    return built, symlinks


@lru_cache(maxsize=None)
def python39() -> Built:
    """python:3.9 (3.9.18, bookworm), 915MB in 8 layers."""
    created = "2024-01-12T02:41:34.113428911Z"
    built, symlinks = python_layers("3.9.18", 57_860_212, "23.0.1")
    lib = "/usr/local/lib/python3.9/site-packages"
    # get-pip.py installs pip, setuptools and the latest wheel (0.42.0 in January 2024)
    pip = layer(files(f"{lib}: pip/_internal/main.py=340 setuptools/__init__.py=7712 wheel/__init__.py=59"),
                dirs([f"{lib}/setuptools-58.1.0.dist-info", f"{lib}/wheel-0.42.0.dist-info"]),
                size=12_190_144, bulk=lib, label="pip")
    env = PYTHON_ENV + ["GPG_KEY=E3FF2839C048B25C084DEBE9B26995E310250568", "PYTHON_VERSION=3.9.18",
                        "PYTHON_PIP_VERSION=23.0.1", "PYTHON_SETUPTOOLS_VERSION=58.1.0",
                        "PYTHON_GET_PIP_URL=https://github.com/pypa/get-pip/raw/"
                        "4cfa4081d27285bda1220a62a5ebf5b4bd749cdb/public/get-pip.py",
                        "PYTHON_GET_PIP_SHA256=9cc01665956d22b3bf057ae8287b035827bfd895da235bcea200ab3b811790b6"]
    steps = [*bookworm_buildpack(),
             nop(f"ENV {PYTHON_ENV[0]}"), nop("ENV LANG=C.UTF-8"),
             run("set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tlibbluetooth-dev "
                 "\t\ttk-dev \t\tuuid-dev \t; \trm -rf /var/lib/apt/lists/*",
                 layer(files("usr/include/bluetooth: bluetooth.h=11434"), size=18_614_397,
                       bulk="/usr/lib/x86_64-linux-gnu", label="python39-tk")),
             nop(f"ENV {env[2]}"), nop(f"ENV {env[3]}"),
             run("set -eux; \t\twget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}"
                 "/Python-$PYTHON_VERSION.tar.xz\"; \t./configure --enable-optimizations --enable-shared; "
                 "\tmake -j \"$nproc\"; \tmake install; \tpython3 --version", built),
             run("set -eux; \tfor src in idle3 pydoc3 python3 python3-config; do \t\tdst=\"$(echo \"$src\" | tr -d 3)\"; "
                 "\t\t[ -s \"/usr/local/bin/$src\" ]; \t\t[ ! -e \"/usr/local/bin/$dst\" ]; "
                 "\t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; \tdone", symlinks),
             *(nop(f"ENV {e}") for e in env[4:]),
             run("set -eux; \t\twget -O get-pip.py \"$PYTHON_GET_PIP_URL\"; \tpython get-pip.py "
                 "\t\t--disable-pip-version-check \t\t--no-cache-dir \t\t--no-compile "
                 "\t\t\"pip==$PYTHON_PIP_VERSION\" \t\t\"setuptools==$PYTHON_SETUPTOOLS_VERSION\" \t; "
                 "\trm -f get-pip.py; \t\tpip --version", pip),
             nop('CMD ["python3"]')]
    return build(steps, {"Env": env, "Cmd": ["python3"]}, created)


@lru_cache(maxsize=None)
def python312() -> Built:
    """python:latest (3.12.1, bookworm), 925MB in 7 layers (pip comes with the build)."""
    created = "2024-01-12T03:10:52.618272365Z"
    built, symlinks = python_layers("3.12.1", 79_541_903, "23.2.1")
    env = PYTHON_ENV + ["GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305", "PYTHON_VERSION=3.12.1"]
    steps = [*bookworm_buildpack(),
             nop(f"ENV {PYTHON_ENV[0]}"), nop("ENV LANG=C.UTF-8"),
             run("set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tlibbluetooth-dev "
                 "\t\ttk-dev \t\tuuid-dev \t; \trm -rf /var/lib/apt/lists/*",
                 layer(files("usr/include/bluetooth: bluetooth.h=11434 hci.h=62912"), size=18_614_712,
                       bulk="/usr/lib/x86_64-linux-gnu", label="python312-tk")),
             nop(f"ENV {env[2]}"), nop(f"ENV {env[3]}"),
             run("set -eux; \t\twget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}"
                 "/Python-$PYTHON_VERSION.tar.xz\"; \t./configure --enable-optimizations --enable-shared "
                 "--with-ensurepip; \tmake -j \"$nproc\"; \tmake install; \tpip3 --version; \tpython3 --version", built),
             run("set -eux; \tfor src in idle3 pip3 pydoc3 python3 python3-config; do \t\tdst=\"$(echo \"$src\" | tr -d 3)\"; "
                 "\t\t[ -s \"/usr/local/bin/$src\" ]; \t\t[ ! -e \"/usr/local/bin/$dst\" ]; "
                 "\t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; \tdone", symlinks),
             nop('CMD ["python3"]')]
    return build(steps, {"Env": env, "Cmd": ["python3"]}, created)


# -- node -----------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def node14() -> Built:
    """node:14 (14.21.3, buster), 912MB in 8 layers (buildpack-deps' curl and gnupg steps as one)."""
    created = "2023-04-12T04:51:04.223431201Z"
    lib = "/usr/local/lib/node_modules"
    passwd, group = distros.DEB_PASSWD, distros.DEB_GROUP
    user = layer(texts(with_user(passwd, group, "node:x:1000:1000::/home/node:/bin/bash", "node:x:1000:")),
                 {"/home/node": directory(0o755, 1000, 1000)},
                 size=333_195, bulk="/var/log", label="lastlog")
    node = layer(files(f"""
                 usr/local/bin: node=78262928
                 {lib}/npm/bin: npm-cli.js=54 npx-cli.js=2922
                 {lib}/npm: package.json=2546 index.js=245
                 {lib}/corepack/dist: corepack.js=73"""),
                 links("usr/local/bin: npm->../lib/node_modules/npm/bin/npm-cli.js "
                       "npx->../lib/node_modules/npm/bin/npx-cli.js nodejs->node "
                       "corepack->../lib/node_modules/corepack/dist/corepack.js"),
                 dirs(["/usr/local/include/node"]),
                 size=107_879_386, bulk=f"{lib}/npm/node_modules", label="npm")
    yarn = layer(files("opt/yarn-v1.22.19/bin: yarn=1015 yarn.js=42\nopt/yarn-v1.22.19/lib: cli.js=5297823"),
                 links("usr/local/bin: yarn->/opt/yarn-v1.22.19/bin/yarn yarnpkg->/opt/yarn-v1.22.19/bin/yarnpkg"),
                 size=7_624_167, bulk="/opt/yarn-v1.22.19/lib", label="yarn")
    steps = [add_base(distros.debian_buster(), "2023-04-11T04:50:35.129538467Z"),
             nop('CMD ["bash"]', "2023-04-11T04:50:35.641201315Z"),
             *buildpack_deps("buster", (17_584_829 + 7_863_612, 145_976_842, 510_340_128),
                             "2023-04-11T07:04:41.263624339Z"),
             run("groupadd --gid 1000 node   && useradd --uid 1000 --gid node --shell /bin/bash --create-home node",
                 user),
             nop("ENV NODE_VERSION=14.21.3"),
             run("ARCH= && dpkgArch=\"$(dpkg --print-architecture)\"   && case \"${dpkgArch##*-}\" in "
                 "amd64) ARCH='x64';; *) echo \"unsupported architecture\"; exit 1 ;;   esac   "
                 "&& curl -fsSLO --compressed \"https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH.tar.xz\"   "
                 "&& tar -xJf \"node-v$NODE_VERSION-linux-$ARCH.tar.xz\" -C /usr/local --strip-components=1 --no-same-owner   "
                 "&& ln -s /usr/local/bin/node /usr/local/bin/nodejs   && node --version   && npm --version", node),
             nop("ENV YARN_VERSION=1.22.19"),
             run("set -ex   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/"
                 "yarn-v$YARN_VERSION.tar.gz\"   && tar -xzf yarn-v$YARN_VERSION.tar.gz -C /opt/   "
                 "&& ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn   "
                 "&& ln -s /opt/yarn-v$YARN_VERSION/bin/yarnpkg /usr/local/bin/yarnpkg   && yarn --version", yarn),
             copy(scripts.NODE_ENTRYPOINT, "/usr/local/bin/docker-entrypoint.sh", "/usr/local/bin/"),
             nop('ENTRYPOINT ["docker-entrypoint.sh"]'),
             nop('CMD ["node"]')]
    config = {"Env": [DEFAULT_PATH, "NODE_VERSION=14.21.3", "YARN_VERSION=1.22.19"],
              "Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["node"]}
    return build(steps, config, created)


# -- nginx ----------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def nginx() -> Built:
    """nginx:latest (1.23.4, bullseye-slim), 142MB in 6 layers."""
    created = "2023-03-29T18:32:22.713011485Z"
    maintainer = "NGINX Docker Maintainers <docker-maint@nginx.com>"
    passwd, group = distros.DEB_PASSWD, distros.DEB_GROUP
    install = layer(
        files("usr/sbin: nginx=1424360 nginx-debug=1466264\nusr/bin: envsubst=35336"),
        files("usr/lib/nginx/modules: ngx_http_js_module.so=1179744", mode=0o644),
        texts({"/etc/nginx/nginx.conf": scripts.NGINX_CONF,
               "/etc/nginx/conf.d/default.conf": scripts.NGINX_DEFAULT_CONF,
               "/etc/nginx/mime.types": "types {\n    text/html  html htm shtml;\n    text/css  css;\n}\n",
               "/usr/share/nginx/html/index.html": scripts.NGINX_INDEX,
               "/usr/share/nginx/html/50x.html": scripts.NGINX_50X,
               **with_user(passwd, group, "nginx:x:101:101:nginx user:/nonexistent:/bin/false", "nginx:x:101:")}),
        links("var/log/nginx: access.log->/dev/stdout error.log->/dev/stderr\netc/nginx: modules->/usr/lib/nginx/modules"),
        dirs(["/docker-entrypoint.d", "/var/cache/nginx", "/etc/nginx/templates"]),
        size=61_345_436, bulk="/usr/lib/x86_64-linux-gnu", label="nginx")
    env = [DEFAULT_PATH, "NGINX_VERSION=1.23.4", "NJS_VERSION=0.7.11", "PKG_RELEASE=1~bullseye"]
    steps = [add_base(distros.debian_bullseye_slim(), "2023-03-23T01:03:54.187462711Z"),
             nop('CMD ["bash"]', "2023-03-23T01:03:54.598410493Z"),
             nop(f"LABEL maintainer={maintainer}"),
             *(nop(f"ENV {e}") for e in env[1:]),
             run("set -x     && addgroup --system --gid 101 nginx     && adduser --system --disabled-login "
                 "--ingroup nginx --no-create-home --home /nonexistent --gecos \"nginx user\" --shell /bin/false "
                 "--uid 101 nginx     && apt-get update     && apt-get install --no-install-recommends "
                 "--no-install-suggests -y nginx=${NGINX_VERSION}-${PKG_RELEASE} gettext-base curl     "
                 "&& ln -sf /dev/stdout /var/log/nginx/access.log     && ln -sf /dev/stderr /var/log/nginx/error.log     "
                 "&& mkdir /docker-entrypoint.d", install),
             copy(scripts.NGINX_ENTRYPOINT, "/docker-entrypoint.sh", "/"),
             copy(scripts.NGINX_IPV6, "/docker-entrypoint.d/10-listen-on-ipv6-by-default.sh", "/docker-entrypoint.d"),
             copy(scripts.NGINX_ENVSUBST, "/docker-entrypoint.d/20-envsubst-on-templates.sh", "/docker-entrypoint.d"),
             copy(scripts.NGINX_TUNE_WORKERS, "/docker-entrypoint.d/30-tune-worker-processes.sh", "/docker-entrypoint.d"),
             nop('ENTRYPOINT ["/docker-entrypoint.sh"]'),
             nop("EXPOSE 80"),
             nop("STOPSIGNAL SIGQUIT"),
             nop('CMD ["nginx" "-g" "daemon off;"]')]
    config = {"Env": env, "ExposedPorts": {"80/tcp": {}}, "Entrypoint": ["/docker-entrypoint.sh"],
              "Cmd": ["nginx", "-g", "daemon off;"], "Labels": {"maintainer": maintainer}, "StopSignal": "SIGQUIT"}
    return build(steps, config, created)
