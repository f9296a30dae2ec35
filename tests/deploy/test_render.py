"""`make prod`'s configuration (deploy/prod.py, issue 21): what it renders is valid for nginx
and PgBouncer, and Django talks to PgBouncer the way transaction pooling needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

BASE_DIR = Path(__file__).resolve().parent.parent.parent
NGINX = "/usr/sbin/nginx"

ENV = {
    "DATABASE_URL": "postgres://miel:s3cret@db.internal:5433/miel",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "WEB_SERVERS": "3",
    "WS_SERVERS": "2",
    "PROD_PORT": "18080",
    "WEB_PORT_BASE": "18101",
    "WS_PORT_BASE": "18201",
    "PGBOUNCER_PORT": "16432",
}


def render(tmp_path: Path, **extra: str) -> Path:
    run_dir = tmp_path / "run"
    env = {**os.environ, **ENV, "PROD_RUN_DIR": str(run_dir), **extra}
    subprocess.run(  # noqa: S603
        [sys.executable, str(BASE_DIR / "deploy" / "prod.py"), "render"],
        env=env,
        check=True,
        capture_output=True,
    )
    return run_dir


def test_rendered_nginx_configuration_has_every_server_as_upstream_and_passes_nginx_t(tmp_path):
    require_service(os.path.exists(NGINX), f"needs nginx at {NGINX}")
    run_dir = render(tmp_path)
    site = (run_dir / "nginx" / "miel.conf").read_text()
    for port in (18101, 18102, 18103, 18201, 18202):
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" in site
    assert "listen 127.0.0.1:18080;" in site
    assert "proxy_next_upstream error timeout" in site
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in site
    assert "location /protected-media/ {\n        internal;" in site
    assert "{{" not in site
    result = subprocess.run(  # noqa: S603
        [
            NGINX,
            "-t",
            "-e",
            "stderr",
            "-p",
            str(run_dir / "nginx"),
            "-c",
            str(run_dir / "nginx" / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_rendered_procfile_runs_each_server_on_its_port_and_pgbouncer_in_transaction_mode(
    tmp_path,
):
    run_dir = render(tmp_path)
    procfile = (run_dir / "Procfile").read_text().splitlines()
    names = [line.split(":")[0] for line in procfile]
    assert names == ["web1", "web2", "web3", "ws1", "ws2", "worker", "beat", "nginx", "pgbouncer"]
    assert procfile[0].startswith("web1: PORT=18101 ")
    assert "gunicorn miel.wsgi:application" in procfile[0]
    assert procfile[4].startswith("ws2: PORT=18202 ")
    assert "uvicorn miel.asgi:application" in procfile[4]
    ini = (run_dir / "pgbouncer" / "pgbouncer.ini").read_text()
    assert "pool_mode = transaction" in ini
    assert "* = host=db.internal port=5433 " in ini
    assert "listen_port = 16432" in ini
    assert "auth_type = scram-sha-256" in ini  # the URL has a password
    assert (run_dir / "pgbouncer" / "userlist.txt").read_text() == '"miel" "s3cret"\n'


def test_without_pgbouncer_the_procfile_has_no_pgbouncer(tmp_path):
    run_dir = render(tmp_path, PGBOUNCER="false")
    assert "pgbouncer:" not in (run_dir / "Procfile").read_text()


@pytest.mark.parametrize("pooler", ["", "pgbouncer"])
def test_django_behind_pgbouncer_uses_no_server_side_cursors_nor_prepared_statements(pooler):
    code = (
        "import json; from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(json.dumps({'ssc': d.get('DISABLE_SERVER_SIDE_CURSORS', False),"
        " 'prepare': d['OPTIONS'].get('prepare_threshold', 'unset'),"
        " 'options': d['OPTIONS'].get('options', '')}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "miel.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:6432/miel",
        "DATABASE_POOLER": pooler,
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["prepare"] is None
    if pooler:
        assert found["ssc"] is True
        assert found["options"] == ""  # PgBouncer 1.18 refuses the startup parameter
    else:
        assert found["ssc"] is False
        assert "max_parallel_workers_per_gather=0" in found["options"]
