"""Structured logs and Sentry scrubbing (issue 21)."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest

from miel.logs import logging_config, user_hash
from miel.sentry import scrub

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """Production's logging configuration, writing to a buffer; restored afterwards."""
    from django.conf import settings

    buffer = io.StringIO()
    config = logging_config(json=True, level="INFO")
    config["handlers"]["console"]["stream"] = buffer  # type: ignore[index]
    logging.config.dictConfig(config)
    try:
        yield buffer
    finally:
        logging.config.dictConfig(settings.LOGGING)


def _lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_request_logs_one_json_line_with_request_id_user_hash_view_status_duration(
    member_client, json_log
):
    member = member_client.member
    response = member_client.get("/me/", HTTP_X_REQUEST_ID="req-abc-123")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-abc-123"
    requests = [line for line in _lines(json_log) if line.get("logger") == "miel.request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["message"] == "request"
    assert line["request_id"] == "req-abc-123"
    assert line["user"] == user_hash(member.user_id)
    assert line["view"] == "profiles:me"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")  # ISO 8601, UTC
    raw = json_log.getvalue()
    assert str(member.user_id) not in raw
    assert member.user.email not in raw


def test_a_bad_request_id_is_replaced_and_anonymous_requests_have_no_user(client, json_log):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>" * 20)
    assert len(response["X-Request-ID"]) == 32
    line = next(x for x in _lines(json_log) if x.get("logger") == "miel.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user"] == ""
    assert line["view"] == "healthz"


def test_records_logged_inside_a_request_carry_its_id(rf, json_log):
    from django.http import HttpResponse

    from miel.logs import RequestLogMiddleware

    def view(request):
        logging.getLogger("miel.views").warning("inside")
        return HttpResponse("ok")

    response = RequestLogMiddleware(view)(rf.get("/x", HTTP_X_REQUEST_ID="rid-7"))
    assert response["X-Request-ID"] == "rid-7"
    inside = next(x for x in _lines(json_log) if x.get("message") == "inside")
    assert inside["request_id"] == "rid-7"
    assert inside["level"] == "WARNING"


def test_user_hash_is_stable_and_keyed(settings):
    assert user_hash("abc") == user_hash("abc")
    assert len(user_hash("abc")) == 16
    first = user_hash("abc")
    settings.SECRET_KEY = "another-key-" * 5
    assert user_hash("abc") != first


def test_development_logs_are_plain_text():
    config = logging_config(json=False, level="INFO")
    assert "()" not in config["formatters"]["main"]  # type: ignore[index]


def test_sentry_events_lose_emails_cookies_bodies_and_user_ids():
    event = {
        "message": "login failed for dana@example.com",
        "exception": {"values": [{"type": "ValueError", "value": "bad a.b@mail.co.il"}]},
        "request": {
            "url": "https://miel.example.com/accounts/login/",
            "cookies": {"sessionid": "abc"},
            "data": {"login": "dana@example.com", "password": "x"},
            "query_string": "email=dana@example.com",
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "UA", "Authorization": "t"},
        },
        "user": {"id": "1234", "email": "dana@example.com", "ip_address": "203.0.113.9"},
        "breadcrumbs": {"values": [{"message": "sent to dana@example.com"}]},
    }
    cleaned = scrub(event, {})
    text = json.dumps(cleaned)
    assert "dana@example.com" not in text
    assert "a.b@mail.co.il" not in text
    assert "sessionid" not in text
    assert "password" not in text
    assert "203.0.113.9" not in text
    assert cleaned["request"]["headers"]["User-Agent"] == "UA"
    assert cleaned["user"] == {"id": user_hash("1234")}


def test_sentry_is_initialised_without_personal_data_when_a_dsn_is_set(monkeypatch):
    import sentry_sdk

    captured = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **kw: captured.update(kw))
    from miel import sentry

    sentry.init(dsn="https://key@sentry.example/1", environment="test", traces_sample_rate=0.0)
    assert captured["send_default_pii"] is False
    assert captured["before_send"] is scrub
    assert captured["max_request_body_size"] == "never"
