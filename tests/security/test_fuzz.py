"""Junk in query strings and form fields is a 400 or ignored, never a 500 (rules §0)."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

JUNK = ["-1", "0", "99999999999999999999999", "abc", "1e309", "nan", "inf", "\x00", "' OR 1=1--"]


@pytest.fixture
def quiet_client(alice) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(alice.user)
    return client


def test_list_pages_survive_junk_params(quiet_client, bob):
    pages = {
        "/members/": [
            "size",
            "age_min",
            "age_max",
            "distance",
            "order",
            "gender",
            "interests",
            "cursor",
            "online",
        ],
        "/lists/": ["type", "cursor"],
        "/messages/": ["container", "cursor"],
        "/smart-matches/": ["page", "refresh"],
        "/stories/strip/": ["cursor"],
        "/views/": ["page"],
        "/premium/status/": ["poll"],
        "/location/cities/": ["q"],
        f"/members/{bob.user_id}/": ["tab"],
        f"/members/{bob.user_id}/chat/": ["before", "partial"],
    }
    for url, params in pages.items():
        for param in params:
            for junk in JUNK:
                for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                    response = quiet_client.get(url, {param: junk}, **headers)
                    assert response.status_code < 500, (url, param, junk, headers)


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "2026-01-01",
    ],
)
def test_tampered_message_cursors_never_500(quiet_client, bob, raw):
    cursor = _cursor(f"{raw}|{uuid.uuid4()}")
    assert quiet_client.get("/messages/", {"cursor": cursor}).status_code < 500
    chat = quiet_client.get(f"/members/{bob.user_id}/chat/", {"before": cursor})
    assert chat.status_code < 500


@pytest.mark.parametrize("seconds", ["inf", "-inf", "nan", "1e309", "abc", ""])
def test_view_duration_beacon_rejects_non_finite_numbers(quiet_client, bob, seconds):
    response = quiet_client.post(
        "/views/duration/", {"user_id": str(bob.user_id), "seconds": seconds}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("hours", ["-24", "0", "abc", "1e9", "99999999999999999999"])
def test_boost_hours_junk_is_4xx(quiet_client, hours):
    response = quiet_client.post("/premium/boost/", {"hours": hours})
    assert 400 <= response.status_code < 500
