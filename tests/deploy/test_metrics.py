"""/metrics (issue 21): the named metrics after a member journey, only for allowed clients."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from matching.models import Like
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)

NAMED = [
    "miel_http_request_duration_seconds_bucket",
    "miel_http_requests_total",
    "miel_db_queries_total",
    "miel_db_query_duration_seconds_sum",
    "miel_celery_tasks_total",
    "miel_websockets_open",
    "miel_messages_sent_total",
    "miel_matches_total",
]


def _value(text: str, prefix: str) -> float:
    """The sum of the samples whose line starts with ``prefix``."""
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix)
    )


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_ALLOWED_IPS = ["10.1.2.0/24", "192.0.2.7"]
    settings.METRICS_TOKEN = "s3cret-token-for-tests"
    return settings


def test_after_a_journey_the_named_metrics_appear_for_an_allowed_address(client, metrics_settings):
    before = client.get("/metrics", REMOTE_ADDR="10.1.2.3").text
    me = MemberFactory()
    other = MemberFactory(gender="male")
    Like.objects.create(source=other, target=me)

    signed_in = client.post(
        "/accounts/login/", {"login": me.user.email, "password": "correct-horse-battery"}
    )
    assert signed_in.status_code == 302
    liked = client.post(f"/members/{other.user_id}/like/", {"action": "like"})
    assert liked.status_code in (200, 302)
    sent = client.post(
        f"/members/{other.user_id}/chat/send/",
        {"text": "Hello there", "confirm_nudge": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert sent.status_code in (200, 201, 204), sent.content[:300]

    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.text
    for name in NAMED:
        assert name in text, name
    assert 'view="matching:like"' in text
    assert 'view="messaging:chat_send"' in text
    assert _value(text, "miel_matches_total") >= _value(before, "miel_matches_total") + 1
    assert (
        _value(text, "miel_messages_sent_total") >= _value(before, "miel_messages_sent_total") + 1
    )
    assert _value(text, 'miel_db_queries_total{alias="default"}') > 0
    assert 'state="succeeded"' in text  # the e-mail tasks (eager) counted
    for leak in (me.user.email, str(me.user_id), "Hello there"):
        assert leak not in text


def test_metrics_are_refused_to_other_addresses_and_wrong_tokens(client, metrics_settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.8").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
    wrong = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer not-the-token"
    )
    assert wrong.status_code == 404
    right = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_AUTHORIZATION="Bearer s3cret-token-for-tests",
    )
    assert right.status_code == 200


def test_a_forged_forwarded_for_does_not_open_metrics(client, metrics_settings):
    metrics_settings.TRUSTED_PROXY_COUNT = 1
    forged = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3, 203.0.113.9"
    )
    assert forged.status_code == 404  # the proxy saw 203.0.113.9
    real = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert real.status_code == 200


def test_nothing_is_open_by_default(client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_open_websockets_are_counted_from_accept_to_close():
    from miel.metrics import WEBSOCKETS_OPEN, WebSocketMetrics

    seen: list[float] = []

    async def app(scope, receive, send):
        await send({"type": "websocket.accept"})
        seen.append(WEBSOCKETS_OPEN._value.get())
        await send({"type": "websocket.close"})
        seen.append(WEBSOCKETS_OPEN._value.get())

    async def noop_send(message):
        return None

    start = WEBSOCKETS_OPEN._value.get()
    asyncio.run(WebSocketMetrics(app)({"type": "websocket"}, None, noop_send))
    assert seen == [start + 1, start]
    assert WEBSOCKETS_OPEN._value.get() == start


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    bump = "from miel import metrics; metrics.MESSAGES_SENT.inc(); metrics.MATCHES.inc(2)"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", bump], env=env, check=True, timeout=60)  # noqa: S603
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from miel import metrics; print(metrics.render_metrics().decode())",
        ],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    assert "miel_messages_sent_total 2.0" in out
    assert "miel_matches_total 4.0" in out
