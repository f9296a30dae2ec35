"""Stored XSS: hostile text in every user-written field is escaped on every page that shows
it, including htmx partials, json_script data and the staff queue (rules §0)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from matching.models import Like, Report
from messaging.services import message_send
from stories.models import Story
from stories.services import story_publish
from tests.factories import MemberFactory, image_upload

pytestmark = pytest.mark.django_db

PAYLOAD = '"><img src=x onerror=alert(1)></script><script>alert(2)</script>'
RAW = ("<img src=x onerror", "<script>alert(2)")


def _assert_escaped(response, url):
    body = response.content.decode()
    for raw in RAW:
        assert raw not in body, url


def test_hostile_member_text_is_escaped_everywhere(alice, alice_client):
    mallory = MemberFactory(name=PAYLOAD, description=PAYLOAD, city=PAYLOAD[:100])
    Like.objects.create(source=mallory, target=alice)
    Like.objects.create(source=alice, target=mallory)
    message_send(sender=mallory, recipient=alice, text=PAYLOAD)
    story = story_publish(
        user=mallory.user,
        upload=image_upload(),
        text_overlay=PAYLOAD[:100],
        privacy=Story.Privacy.PUBLIC,
    )
    uid = mallory.user_id
    urls = [
        "/members/?distance=any",
        f"/members/{uid}/",
        f"/members/{uid}/?tab=photos",
        f"/members/{uid}/chat/",
        f"/members/{uid}/report/",
        "/messages/",
        "/lists/?type=mutual",
        "/lists/?type=target",
        "/smart-matches/",
        f"/stories/{story.pk}/",
        "/stories/strip/",
        "/assistant/",
    ]
    for url in urls:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = alice_client.get(url, **headers)
            assert response.status_code == 200, url
            _assert_escaped(response, url)
            for name, value in response.items():
                assert "onerror" not in value, (url, name)


def test_assistant_echo_and_reply_are_escaped(alice_client):
    alice_client.post("/assistant/send/", {"text": PAYLOAD}, HTTP_HX_REQUEST="true")
    _assert_escaped(alice_client.get("/assistant/"), "/assistant/")
    _assert_escaped(alice_client.get("/assistant/", HTTP_HX_REQUEST="true"), "panel")


def test_report_text_is_escaped_for_moderators(alice):
    Report.objects.create(
        reporter=alice.user,
        reported=MemberFactory(name=PAYLOAD).user,
        reason=Report.Reason.OTHER,
        text=PAYLOAD,
    )
    staff = User.objects.create_user(email="mod@example.com", password="x", is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get("/moderation/")
    assert response.status_code == 200
    _assert_escaped(response, "/moderation/")
