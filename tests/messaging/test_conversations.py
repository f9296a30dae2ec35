"""The conversations list (issue 15): one row per member with the last message, its time and
the unread count; archive and mute per participant; the new-matches strip; the badge counts
conversations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import User
from matching.models import Block, Like
from messaging import conversation_selectors, selectors, services, tasks
from messaging.models import ConversationState, Message
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def send(sender, recipient, text, at):
    with time_machine.travel(at, tick=False):
        return services.message_send(sender=sender, recipient=recipient, text=text)


@time_machine.travel(T0 + timedelta(hours=3), tick=False)
def test_three_messages_from_one_and_two_from_another_are_two_rows(alice, bob, carol, client_for):
    # Given 3 messages from alice and 2 from carol to bob, bob answering carol once
    for i in range(3):
        send(alice, bob, f"alice {i}", T0 + timedelta(minutes=10 * i))
    send(carol, bob, "carol 0", T0 + timedelta(minutes=5))
    send(carol, bob, "carol 1", T0 + timedelta(minutes=25))
    send(bob, carol, "bob to carol", T0 + timedelta(minutes=30))
    services.conversation_mark_read(reader=bob, other=carol)

    # When bob opens /messages/
    response = client_for(bob).get("/messages/")

    # Then two rows, newest conversation first, each with its last message, time and unread
    rows = [r["c"] for r in response.context["rows"]]
    assert [(r.other_name, r.last.text, r.mine, r.unread) for r in rows] == [
        ("Carol", "bob to carol", True, 0),
        ("Alice", "alice 2", False, 3),
    ]
    assert [r.last.created for r in rows] == [
        T0 + timedelta(minutes=30),
        T0 + timedelta(minutes=20),
    ]
    body = response.content.decode()
    assert body.count('<li class="convo') == 2
    assert "You:" in body
    assert "09:30" in body
    assert "09:20" in body
    assert '<span class="badge convo-unread"' in body
    # The badge counts conversations with unread messages (alice's), not messages (3).
    assert selectors.unread_count(user_id=bob.user_id) == 1
    assert '<span id="unread-badge" class="badge tab-badge">1</span>' in body


def test_archive_hides_the_conversation_for_me_only_until_a_new_message(alice, bob, client_for):
    with time_machine.travel(T0, tick=False) as clock:
        services.message_send(sender=alice, recipient=bob, text="hello bob")
        clock.shift(60)
        # bob archives: gone from his list, in his Archived view, still in alice's list
        client = client_for(bob)
        url = reverse("messaging:conversation_archive", args=[alice.user_id])
        assert client.post(url, {"value": "1"}).status_code == 302
        assert "hello bob" not in client.get("/messages/").content.decode()
        assert "hello bob" in client.get("/messages/?container=archived").content.decode()
        page = conversation_selectors.conversation_page(user_id=alice.user_id)
        assert [r.last.text for r in page.rows] == ["hello bob"]
        # a newer message brings it back
        clock.shift(60)
        services.message_send(sender=alice, recipient=bob, text="are you there?")
        assert "are you there?" in client.get("/messages/").content.decode()
        # archive again, then unarchive from the Archived view
        clock.shift(60)
        client.post(url, {"value": "1"})
        assert "are you there?" not in client.get("/messages/").content.decode()
        client.post(url, {"value": "0"})
        assert "are you there?" in client.get("/messages/").content.decode()
    assert ConversationState.objects.filter(owner=bob, other=alice).count() == 1


def test_archive_and_mute_of_a_stranger_or_blocked_member_is_404(alice, bob, carol, client_for):
    Block.objects.create(blocker=alice.user, blocked=bob.user)
    client = client_for(bob)
    for name in ("conversation_archive", "conversation_mute"):
        assert client.post(reverse(f"messaging:{name}", args=[alice.user_id])).status_code == 404
        assert client.get(reverse(f"messaging:{name}", args=[carol.user_id])).status_code == 405
    assert not ConversationState.objects.exists()


@time_machine.travel(T0, tick=False)
def test_muted_conversation_sends_no_email_to_the_muting_member(alice, bob, carol, client_for):
    User.objects.filter(pk=bob.user_id).update(last_active_at=T0 - timedelta(hours=1))
    client = client_for(bob)
    client.post(reverse("messaging:conversation_mute", args=[alice.user_id]), {"value": "1"})
    User.objects.filter(pk=bob.user_id).update(last_active_at=T0 - timedelta(hours=1))
    muted = Message.objects.create(sender=alice, recipient=bob, text="muted one")
    assert tasks.message_email_notify(str(muted.pk)) == "muted"
    assert mail.outbox == []
    # carol's conversation is not muted, and alice still gets e-mails about bob's messages
    other = Message.objects.create(sender=carol, recipient=bob, text="not muted")
    assert tasks.message_email_notify(str(other.pk)) == "sent"
    User.objects.filter(pk=alice.user_id).update(last_active_at=T0 - timedelta(hours=1))
    reply = Message.objects.create(sender=bob, recipient=alice, text="reply")
    assert tasks.message_email_notify(str(reply.pk)) == "sent"
    # the row shows the muted state; unmute works
    row = conversation_selectors.conversation_page(user_id=bob.user_id).rows
    assert {(r.other_name, r.muted) for r in row} == {("Alice", True), ("Carol", False)}
    client.post(reverse("messaging:conversation_mute", args=[alice.user_id]), {"value": "0"})
    again = Message.objects.create(sender=alice, recipient=bob, text="unmuted")
    User.objects.filter(pk=bob.user_id).update(last_active_at=T0 - timedelta(hours=1))
    mail.outbox.clear()
    assert tasks.message_email_notify(str(again.pk)) in ("sent", "throttled")


@pytest.mark.chat_rule  # makes its own likes (tests/messaging/conftest.py)
def test_new_matches_strip_lists_matches_without_a_message(alice, bob, carol, client_for):
    for other in (alice, carol):
        Like.objects.create(source=bob, target=other)
        Like.objects.create(source=other, target=bob)
    dave = MemberFactory(name="Dave")
    Like.objects.create(source=bob, target=dave)  # not mutual
    client = client_for(bob)
    strip = [m.name for m in client.get("/messages/").context["new_matches"]]
    assert sorted(strip) == ["Alice", "Carol"]
    send(carol, bob, "hi", T0)
    strip = [m.name for m in client.get("/messages/").context["new_matches"]]
    assert strip == ["Alice"]


def test_conversations_page_by_cursor(bob, client_for):
    others = [MemberFactory() for _ in range(conversation_selectors.CONVERSATIONS_PAGE_SIZE + 2)]
    for i, other in enumerate(others):
        send(other, bob, f"message {i:02d}", T0 + timedelta(minutes=i))
    client = client_for(bob)
    first = client.get("/messages/")
    assert len(first.context["rows"]) == 20
    assert "message 21" in first.content.decode()
    cursor = first.context["next_cursor"]
    more = client.get(f"/messages/?cursor={cursor}", HTTP_HX_REQUEST="true").content.decode()
    assert more.count('<li class="convo') == 2
    assert "message 01" in more
    assert "message 00" in more
    assert "Load more" not in more
    # a tampered cursor is the first page, not an error
    assert client.get("/messages/?cursor=%%%garbage").status_code == 200


@pytest.mark.chat_rule  # makes its own likes (tests/messaging/conftest.py)
def test_a_message_starred_in_the_chat_is_in_the_starred_view(alice, bob, client_for):
    Like.objects.create(source=alice, target=bob)
    Like.objects.create(source=bob, target=alice)
    message = send(alice, bob, "keep this one", T0)
    client = client_for(bob)
    chat = client.get(reverse("messaging:chat", args=[alice.user_id])).content.decode()
    star = reverse("messaging:message_star", args=[message.pk])
    assert f'action="{star}"' in chat
    response = client.post(star, {"value": "1", "from": "chat"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'class="msg-star on"' in response.content.decode()
    assert "keep this one" in client.get("/messages/?container=starred").content.decode()
    assert "Starred" in client.get("/messages/").content.decode()  # the link to it
