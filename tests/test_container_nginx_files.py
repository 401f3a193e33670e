"""A fresh nginx container's file changes, as a real one makes them: the image's entrypoint
script 10-listen-on-ipv6-by-default.sh replaces /etc/nginx/conf.d/default.conf (touch, sed -i),
nginx writes its pid file (nginx.conf: `pid /var/run/nginx.pid;`, Debian's /var/run is /run)
and creates its five temp directories under /var/cache/nginx (ngx_create_paths, mode 0700).
`docker diff` lists a changed file's parent directories as C and new entries as A; the list
below was written by hand from those rules."""

from __future__ import annotations

EXPECTED_DIFF = {
    "C /etc", "C /etc/nginx", "C /etc/nginx/conf.d", "C /etc/nginx/conf.d/default.conf",
    "C /run", "A /run/nginx.pid",
    "C /var", "C /var/cache", "C /var/cache/nginx",
    "A /var/cache/nginx/client_temp", "A /var/cache/nginx/proxy_temp", "A /var/cache/nginx/fastcgi_temp",
    "A /var/cache/nginx/uwsgi_temp", "A /var/cache/nginx/scgi_temp",
}


def test_fresh_nginx_diff_shows_the_entrypoint_and_nginx_changes(docker):
    assert docker("run -d --name web1 nginx").exit == 0
    r = docker("diff web1")
    assert r.exit == 0
    assert set(r.out.splitlines()) == EXPECTED_DIFF
    assert len(r.out.splitlines()) == len(EXPECTED_DIFF)


def test_nginx_pid_file_and_temp_directories(docker):
    assert docker("run -d --name web1 nginx").exit == 0
    assert docker("exec web1 cat /run/nginx.pid").out == "1\n"
    listing = docker("exec web1 ls -ld /var/cache/nginx/client_temp").out
    assert listing.startswith("drwx------")
    conf = docker("exec web1 cat /etc/nginx/conf.d/default.conf").out
    assert conf.count("listen  [::]:80;") == 1


def test_nginx_asked_only_its_version_runs_the_entrypoint_scripts_but_starts_no_server(docker):
    # the entrypoint runs /docker-entrypoint.d/ whenever $1 is nginx, `nginx -v` included
    assert docker("run --name ver nginx nginx -v").exit == 0
    assert docker("diff ver").out.splitlines() == [
        "C /etc", "C /etc/nginx", "C /etc/nginx/conf.d", "C /etc/nginx/conf.d/default.conf"]
