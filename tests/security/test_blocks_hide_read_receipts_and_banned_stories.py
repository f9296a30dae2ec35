"""A block hides both members everywhere (rules §6), including the read
receipts of the chat and the mailbox's per-message actions. Marking a blocked member's
messages read must neither change them nor push a ``message.read`` event across the block,
whichever side blocked; and the stories of a banned (inactive) account are not shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import Block
from messaging import services as messaging_services
from messaging.models import Message
from stories.selectors import visible_stories
from tests.factories import make_match
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushes(monkeypatch):
    """Every realtime event pushed after commit, as ``(user_id, event)`` pairs."""
    sent: list[tuple[object, dict]] = []
    monkeypatch.setattr("miel.realtime.send_many", lambda items: sent.extend(items) or True)
    monkeypatch.setattr("miel.realtime.send_now", lambda uid, event: sent.append((uid, event)))
    return sent


def login(member) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member.user)
    return client


def _unread_from_bob(alice, bob) -> Message:
    make_match(alice, bob)  # only matches may chat (issue 16)
    return messaging_services.message_send(sender=bob, recipient=alice, text="hi")


@pytest.mark.parametrize("blocker", ["alice", "bob"])
def test_chat_read_on_a_blocked_pair_is_404_and_sends_no_receipt(
    alice, bob, blocker, pushes, django_capture_on_commit_callbacks
):
    message = _unread_from_bob(alice, bob)
    a, b = (alice, bob) if blocker == "alice" else (bob, alice)
    Block.objects.create(blocker=a.user, blocked=b.user)
    pushes.clear()
    url = reverse("messaging:chat_read", kwargs={"user_id": bob.user_id})
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(url)
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.date_read is None
    assert not [uid for uid, _event in pushes if str(uid) == str(bob.user_id)]


@pytest.mark.parametrize("endpoint", ["messaging:message_read", "messaging:message_open"])
@pytest.mark.parametrize("blocker", ["alice", "bob"])
def test_marking_a_blocked_members_message_read_by_id_is_404(
    alice, bob, blocker, endpoint, pushes, django_capture_on_commit_callbacks
):
    message = _unread_from_bob(alice, bob)
    a, b = (alice, bob) if blocker == "alice" else (bob, alice)
    Block.objects.create(blocker=a.user, blocked=b.user)
    pushes.clear()
    url = reverse(endpoint, kwargs={"message_id": message.pk})
    client = login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url) if endpoint.endswith("_read") else client.get(url)
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.date_read is None
    assert not [uid for uid, _event in pushes if str(uid) == str(bob.user_id)]


def test_message_read_by_id_still_works_without_a_block(
    alice, bob, pushes, django_capture_on_commit_callbacks
):
    message = _unread_from_bob(alice, bob)
    url = reverse("messaging:message_read", kwargs={"message_id": message.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(url)
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.date_read is not None


def test_stories_of_a_banned_account_are_not_visible(alice, bob):
    story = StoryFactory(user=bob.user)
    assert list(visible_stories(viewer=alice.user)) == [story]
    bob.user.is_active = False
    bob.user.save(update_fields=["is_active"])
    assert list(visible_stories(viewer=alice.user)) == []
    url = reverse("stories:detail", kwargs={"story_id": story.pk})
    assert login(alice).get(url).status_code == 404
