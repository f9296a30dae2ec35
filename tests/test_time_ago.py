"""Relative times ("just now", "5 minutes ago"), one helper for every page (QA: the
notifications list said "לפני 0 דקות" for something a few seconds old)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from miel.timefmt import time_ago
from notifications.models import Notification
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "en", "he"),
    [
        (0, "just now", "עכשיו"),
        (59, "just now", "עכשיו"),
        (-5, "just now", "עכשיו"),
        (60, "1\xa0minute ago", "לפני דקה"),
        (3 * 3600 + 120, "3\xa0hours ago", "לפני 3\xa0שעות"),
    ],
)
def test_time_ago_says_just_now_under_a_minute(seconds, en, he):
    when = NOW - timedelta(seconds=seconds)
    with translation.override("en"):
        assert time_ago(when, NOW) == en
    with translation.override("he"):
        assert time_ago(when, NOW) == he


def test_notification_list_says_just_now_for_a_new_notification(client):
    member = MemberFactory()
    Notification.objects.create(user=member.user, kind=Notification.Kind.MODERATION, detail="warn")
    client.force_login(member.user)
    body = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert "עכשיו" in body
    assert "0 דקות" not in body
    assert "0\xa0דקות" not in body
