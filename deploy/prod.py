"""`make prod`: Miel's production topology on this machine (issue 21, README "Production").

nginx (Debian's, in the foreground, on ``PROD_PORT``) in front of ``WEB_SERVERS`` gunicorn
(WSGI) servers and ``WS_SERVERS`` uvicorn (ASGI, ``/ws/``) servers, a Celery worker and beat,
PgBouncer in transaction mode between all of them and PostgreSQL (``DATABASE_URL``), and Redis
(``REDIS_URL``) for the channel layer, cache and broker. Every process runs under honcho from a
Procfile rendered into the run directory from the project's ``Procfile``; each server is
wrapped in ``deploy/bin/respawn`` so one that dies comes back (as systemd's ``Restart=always``).

Before the servers start: ``migrate`` (straight to PostgreSQL, not through PgBouncer) and
``collectstatic``. ``python deploy/prod.py render`` only writes the configuration files.

Every setting comes from the environment (README's table); the run directory
(``PROD_RUN_DIR``, default ``var/prod``) holds the rendered nginx.conf, miel.conf,
pgbouncer.ini, the Procfile, the nginx access log (JSON lines with the upstream of each
request) and the servers' pid files.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEPLOY_DIR = BASE_DIR / "deploy"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
PGBOUNCER = os.environ.get("PGBOUNCER_BIN", "/usr/sbin/pgbouncer")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        sys.exit(f"prod: {name} must be a whole number, not {value!r}")


@dataclass
class Topology:
    """What `make prod` starts, read from the environment."""

    host: str = "127.0.0.1"
    port: int = 8080
    web_servers: int = 2
    ws_servers: int = 2
    web_port_base: int = 8101
    ws_port_base: int = 8201
    pgbouncer: bool = True
    pgbouncer_port: int = 6432
    pool_size: int = 20
    reserve_pool_size: int = 5
    run_dir: Path = BASE_DIR / "var" / "prod"
    database_url: str = ""
    redis_url: str = ""
    media_root: Path = BASE_DIR / "media"
    static_root: Path = BASE_DIR / "staticfiles"
    accel_prefix: str = "/protected-media/"
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Topology:
        """The topology described by the environment variables (README "Production")."""
        env = os.environ
        topo = cls(
            host=env.get("PROD_HOST", "127.0.0.1"),
            port=_int("PROD_PORT", 8080),
            web_servers=_int("WEB_SERVERS", 2),
            ws_servers=_int("WS_SERVERS", 2),
            web_port_base=_int("WEB_PORT_BASE", 8101),
            ws_port_base=_int("WS_PORT_BASE", 8201),
            pgbouncer=env.get("PGBOUNCER", "true").lower() not in ("0", "false", "no", "off"),
            pgbouncer_port=_int("PGBOUNCER_PORT", 6432),
            pool_size=_int("PGBOUNCER_POOL_SIZE", 20),
            reserve_pool_size=_int("PGBOUNCER_RESERVE_POOL_SIZE", 5),
            run_dir=Path(env.get("PROD_RUN_DIR") or BASE_DIR / "var" / "prod").resolve(),
            database_url=env.get("DATABASE_URL", ""),
            redis_url=env.get("REDIS_URL", ""),
            media_root=Path(env.get("MEDIA_ROOT") or BASE_DIR / "media").resolve(),
            accel_prefix=env.get("MEDIA_ACCEL_REDIRECT_PREFIX", "/protected-media/"),
        )
        if topo.web_servers < 1 or topo.ws_servers < 1:
            sys.exit("prod: WEB_SERVERS and WS_SERVERS must be at least 1")
        if not topo.database_url.startswith(("postgres://", "postgresql://")):
            sys.exit("prod: set DATABASE_URL to a PostgreSQL database (postgres://...)")
        if not topo.redis_url.startswith(("redis://", "rediss://")):
            sys.exit("prod: set REDIS_URL (redis://127.0.0.1:6379/0)")
        return topo

    @property
    def web_ports(self) -> list[int]:
        return [self.web_port_base + i for i in range(self.web_servers)]

    @property
    def ws_ports(self) -> list[int]:
        return [self.ws_port_base + i for i in range(self.ws_servers)]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def render(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{{ NAME }}`` replaced; an unknown or missing name is an error."""

    def one(match: re.Match[str]) -> str:
        return values[match.group(1)]

    text = re.sub(r"\{\{ ([A-Z_]+) \}\}", one, template)
    if "{{" in text:
        raise ValueError("unrendered placeholder left in template")
    return text


def _upstream_lines(ports: list[int]) -> str:
    # max_fails=1: one refused connection takes a server out for fail_timeout, then nginx
    # tries it again (a restarted server rejoins by itself).
    return "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports)


def _nginx_user_line() -> str:
    """nginx started as root runs its workers as another user; as the checkout's owner they
    can read the static and media files and write the run directory."""
    if os.geteuid() != 0:
        return "# (not root: the workers run as the current user)"
    owner = pwd.getpwuid(BASE_DIR.stat().st_uid).pw_name
    return f"user {owner};"


def _pgbouncer_user() -> str | None:
    """PgBouncer refuses to run as root: switch to this user (``-u``) when started as root."""
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get("PGBOUNCER_USER", "postgres")
    try:
        pwd.getpwnam(wanted)
    except KeyError:
        return "nobody"
    return wanted


def pooled_database_url(topo: Topology) -> str:
    """``DATABASE_URL`` pointed at PgBouncer (same user, password, database and options)."""
    parts = urlsplit(topo.database_url)
    auth = ""
    if parts.username:
        auth = quote(unquote(parts.username), safe="")
        if parts.password:
            auth += ":" + quote(unquote(parts.password), safe="")
        auth += "@"
    query = f"?{parts.query}" if parts.query else ""
    return f"postgres://{auth}127.0.0.1:{topo.pgbouncer_port}{parts.path}{query}"


def write_configs(topo: Topology) -> dict[str, Path]:
    """Render nginx.conf, miel.conf, pgbouncer.ini and its userlist into the run directory."""
    run = topo.run_dir
    for sub in ("nginx", "pgbouncer", "pids", "hold", "logs"):
        (run / sub).mkdir(parents=True, exist_ok=True)
    site = render(
        (DEPLOY_DIR / "nginx" / "miel.conf.template").read_text(),
        {
            "WEB_SERVERS": _upstream_lines(topo.web_ports),
            "WS_SERVERS": _upstream_lines(topo.ws_ports),
            "LISTEN": f"{topo.host}:{topo.port}",
            "SERVER_NAME": "_",
            "ACCESS_LOG": str(run / "logs" / "nginx-access.log"),
            "STATIC_ROOT": str(topo.static_root),
            "MEDIA_ROOT": str(topo.media_root),
            "MEDIA_ACCEL_PREFIX": topo.accel_prefix,
        },
    )
    (run / "nginx" / "miel.conf").write_text(site)
    main = render(
        (DEPLOY_DIR / "nginx" / "nginx.conf.template").read_text(),
        {"RUN_DIR": str(run), "USER_LINE": _nginx_user_line()},
    )
    (run / "nginx" / "nginx.conf").write_text(main)
    paths = {"nginx": run / "nginx" / "nginx.conf", "site": run / "nginx" / "miel.conf"}

    db = urlsplit(topo.database_url)
    user = unquote(db.username or "postgres")
    password = unquote(db.password or "")
    procs = topo.web_servers * _int("WEB_WORKERS", 2) + topo.ws_servers
    max_client = procs * _int("DB_POOL_MAX", 8) + 2 * _int("WORKER_CONCURRENCY", 2) + 50
    ini = render(
        (DEPLOY_DIR / "pgbouncer.ini.template").read_text(),
        {
            "PG_HOST": db.hostname or "127.0.0.1",
            "PG_PORT": str(db.port or 5432),
            "PG_USER": user,
            "LISTEN_ADDR": "127.0.0.1",
            "LISTEN_PORT": str(topo.pgbouncer_port),
            "RUN_DIR": str(run),
            "AUTH_TYPE": "scram-sha-256" if password else "trust",
            "POOL_SIZE": str(topo.pool_size),
            "RESERVE_POOL_SIZE": str(topo.reserve_pool_size),
            "MAX_CLIENT_CONN": str(max_client),
        },
    )
    (run / "pgbouncer" / "pgbouncer.ini").write_text(ini)
    userlist = run / "pgbouncer" / "userlist.txt"
    userlist.write_text(f'"{user}" "{password}"\n')
    userlist.chmod(0o600)
    bouncer_user = _pgbouncer_user()
    if bouncer_user:
        account = pwd.getpwnam(bouncer_user)
        for path in (run / "pgbouncer", userlist, run / "pgbouncer" / "pgbouncer.ini"):
            os.chown(path, account.pw_uid, account.pw_gid)
    paths["pgbouncer"] = run / "pgbouncer" / "pgbouncer.ini"
    return paths


def _procfile_commands() -> dict[str, str]:
    commands: dict[str, str] = {}
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, command = line.partition(":")
        if "'" in command:
            raise ValueError(f"Procfile entry {name} must not contain single quotes")
        commands[name.strip()] = command.strip()
    return commands


def write_procfile(topo: Topology, paths: dict[str, Path]) -> Path:
    """The run's Procfile: web1..N and ws1..N from the project's Procfile on their own ports,
    each under deploy/bin/respawn, plus worker, beat, nginx and PgBouncer."""
    commands = _procfile_commands()
    respawn = DEPLOY_DIR / "bin" / "respawn"
    lines = []
    for kind, ports in (("web", topo.web_ports), ("ws", topo.ws_ports)):
        for i, port in enumerate(ports, start=1):
            lines.append(f"{kind}{i}: PORT={port} {respawn} {kind}{i} '{commands[kind]}'")
    lines.append(f"worker: {respawn} worker '{commands['worker']}'")
    lines.append(f"beat: {respawn} beat '{commands['beat']}'")
    run = topo.run_dir
    lines.append(f"nginx: exec {NGINX} -e stderr -p {run}/nginx -c {paths['nginx']}")
    if topo.pgbouncer:
        user = _pgbouncer_user()
        as_user = f" -u {user}" if user else ""
        lines.append(f"pgbouncer: exec {PGBOUNCER}{as_user} {paths['pgbouncer']}")
    procfile = run / "Procfile"
    procfile.write_text("\n".join(lines) + "\n")
    return procfile


def _secret_key(topo: Topology) -> str:
    """``DJANGO_SECRET_KEY``, or one kept in the run directory (sessions survive a restart)."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    path = topo.run_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def process_env(topo: Topology) -> dict[str, str]:
    """The environment of every process: production mode behind one proxy of ours."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["DJANGO_DEBUG"] = "false"  # the production topology, whatever the shell says
    env["DJANGO_SECRET_KEY"] = _secret_key(topo)
    # This machine is reached over plain HTTP; a real site puts TLS in front and leaves these.
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    env.setdefault("SITE_URL", topo.url)
    env.setdefault("TRUSTED_PROXY_COUNT", "1")
    env["MEDIA_ACCEL_REDIRECT"] = "true"
    env["MEDIA_ROOT"] = str(topo.media_root)
    env["PROD_RUN_DIR"] = str(topo.run_dir)
    env.setdefault("BEAT_SCHEDULE", str(topo.run_dir / "celerybeat-schedule"))
    # /metrics adds up every server's and worker's files (miel/metrics.py); emptied at start.
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(topo.run_dir / "metrics"))
    env.setdefault("METRICS_ALLOWED_IPS", "127.0.0.1,::1")  # nginx lets only this machine in
    env.update(topo.extra_env)
    return env


def server_env(topo: Topology) -> dict[str, str]:
    """What the servers, worker and beat see: the database through PgBouncer."""
    env = process_env(topo)
    if topo.pgbouncer:
        env["DATABASE_URL"] = pooled_database_url(topo)
        env["DATABASE_POOLER"] = "pgbouncer"
    return env


def setup(topo: Topology) -> None:
    """migrate (straight to PostgreSQL: a migration may need a session) and collectstatic."""
    env = process_env(topo)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput", "-v", "0"]):
        print(f"prod: manage.py {' '.join(args)}", flush=True)
        subprocess.run([*manage, *args], cwd=BASE_DIR, env=env, check=True)  # noqa: S603


def main(argv: list[str]) -> None:
    """``prod.py`` starts everything (honcho in the foreground); ``prod.py render`` only writes
    the configuration into the run directory."""
    if (BASE_DIR / ".env").is_file():  # as miel/settings.py does; the environment wins
        import environ

        environ.Env.read_env(BASE_DIR / ".env")
    topo = Topology.from_env()
    topo.run_dir.mkdir(parents=True, exist_ok=True)
    paths = write_configs(topo)
    procfile = write_procfile(topo, paths)
    if argv[:1] == ["render"]:
        print(f"prod: configuration written to {topo.run_dir}")
        return
    for binary in [NGINX] + ([PGBOUNCER] if topo.pgbouncer else []):
        if not Path(binary).exists():
            sys.exit(f"prod: {binary} is missing (apt-get install nginx pgbouncer)")
    # Every process, migrate included, writes its metrics there (miel/metrics.py): a new run
    # counts from zero.
    metrics_dir = Path(process_env(topo)["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    setup(topo)
    for stale in (topo.run_dir / "hold").iterdir():
        stale.unlink()
    env_file = topo.run_dir / "honcho.env"
    env_file.write_text("")  # the environment comes from here, not from a .env file
    honcho = shutil.which("honcho", path=str(Path(sys.executable).parent)) or "honcho"
    print(
        f"prod: {topo.url} -> {topo.web_servers} HTTP servers {topo.web_ports}, "
        f"{topo.ws_servers} WebSocket servers {topo.ws_ports}"
        + (f", PgBouncer on {topo.pgbouncer_port}" if topo.pgbouncer else ""),
        flush=True,
    )
    os.chdir(BASE_DIR)
    os.execve(  # noqa: S606 (honcho replaces this process: its pid is the topology's)
        honcho,
        [honcho, "start", "-f", str(procfile), "-d", str(BASE_DIR), "-e", str(env_file)],
        server_env(topo),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
