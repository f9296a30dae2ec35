"""After a PostgreSQL outage the first request works, and /readyz tells the truth meanwhile
(issue 13 item 12).

A real server process (uvicorn, production pool settings) reaches the test database through a
TCP proxy the test stops and starts. The psycopg pool checks each connection as it is checked
out, so connections that died during the outage are replaced instead of answering 500.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection

from tests import celery_worker
from tests.asgi_server import asgi_server
from tests.conftest import is_postgresql, require_service
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


def get(server, path: str) -> requests.Response:
    return requests.get(f"{server.url}{path}", timeout=15)


def test_first_request_after_a_postgresql_outage_works_and_readyz_reports_it(transactional_db):
    require_service(is_postgresql(), "needs DATABASE_URL pointing at PostgreSQL")
    target = connection.settings_dict
    proxy = TcpProxy(target.get("HOST") or "127.0.0.1", int(target.get("PORT") or 5432))
    with proxy:
        database_url = proxy.url(celery_worker.test_database_url())
        assert urlsplit(database_url).port == proxy.port
        env = {
            "DATABASE_URL": database_url,
            "DB_POOL": "true",
            "DB_POOL_MIN": "2",
            "DB_POOL_MAX": "4",
            "READYZ_TIMEOUT_SECONDS": "1",
        }
        with asgi_server(extra_env=env) as server:
            for _ in range(4):  # the pool's connections all in use once
                assert get(server, "/readyz").status_code == 200
            ready = get(server, "/readyz")
            assert ready.status_code == 200
            assert ready.json()["checks"]["database"] == {
                "state": "up",
                "required": True,
                "ms": ready.json()["checks"]["database"]["ms"],
            }

            # An outage nobody noticed: every pooled connection died meanwhile.
            proxy.stop()
            time.sleep(0.2)
            proxy.start()
            response = get(server, "/readyz")
            assert response.status_code == 200, response.text[:300]
            assert get(server, "/readyz").status_code == 200
            assert get(server, "/healthz").status_code == 200  # liveness never looked

            # During an outage /readyz answers 503 quickly and says which service is down.
            proxy.stop()
            started = time.monotonic()
            response = get(server, "/readyz")
            assert time.monotonic() - started < 5
            assert response.status_code == 503
            report = response.json()
            assert report["status"] == "not ready"
            assert report["checks"]["database"]["state"] in {"down", "timeout"}
            assert report["checks"]["database"]["required"] is True
            # Redis answers: the other services are reported up.
            if report["checks"]["cache"]["state"] != "not used":
                assert report["checks"]["cache"]["state"] == "up"

            proxy.start()
            assert get(server, "/healthz").status_code == 200
            assert get(server, "/readyz").status_code == 200
