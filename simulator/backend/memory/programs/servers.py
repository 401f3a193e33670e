"""Long-running servers: nginx (and the nginx image's /docker-entrypoint.sh), node and
python scripts. They print what the real ones print at start-up, then block; their
signal handling is that of the real program (nginx exits 0 on TERM, QUIT and INT; node
and python install no handler, so as PID 1 they ignore TERM)."""

from __future__ import annotations

import ast
import operator
import re
from datetime import timedelta

from ....model.fs import FSError
from . import execute, find_command, program
from .runtime import Ctx, Forever

NGINX_SCRIPTS = ("10-listen-on-ipv6-by-default.sh", "20-envsubst-on-templates.sh", "30-tune-worker-processes.sh")


@program("docker-entrypoint.sh")
def nginx_entrypoint(ctx: Ctx) -> int:
    """The nginx image's entrypoint: announces its configuration steps, then execs its arguments."""
    args = ctx.argv[1:]
    if args and args[0] in ("nginx", "nginx-debug"):
        me = "/docker-entrypoint.sh"
        lines = [f"{me}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                 f"{me}: Looking for shell scripts in /docker-entrypoint.d/"]
        for script in NGINX_SCRIPTS:
            lines.append(f"{me}: Launching /docker-entrypoint.d/{script}")
            if script.startswith("10-") and _listen_on_ipv6(ctx):
                lines += [f"{script}: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
                          f"{script}: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf"]
        lines.append(f"{me}: Configuration complete; ready for start up")
        ctx.out("".join(line + "\n" for line in lines))
    if not args:
        return 0
    found = find_command(ctx.fs, args[0], ctx.env.get("PATH", ""), ctx.cwd)
    if (not found or not found[1] or args[0].startswith("-")) and find_command(ctx.fs, "node", ctx.env.get("PATH", ""), ctx.cwd):
        args = ["node"] + args   # the node image's entrypoint: `docker run node app.js`
        found = find_command(ctx.fs, "node", ctx.env.get("PATH", ""), ctx.cwd)
    if not found or not found[1]:
        ctx.err(f"{ctx.argv[0]}: exec: line 47: {args[0]}: not found\n")
        return 127
    return execute(Ctx(ctx.run, args, ctx.env, ctx.cwd, ctx.uid, ctx.gid, ctx.stdin, ctx.fds), found[0])


DEFAULT_CONF = "/etc/nginx/conf.d/default.conf"
IPV4_LISTEN = "listen       80;"
NGINX_TEMP_DIRS = ("client_temp", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp")


def _listen_on_ipv6(ctx: Ctx) -> bool:
    """10-listen-on-ipv6-by-default.sh: `touch` default.conf, then (/proc/net/if_inet6 exists on
    Docker 20.10's bridge) `sed -i` the IPv6 listen line in after the IPv4 one. Both replace the
    file in the container's layer, so `docker diff` shows it changed even when the line is there
    already. False when there is no default.conf (the script exits at once)."""
    if not ctx.fs.exists(DEFAULT_CONF):
        return False
    ctx.fs.set_meta(DEFAULT_CONF, touch=True)
    text = ctx.read(DEFAULT_CONF)
    if "[::]:80;" not in text:
        text = text.replace(IPV4_LISTEN, IPV4_LISTEN + "\n    listen  [::]:80;", 1)
    ctx.fs.write(DEFAULT_CONF, text.encode())
    return True


def _nginx_files(ctx: Ctx) -> None:
    """What nginx writes as it starts (nginx `ngx_create_pidfile`, `ngx_create_paths`): its pid
    (`1\n`: exec'd by the entrypoint, it is PID 1) at nginx.conf's `pid` path, and the temp
    directories under /var/cache/nginx, mode 0700, owned by the worker user (101, nginx) and
    group root. The nginx.conf path `/var/run/nginx.pid` lands in /run through Debian's
    `/var/run -> /run` link."""
    try:
        conf = ctx.read("/etc/nginx/nginx.conf")
    except FSError:
        return
    pid = re.search(r"^\s*pid\s+([^;\s]+)\s*;", conf, re.M)
    if pid:
        try:
            ctx.fs.write(pid.group(1), b"1\n")
        except FSError:
            pass
    if ctx.fs.exists("/var/cache/nginx"):
        for name in NGINX_TEMP_DIRS:
            if not ctx.fs.exists(f"/var/cache/nginx/{name}"):
                ctx.fs.mkdir(f"/var/cache/nginx/{name}", mode=0o700, uid=101, gid=0)


@program("nginx", "nginx-debug")
def nginx(ctx: Ctx) -> int:
    """nginx -g 'daemon off;': notices on stderr (the image links error.log to it), then serves."""
    args = ctx.argv[1:]
    version = ctx.env.get("NGINX_VERSION", "1.21.6")
    if "-v" in args or "-V" in args:
        ctx.err(f"nginx version: nginx/{version}\n")
        return 0
    if "-t" in args:
        ctx.err("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                "nginx: configuration file /etc/nginx/nginx.conf test is successful\n")
        return 0
    _nginx_files(ctx)
    now = (ctx.run.started + timedelta(seconds=ctx.run.time)).strftime("%Y/%m/%d %H:%M:%S")
    notices = ['using the "epoll" event method', f"nginx/{version}",
               "built by gcc 10.2.1 20210110 (Debian 10.2.1-6) ", "OS: Linux 5.15.0-91-generic",
               "getrlimit(RLIMIT_NOFILE): 1048576:1048576", "start worker processes",
               "start worker process 31", "start worker process 32"]
    ctx.err("".join(f"{now} [notice] 1#1: {n}\n" for n in notices))
    daemon_off = any("daemon off" in a for a in args)
    if not daemon_off:
        return 0   # daemonises: the foreground process ends at once
    ctx.run.handlers.update({"TERM": 0, "QUIT": 0, "INT": 0})
    ctx.run.handlers_always = True
    raise Forever()


def _js_literal(expr: str, consts: dict[str, str]) -> str | None:
    expr = expr.strip()
    m = re.fullmatch(r"""(['"])(.*)\1""", expr, re.S)
    if m:
        return m.group(2)
    m = re.fullmatch(r"`(.*)`", expr, re.S)
    if m:
        return re.sub(r"\$\{\s*(\w+)\s*\}", lambda v: consts.get(v.group(1), v.group(0)), m.group(1))
    return None


def not_available(ctx: Ctx) -> int:
    """What a program says for a use the simulator cannot carry out (see programs/__init__)."""
    ctx.err(f"{ctx.argv[0]}: simulated program not available\n")
    return 126


@program("node", "nodejs")
def node(ctx: Ctx) -> int:
    """node FILE: prints its `console.log` calls with literal (or simple template) arguments,
    in source order, callbacks included; runs forever if it calls `.listen(`. `node --version`
    prints NODE_VERSION; other options are not simulated."""
    if ctx.argv[1:2] in (["--version"], ["-v"]):
        ctx.out(f"v{ctx.env.get('NODE_VERSION', '14.21.3')}\n")
        return 0
    args = ctx.argv[1:]
    if not args:
        return 0   # no script, stdin is empty: the REPL reads nothing and ends
    if args[0].startswith("-"):
        return not_available(ctx)
    path = ctx.path(args[0] if args[0].endswith(".js") or ctx.fs.exists(ctx.path(args[0])) else args[0] + ".js")
    try:
        src = ctx.read(path)
    except FSError:
        ctx.err(f"node:internal/modules/cjs/loader:936\n  throw err;\n  ^\n\nError: Cannot find module '{path}'\n")
        return 1
    consts = {m.group(1): m.group(3) for m in
              re.finditer(r"(?:const|let|var)\s+(\w+)\s*=\s*(['\"]?)([^'\";\n]*)\2\s*;?", src)}
    for m in re.finditer(r"""console\.(log|error|info|warn)\(\s*((['"`]).*?\3)\s*\)""", src):
        text = _js_literal(m.group(2), consts)
        if text is not None:
            (ctx.out if m.group(1) in ("log", "info") else ctx.err)(text + "\n")
    if ".listen(" in src or "setInterval(" in src:
        raise Forever()
    return 0


class _Unsupported(Exception):
    """Python source the simulated interpreter cannot run."""


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}


def _value(node: ast.expr):
    """A constant expression: literals, + - * / // % ** on them, unary minus."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow) and isinstance(right, int) and abs(right) > 1000:
            raise _Unsupported()
        try:
            return _OPS[type(node.op)](left, right)
        except (TypeError, ArithmeticError):
            raise _Unsupported() from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _value(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    raise _Unsupported()


def _print(call: ast.expr) -> tuple[str, bool] | None:
    """(text, flush) of a `print(...)` with constant arguments, or None if it is not one."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"):
        return None
    values = [str(_value(a)) for a in call.args]
    kw = {k.arg: _value(k.value) for k in call.keywords}
    if set(kw) - {"sep", "end", "flush"}:
        raise _Unsupported()
    return (kw.get("sep", " ") or "").join(values) + (kw.get("end", "\n") or ""), bool(kw.get("flush"))


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """The top-level statements, with `if __name__ == "__main__":` blocks opened."""
    out = []
    for stmt in body:
        if isinstance(stmt, ast.If) and "__name__" in ast.unparse(stmt.test):
            out += _statements(stmt.body)
        else:
            out.append(stmt)
    return out


@program("python", "python3")
def python(ctx: Ctx) -> int:
    """python FILE / -c CODE: `print(...)` calls of constant expressions; Flask's `app.run(...)`
    serves forever. `-c` code must be only such prints (else: not available, 126); a file's
    other statements (imports, functions) are skipped.

    stdout is block-buffered when it is not a terminal (unless PYTHONUNBUFFERED or -u), so
    a server's prints reach the logs only with `flush=True`: the classic surprise, kept here.
    """
    args = ctx.argv[1:]
    unbuffered = bool(ctx.env.get("PYTHONUNBUFFERED")) or "-u" in args
    args = [a for a in args if a != "-u"]
    if not args:
        return 0
    if args[0] == "-m" and len(args) > 1 and args[1] == "pip":
        from .packages import pip
        return pip(Ctx(ctx.run, ["pip"] + args[2:], ctx.env, ctx.cwd, ctx.uid, ctx.gid, ctx.stdin, ctx.fds))
    if args[0] in ("-V", "--version"):
        ctx.out(f"Python {ctx.env.get('PYTHON_VERSION', '3.11.4')}\n")
        return 0
    if args[0].startswith("-") and args[0] != "-c":
        return not_available(ctx)
    strict = args[0] == "-c"
    if strict:
        src = args[1] if len(args) > 1 else ""
    else:
        try:
            src = ctx.read(args[0])
        except FSError:
            ctx.err(f"{ctx.argv[0]}: can't open file '{ctx.path(args[0])}': [Errno 2] No such file or directory\n")
            return 2
    try:
        statements = _statements(ast.parse(src).body)
    except SyntaxError:
        return not_available(ctx)
    buffered, serves = [], None
    for stmt in statements:
        try:
            printed = _print(stmt.value) if isinstance(stmt, ast.Expr) else None
        except _Unsupported:
            printed = None
        if printed is None:
            call = stmt.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) else None
            if call is not None and ast.unparse(call.func).endswith("app.run"):
                serves = call
                break
            if strict:
                return not_available(ctx)
            continue
        buffered.append(printed[0])
        if unbuffered or printed[1]:
            ctx.out("".join(buffered))
            buffered.clear()
    if serves is None and "serve_forever(" in src:
        raise Forever()   # http.server: the buffered prints stay in the buffer
    if serves is None:
        ctx.out("".join(buffered))
        return 0
    options = {k.arg: ast.unparse(k.value).strip("'\"") for k in serves.keywords}
    port, host = options.get("port", "5000"), options.get("host", "127.0.0.1")
    lines = [" * Serving Flask app 'app'", " * Debug mode: off",
             "WARNING: This is a development server. Do not use it in a production deployment. "
             "Use a production WSGI server instead."]
    if host == "0.0.0.0":
        lines += [" * Running on all addresses (0.0.0.0)", f" * Running on http://127.0.0.1:{port}"]
    else:
        lines.append(f" * Running on http://{host}:{port}")
    lines.append("Press CTRL+C to quit")
    ctx.err("".join(line + "\n" for line in lines))
    raise Forever()
