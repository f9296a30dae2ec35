"""/readyz of a real server turns 503 within 5 s of Redis or PostgreSQL becoming unreachable,
and 200 again within 5 s of its return (issue 21). Both services are reached through a TCP
proxy the test stops and starts."""

from __future__ import annotations

import time

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests import celery_worker
from tests.asgi_server import asgi_server
from tests.conftest import is_postgresql, require_service
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


def _status_within(server, expected: int, seconds: float) -> float:
    """Poll /readyz until it answers ``expected``; the seconds it took (fails after
    ``seconds``)."""
    started = time.monotonic()
    last = None
    while time.monotonic() - started < seconds:
        try:
            last = requests.get(f"{server.url}/readyz", timeout=seconds).status_code
        except requests.RequestException:
            last = None
        if last == expected:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"/readyz still {last} after {seconds} s (expected {expected})")


def test_readyz_follows_redis_and_postgresql_going_away_and_coming_back(transactional_db):
    require_service(is_postgresql(), "needs DATABASE_URL pointing at PostgreSQL")
    require_service(bool(settings.REDIS_URL), "needs REDIS_URL")
    db = connection.settings_dict
    redis_host, redis_port = "127.0.0.1", int(settings.REDIS_URL.split(":")[2].split("/")[0])
    with (
        TcpProxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)) as pg_proxy,
        TcpProxy(redis_host, redis_port) as redis_proxy,
    ):
        env = {
            "DATABASE_URL": pg_proxy.url(celery_worker.test_database_url()),
            "REDIS_URL": redis_proxy.url(settings.REDIS_URL),
            "DB_POOL": "true",
            "READYZ_TIMEOUT_SECONDS": "1",
            "READYZ_REQUIRED": "database,cache,broker",
            "REDIS_RETRY_SECONDS": "1",
        }
        with asgi_server(extra_env=env) as server:
            _status_within(server, 200, 5)

            redis_proxy.stop()
            assert _status_within(server, 503, 5) < 5
            report = requests.get(f"{server.url}/readyz", timeout=5).json()
            assert report["checks"]["cache"]["state"] in {"down", "timeout"}
            assert report["checks"]["database"]["state"] == "up"
            redis_proxy.start()
            assert _status_within(server, 200, 5) < 5

            pg_proxy.stop()
            assert _status_within(server, 503, 5) < 5
            report = requests.get(f"{server.url}/readyz", timeout=5).json()
            assert report["checks"]["database"]["state"] in {"down", "timeout"}
            assert report["checks"]["cache"]["state"] == "up"
            pg_proxy.start()
            assert _status_within(server, 200, 5) < 5
