"""Likes with a note and the free members' like allowance (issue 16): the note is stored with
the like, shown in the recipient's Likes, and becomes the first chat message when the pair
matches; a free member's 101st like in 12 hours is refused with a message (429 for scripts
and htmx), premium members are not limited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError

from matching import services
from matching.models import Like, UserInteraction
from messaging.models import Message
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_pushes():
    with (
        mock.patch("matching.services.likes.push_to_user"),
        mock.patch("messaging.services.push_to_users"),
    ):
        yield


def test_note_goes_with_the_like_and_shows_in_the_recipients_likes(client):
    a, b = MemberFactory(name="Author"), MemberFactory(name="Reader")
    client.force_login(a.user)
    response = client.post(
        f"/members/{b.user_id}/like/",
        {"action": "like", "note": "  Loved your\nhiking photo!  "},
        headers={"Accept": "application/json"},
    )
    assert response.json() == {"liked": True, "match": False, "new_match": False}
    assert Like.objects.get(source=a, target=b).note == "Loved your hiking photo!"

    # Free: the count of notes, not the text or who wrote it.
    client.force_login(b.user)
    free = client.get("/lists/", {"type": "target"}).content.decode()
    assert "One of the likes came with a note." in free
    assert "Loved your hiking photo!" not in free

    b.user.premium_until = NOW.replace(year=2099)
    b.user.save(update_fields=["premium_until"])
    premium = client.get("/lists/", {"type": "target"}).content.decode()
    assert "<bdi>Loved your hiking photo!</bdi>" in premium
    assert "Author" in premium


def test_note_over_150_characters_is_refused_and_nothing_stored(client):
    a, b = MemberFactory(), MemberFactory()
    client.force_login(a.user)
    response = client.post(
        f"/members/{b.user_id}/like/",
        {"action": "like", "note": "x" * 151},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "A note can be at most 150 characters."
    assert not Like.objects.exists()
    assert services.like_note_clean("y" * 150) == "y" * 150
    with pytest.raises(ValidationError):
        services.like_note_clean("y" * 151)


def test_notes_become_the_first_chat_messages_when_the_like_turns_into_a_match(
    django_capture_on_commit_callbacks,
):
    a, b = MemberFactory(name="First"), MemberFactory(name="Second")
    with time_machine.travel(NOW, tick=False):
        services.like_toggle(source=a, target=b, like=True, note="Coffee on Sunday?")
    assert not Message.objects.exists()  # no match yet: no chat

    with (
        time_machine.travel(NOW + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.like_toggle(source=b, target=a, like=True, note="Yes! Where?")
    assert result.became_match
    messages = list(Message.objects.order_by("created", "id"))
    assert [(m.sender_id, m.recipient_id, m.text) for m in messages] == [
        (a.pk, b.pk, "Coffee on Sunday?"),
        (b.pk, a.pk, "Yes! Where?"),
    ]


def test_a_match_without_notes_sends_no_message(django_capture_on_commit_callbacks):
    a, b = MemberFactory(), MemberFactory()
    services.like_toggle(source=a, target=b, like=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.like_toggle(source=b, target=a, like=True)
    assert not Message.objects.exists()


def test_free_members_get_100_likes_per_12_hours(client, settings):
    assert settings.LIKES_PER_12_HOURS_FREE == 100
    me = MemberFactory()
    targets = [MemberFactory() for _ in range(102)]
    with time_machine.travel(NOW, tick=False):
        for target in targets[:99]:
            services.like_toggle(source=me, target=target, like=True)
        # An unlike does not give the like back.
        services.like_toggle(source=me, target=targets[0], like=False)
    client.force_login(me.user)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        ok = client.post(
            f"/members/{targets[99].user_id}/like/",
            {"action": "like"},
            headers={"Accept": "application/json"},
        )
        assert ok.status_code == 200  # the 100th
        over = client.post(
            f"/members/{targets[100].user_id}/like/",
            {"action": "like"},
            headers={"Accept": "application/json"},
        )
        assert over.status_code == 429
        assert over.json()["error"].startswith("You have used your 100 likes for now.")
        htmx = client.post(
            f"/members/{targets[100].user_id}/like/",
            {"action": "like"},
            headers={"HX-Request": "true"},
        )
        assert htmx.status_code == 429
        assert "100 likes" in htmx.content.decode()
        plain = client.post(
            f"/members/{targets[100].user_id}/like/", {"action": "like", "next": "/discover/"}
        )
        assert plain.status_code == 302
        assert plain["Location"] == "/discover/"
        # Liking someone already liked is no new like: still fine.
        again = client.post(
            f"/members/{targets[99].user_id}/like/",
            {"action": "like"},
            headers={"Accept": "application/json"},
        )
        assert again.status_code == 200
    assert not Like.objects.filter(source=me, target=targets[100]).exists()
    assert UserInteraction.objects.filter(user=me, action="like").count() == 100

    # 12 hours after the first likes the allowance is back.
    with time_machine.travel(NOW + timedelta(hours=12, seconds=1), tick=False):
        client.force_login(me.user)
        response = client.post(
            f"/members/{targets[100].user_id}/like/",
            {"action": "like"},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200


def test_premium_members_are_not_limited_and_the_number_is_a_setting(settings):
    settings.LIKES_PER_12_HOURS_FREE = 2
    free, premium = MemberFactory(), MemberFactory()
    premium.user.premium_until = NOW.replace(year=2099)
    premium.user.save(update_fields=["premium_until"])
    targets = [MemberFactory() for _ in range(3)]
    for target in targets[:2]:
        services.like_toggle(source=free, target=target, like=True)
    with pytest.raises(services.LimitReached):
        services.like_toggle(source=free, target=targets[2], like=True)
    for target in targets:
        services.like_toggle(source=premium, target=target, like=True)
    assert Like.objects.filter(source=premium).count() == 3
    assert services.likes_left(member=premium) is None
    assert services.likes_left(member=free) == 0


def test_a_note_of_only_invisible_characters_is_no_note():
    """Zero-width spaces alone would show an empty quote in Likes and, on a match, try to send
    an empty first message; they count as no note."""
    alice, bob = MemberFactory(), MemberFactory()
    services.like_toggle(source=alice, target=bob, like=True, note="\u200b\u2060\u200b \ufeff")
    assert Like.objects.get(source=alice, target=bob).note == ""
    assert services.like_note_clean("\u200bhi") == "\u200bhi"  # real text is kept as typed
