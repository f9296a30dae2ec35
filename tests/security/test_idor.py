"""IDOR: every URL that names another member's object answers 404 (or the login page for
anonymous visitors), never their data, and changes nothing (rules §4, §8, §10, §14)."""

from __future__ import annotations

import pytest
from django.test import Client

from messaging.models import Message
from messaging.services import message_send
from profiles.models import Photo
from stories.models import Story
from stories.services import story_publish
from tests.factories import MemberFactory, PhotoFactory, image_upload, make_match

pytestmark = pytest.mark.django_db

SECRET = "meet me at the secret place"


@pytest.fixture
def bobs_things(bob):
    carol = MemberFactory(name="Carol")
    make_match(bob, carol)  # only matches may chat (issue 16)
    message = message_send(sender=bob, recipient=carol, text=SECRET)
    photo = PhotoFactory(member=bob)
    private = story_publish(
        user=bob.user, upload=image_upload(), text_overlay=SECRET, privacy=Story.Privacy.PRIVATE
    )
    return {"message": message, "photo": photo, "story": private, "carol": carol}


def _message_urls(m: Message) -> list[tuple[str, str]]:
    return [("get", f"/messages/{m.pk}/")] + [
        ("post", f"/messages/{m.pk}/{action}/") for action in ("star", "archive", "delete", "read")
    ]


def _story_urls(s: Story) -> list[tuple[str, str]]:
    base = f"/stories/{s.pk}/"
    return [
        ("get", base + "?format=json"),
        ("get", base + "image/"),
        ("post", base + "view/"),
        ("post", base + "react/"),
        ("post", base + "reply/"),
        ("get", base + "insights/?format=json"),
        ("post", base + "delete/"),
    ]


def test_member_gets_404_for_other_peoples_objects(alice_client, bobs_things):
    m, photo, story = bobs_things["message"], bobs_things["photo"], bobs_things["story"]
    urls = _message_urls(m) + _story_urls(story)
    urls += [
        ("post", f"/members/edit/photos/{photo.pk}/delete/"),
        ("post", f"/members/edit/photos/{photo.pk}/main/"),
        ("get", "/moderation/"),
        ("post", "/moderation/act/"),
    ]
    for method, url in urls:
        data = {"reaction": "HEART", "text": "hi", "one": f"approve|photo:{photo.pk}"}
        response = (
            getattr(alice_client, method)(url, data)
            if method == "post"
            else (alice_client.get(url))
        )
        assert response.status_code == 404, (method, url, response.status_code)
        assert SECRET not in response.content.decode()
    m.refresh_from_db()
    assert not m.sender_deleted
    assert not m.recipient_deleted
    assert Photo.objects.filter(pk=photo.pk).exists()
    story.refresh_from_db()
    assert story.is_active
    assert story.views.count() == 0
    assert story.reactions.count() == 0


def test_anonymous_gets_login_or_404(bobs_things):
    anon = Client()
    m, photo, story = bobs_things["message"], bobs_things["photo"], bobs_things["story"]
    urls = _message_urls(m) + _story_urls(story)
    urls += [
        ("post", f"/members/edit/photos/{photo.pk}/delete/"),
        ("get", f"/members/{bobs_things['carol'].user_id}/"),
        ("get", f"/members/{bobs_things['carol'].user_id}/chat/"),
        ("get", "/settings/data/download/"),
        ("get", "/premium/success/?session_id=cs_test_1"),
        ("get", "/assistant/"),
        ("get", "/moderation/"),
    ]
    for method, url in urls:
        response = getattr(anon, method)(url)
        assert response.status_code in (302, 404), (method, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url
        assert SECRET not in response.content.decode()


def test_data_export_holds_only_my_data(alice_client, alice, bobs_things):
    response = alice_client.get("/settings/data/download/")
    body = response.content.decode()
    assert response.status_code == 200
    assert alice.user.email in body
    assert SECRET not in body
    assert bobs_things["carol"].user.email not in body


def test_self_actions_are_404(alice_client, alice):
    for url in ("like", "report", "block", "chat/send"):
        response = alice_client.post(f"/members/{alice.user_id}/{url}/", {"text": "x"})
        assert response.status_code == 404, url
