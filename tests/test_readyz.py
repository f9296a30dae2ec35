"""/readyz: each service's state as JSON, 503 when a required one is down, never hanging
(issue 13 item 12). The real PostgreSQL outage is in tests/test_database_outage.py."""

from __future__ import annotations

import socket
import time

import pytest

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_readyz_reports_each_service_and_is_ready_with_the_database_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ready"
    assert set(report["checks"]) == {"database", "cache", "channel_layer", "broker", "replica"}
    assert report["checks"]["database"]["state"] == "up"
    assert report["checks"]["database"]["required"] is True
    assert "no-cache" in response["Cache-Control"]


def test_a_required_service_down_answers_503_and_an_optional_one_does_not(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "miel.cache.DegradingRedisCache", "LOCATION": DEAD_REDIS}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    response = client.get("/readyz")
    assert response.status_code == 200  # Redis is not required by default: the site serves
    assert response.json()["checks"]["cache"] == {
        "state": "down",
        "required": False,
        "ms": response.json()["checks"]["cache"]["ms"],
    }

    settings.READYZ_REQUIRED = ["database", "cache"]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"]["cache"]["state"] == "down"


def test_a_service_that_hangs_does_not_hang_readyz(client, settings):
    """A Redis that accepts the connection and never answers: the probe still returns in
    about READYZ_TIMEOUT_SECONDS."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # never accepted: connects succeed, PING gets no answer
    try:
        port = silent.getsockname()[1]
        settings.READYZ_TIMEOUT_SECONDS = 0.5
        settings.READYZ_REQUIRED = ["database", "channel_layer"]
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [f"redis://127.0.0.1:{port}/0"]},
            }
        }
        started = time.monotonic()
        response = client.get("/readyz")
        assert time.monotonic() - started < 2
        assert response.status_code == 503
        assert response.json()["checks"]["channel_layer"]["state"] in {"down", "timeout"}
    finally:
        silent.close()


def test_healthz_stays_a_cheap_liveness_check(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # process alive: no database, no Redis
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
