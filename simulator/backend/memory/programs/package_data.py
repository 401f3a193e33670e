"""The packages the simulated package managers know: name -> version, installed size
(bytes), dependencies and the files they add (each path -> size; a size of 0 marks a
text file whose content is generated). Sizes resemble the real packages' (Debian 12,
Alpine 3.18, PyPI and npm, 2023)."""

APT = {
    "nginx": ("1.22.1-9", ["nginx-common", "libssl3", "libpcre2-8-0"], {"/usr/sbin/nginx": 1_270_000}),
    "nginx-common": ("1.22.1-9", [], {"/etc/nginx/nginx.conf": 0, "/etc/nginx/mime.types": 5_349,
                                      "/etc/nginx/sites-available/default": 0, "/usr/share/nginx/html/index.html": 0,
                                      "/var/www/html/index.nginx-debian.html": 615}),
    "libssl3": ("3.0.11-1~deb12u2", [], {"/usr/lib/x86_64-linux-gnu/libssl.so.3": 696_000,
                                         "/usr/lib/x86_64-linux-gnu/libcrypto.so.3": 4_710_000}),
    "libpcre2-8-0": ("10.42-1", [], {"/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0.11.2": 629_000}),
    "curl": ("7.88.1-10+deb12u4", ["libcurl4", "ca-certificates"], {"/usr/bin/curl": 285_000}),
    "libcurl4": ("7.88.1-10+deb12u4", ["libssl3"], {"/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0": 703_000}),
    "ca-certificates": ("20230311", [], {"/etc/ssl/certs/ca-certificates.crt": 213_777}),
    "git": ("1:2.39.2-1.1", ["libcurl4"], {"/usr/bin/git": 3_840_000, "/usr/lib/git-core/git-remote-http": 1_750_000}),
    "python3": ("3.11.2-1+b1", [], {"/usr/bin/python3.11": 6_831_736, "/usr/lib/python3.11/os.py": 39_504}),
    "vim": ("2:9.0.1378-2", [], {"/usr/bin/vim.basic": 3_870_000, "/usr/share/vim/vim90/defaults.vim": 3_430}),
    "wget": ("1.21.3-1+b2", [], {"/usr/bin/wget": 528_000}),
}

APK = {
    "nginx": ("1.24.0-r6", ["pcre"], {"/usr/sbin/nginx": 1_180_000, "/etc/nginx/nginx.conf": 0}),
    "pcre": ("8.45-r3", [], {"/usr/lib/libpcre.so.1.2.13": 410_000}),
    "curl": ("8.4.0-r0", ["libcurl", "ca-certificates"], {"/usr/bin/curl": 250_000}),
    "libcurl": ("8.4.0-r0", [], {"/usr/lib/libcurl.so.4.8.0": 640_000}),
    "ca-certificates": ("20230506-r0", [], {"/etc/ssl/certs/ca-certificates.crt": 214_000}),
    "bash": ("5.2.15-r5", [], {"/bin/bash": 1_200_000}),
    "git": ("2.40.1-r0", ["libcurl"], {"/usr/bin/git": 3_300_000}),
    "python3": ("3.11.6-r0", [], {"/usr/bin/python3.11": 14_000, "/usr/lib/libpython3.11.so.1.0": 5_600_000}),
}

# name -> version, wheel file size, dependencies, installed bytes
PIP = {
    "flask": ("3.0.0", 99_700, ["werkzeug", "jinja2", "itsdangerous", "click", "blinker"], 560_000),
    "werkzeug": ("3.0.1", 226_700, ["markupsafe"], 1_050_000),
    "jinja2": ("3.1.2", 133_100, ["markupsafe"], 780_000),
    "markupsafe": ("2.1.3", 28_000, [], 70_000),
    "itsdangerous": ("2.1.2", 15_700, [], 60_000),
    "click": ("8.1.7", 97_900, [], 430_000),
    "blinker": ("1.7.0", 13_400, [], 40_000),
    "requests": ("2.31.0", 62_600, ["urllib3", "idna", "certifi", "charset-normalizer"], 330_000),
    "urllib3": ("2.1.0", 104_600, [], 520_000),
    "idna": ("3.6", 61_600, [], 320_000),
    "certifi": ("2023.11.17", 162_500, [], 300_000),
    "charset-normalizer": ("3.3.2", 142_100, [], 560_000),
    "numpy": ("1.26.2", 18_200_000, [], 62_000_000),
    "redis": ("5.0.1", 250_300, [], 1_400_000),
}

# Versions a requirement may pin (`flask==2.0.3`) whose wheel, dependencies or size differ
# from the latest's: name -> version -> (wheel file size, dependencies, installed bytes).
PIP_VERSIONS = {
    "flask": {"2.0.3": (95_600, ["werkzeug", "jinja2", "itsdangerous", "click"], 520_000)},
}

# name -> version, dependencies (counted), installed bytes
NPM = {
    "express": ("4.18.2", 57, 2_200_000),
    "lodash": ("4.17.21", 0, 1_400_000),
    "react": ("18.2.0", 1, 320_000),
    "axios": ("1.6.2", 8, 2_100_000),
    "redis": ("4.6.11", 9, 1_050_000),
    "nodemon": ("3.0.2", 32, 2_900_000),
}
