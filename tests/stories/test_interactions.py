"""Views, reactions, replies, owner analytics and deletion (rules §10)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from stories.models import Story, StoryReaction, StoryReply, StoryView
from stories.services import (
    StoryExpired,
    StoryForbidden,
    story_react,
    story_view_record,
)
from tests.concurrency import run_concurrently
from tests.factories import MemberFactory, make_match
from tests.stories.factories import StoryFactory, make_premium

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- views ----------------------------------------------------------------------------------


def test_view_recorded_once_per_viewer_and_never_for_the_owner():
    story = StoryFactory()
    viewer = MemberFactory().user
    client = _client(viewer)
    url = reverse("stories:view", args=[story.pk])

    assert client.post(url).json() == {"recorded": True}
    assert client.post(url).json() == {"recorded": False}
    assert story_view_record(viewer=story.user, story_id=story.pk) is False
    assert StoryView.objects.filter(story=story).count() == 1


def test_view_of_expired_story_is_404():
    story = StoryFactory(created_at=timezone.now() - timedelta(hours=25))
    story.expires_at = story.created_at + timedelta(hours=24)
    story.save()
    resp = _client(MemberFactory().user).post(reverse("stories:view", args=[story.pk]))
    assert resp.status_code == 404


# --- reactions ------------------------------------------------------------------------------


def test_reaction_set_change_and_remove():
    story = StoryFactory()
    client = _client(MemberFactory().user)
    url = reverse("stories:react", args=[story.pk])

    assert client.post(url, {"reaction": "HEART"}).json() == {"reaction": "HEART"}
    assert client.post(url, {"reaction": "FIRE"}).json() == {"reaction": "FIRE"}
    (reaction,) = StoryReaction.objects.filter(story=story)
    assert reaction.reaction_type == "FIRE"
    # Reacting counts as having seen it.
    assert StoryView.objects.filter(story=story).count() == 1

    assert client.delete(url).json() == {"reaction": None}
    assert not StoryReaction.objects.exists()
    client.post(url, {"reaction": "EYES"})
    assert client.post(url, {"reaction": ""}).json() == {"reaction": None}
    assert not StoryReaction.objects.exists()


def test_reaction_unknown_type_is_400_with_message():
    story = StoryFactory()
    resp = _client(MemberFactory().user).post(
        reverse("stories:react", args=[story.pk]), {"reaction": "THUMBS"}
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "Unknown reaction."


def test_reaction_on_own_story_is_403():
    story = StoryFactory()
    resp = _client(story.user).post(
        reverse("stories:react", args=[story.pk]), {"reaction": "HEART"}
    )
    assert resp.status_code == 403
    assert "own story" in resp.json()["error"]
    with pytest.raises(StoryForbidden):
        story_react(user=story.user, story_id=story.pk, reaction_type="HEART")


def test_reaction_on_expired_story_is_400_but_not_for_strangers_of_private_stories():
    start = timezone.now()
    story = StoryFactory(created_at=start, expires_at=start + timedelta(hours=24))
    viewer = MemberFactory().user
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        resp = _client(viewer).post(
            reverse("stories:react", args=[story.pk]), {"reaction": "HEART"}
        )
        assert resp.status_code == 400
        assert resp.json()["error"] == "This story has expired."
        with pytest.raises(StoryExpired):
            story_react(user=viewer, story_id=story.pk, reaction_type="HEART")
        # Expiry is never revealed for a story the user could not see anyway.
        Story.objects.filter(pk=story.pk).update(privacy=Story.Privacy.PRIVATE)
        resp = _client(viewer).post(
            reverse("stories:react", args=[story.pk]), {"reaction": "HEART"}
        )
        assert resp.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_reactions_leave_one_row(postgresql_only):
    """Eight simultaneous requests from one user (different types) end with exactly one
    reaction row; none of them errors."""
    story = StoryFactory()
    viewer = MemberFactory().user
    types = ["HEART", "FIRE", "LOVE_EYES", "EYES"] * 2

    def react(kind: str) -> int:
        client = _client(viewer)
        return client.post(
            reverse("stories:react", args=[story.pk]), {"reaction": kind}
        ).status_code

    statuses = run_concurrently([lambda kind=kind: react(kind) for kind in types])
    assert statuses == [200] * len(types)
    assert StoryReaction.objects.filter(story=story, user=viewer).count() == 1
    assert StoryView.objects.filter(story=story, viewer=viewer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_record_one_row(postgresql_only):
    story = StoryFactory()
    viewer = MemberFactory().user
    barrier = threading.Barrier(6)
    results: list[bool] = []

    def view() -> None:
        from django.db import connection

        barrier.wait()
        try:
            results.append(story_view_record(viewer=viewer, story_id=story.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=view) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    assert StoryView.objects.filter(story=story).count() == 1


# --- replies --------------------------------------------------------------------------------


def test_reply_creates_story_reply_and_chat_message_and_live_event(
    django_capture_on_commit_callbacks, pushes
):
    story = StoryFactory()
    sender = MemberFactory()
    make_match(sender, story.user.member)  # only matches may reply (issue 16)
    client = _client(sender.user)

    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("stories:reply", args=[story.pk]), {"text": " Love this! "})

    assert resp.status_code == 201
    reply = StoryReply.objects.get()
    assert (reply.sender, reply.recipient, reply.message_text) == (
        sender.user,
        story.user,
        "Love this!",
    )
    message = Message.objects.get()
    assert message.story == story
    assert (message.sender, message.recipient) == (sender, story.user.member)
    assert message.text == "Love this!"
    events = [(uid, e) for uid, e in pushes if e["type"] == "story.reply"]
    assert events == [
        (
            str(story.user.pk),
            {
                "type": "story.reply",
                "story_id": str(story.pk),
                "reply_id": str(reply.pk),
                "message_id": str(message.pk),
                "sender_id": str(sender.user.pk),
                "sender_name": sender.name,
                "text": "Love this!",
            },
        )
    ]


@pytest.mark.parametrize(("text", "status"), [("", 400), ("   ", 400), ("x" * 2001, 400)])
def test_reply_text_must_be_1_to_2000_characters(text, status):
    story = StoryFactory()
    resp = _client(MemberFactory().user).post(
        reverse("stories:reply", args=[story.pk]), {"text": text}
    )
    assert resp.status_code == status
    assert "error" in resp.json()
    assert not StoryReply.objects.exists()
    assert not Message.objects.exists()


def test_reply_to_own_story_is_403():
    story = StoryFactory()
    resp = _client(story.user).post(reverse("stories:reply", args=[story.pk]), {"text": "hi"})
    assert resp.status_code == 403
    assert not Message.objects.exists()


# --- owner analytics and deletion -----------------------------------------------------------


def _story_with_activity():
    story = StoryFactory()
    fans = [MemberFactory(name=f"Fan{i}").user for i in range(3)]
    for fan in fans:
        story_view_record(viewer=fan, story_id=story.pk)
    story_react(user=fans[0], story_id=story.pk, reaction_type="HEART")
    story_react(user=fans[1], story_id=story.pk, reaction_type="FIRE")
    return story, fans


def test_free_owner_sees_counts_only():
    story, _fans = _story_with_activity()
    resp = _client(story.user).get(reverse("stories:insights", args=[story.pk]), {"format": "json"})
    data = resp.json()
    assert data == {
        "view_count": 3,
        "reaction_counts": {"HEART": 1, "FIRE": 1},
        "full_list": False,
    }
    html = _client(story.user).get(reverse("stories:insights", args=[story.pk])).content.decode()
    assert "Fan0" not in html
    assert "3 views" in html


def test_premium_owner_sees_viewer_list_with_reactions():
    story, fans = _story_with_activity()
    make_premium(story.user)
    data = (
        _client(story.user)
        .get(reverse("stories:insights", args=[story.pk]), {"format": "json"})
        .json()
    )
    assert data["full_list"] is True
    by_user = {v["user_id"]: v["reaction"] for v in data["viewers"]}
    assert by_user == {str(fans[0].pk): "HEART", str(fans[1].pk): "FIRE", str(fans[2].pk): None}
    html = _client(story.user).get(reverse("stories:insights", args=[story.pk])).content.decode()
    assert "Fan0" in html
    assert "Fan2" in html


def test_insights_of_someone_elses_story_is_404_even_for_premium():
    story, fans = _story_with_activity()
    make_premium(fans[0])
    resp = _client(fans[0]).get(reverse("stories:insights", args=[story.pk]))
    assert resp.status_code == 404


def test_owner_deletes_story_and_its_media(django_capture_on_commit_callbacks):
    story = StoryFactory(text_overlay="secret")
    name, storage = story.image.name, story.image.storage
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        resp = _client(story.user).post(reverse("stories:delete", args=[story.pk]))

    assert resp.status_code == 302
    story.refresh_from_db()
    assert not story.is_active
    assert story.text_overlay == ""
    assert not storage.exists(name)
    viewer = _client(MemberFactory().user)
    assert viewer.get(reverse("stories:image", args=[story.pk])).status_code == 404


def test_deleting_someone_elses_story_is_404_and_changes_nothing():
    story = StoryFactory()
    resp = _client(MemberFactory().user).post(reverse("stories:delete", args=[story.pk]))
    assert resp.status_code == 404
    story.refresh_from_db()
    assert story.is_active
    assert story.image.storage.exists(story.image.name)
