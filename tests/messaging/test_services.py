"""Messaging services and selectors (rules §8): send rules, read, per-side flags and delete."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.http import Http404

from matching.models import Block, UserInteraction
from messaging import selectors, services
from messaging.models import Message
from miel.realtime import user_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_channel_layer")]


def listen(user_id):
    """Join ``user_id``'s group on the channel layer with a fresh channel; return a reader."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user_id), channel)

    def events():
        got = []
        while True:
            try:
                msg = async_to_sync(_receive_nowait)(layer, channel)
            except TimeoutError:
                return got
            got.append(msg["event"])

    return events


async def _receive_nowait(layer, channel):
    import asyncio

    return await asyncio.wait_for(layer.receive(channel), timeout=0.2)


def test_message_send_saves_records_interaction_and_pushes_after_commit(
    alice, bob, django_capture_on_commit_callbacks
):
    bob_events, alice_events = listen(bob.user_id), listen(alice.user_id)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = services.message_send(sender=alice, recipient=bob, text="  Hi Bob!  ")
        assert bob_events() == []  # nothing before commit
    assert len(callbacks) == 1  # both pushes in one callback (Bob is active: no e-mail task)
    assert message.text == "Hi Bob!"
    assert UserInteraction.objects.filter(
        user=alice, target=bob, action="message", weight=3.0
    ).exists()
    (to_bob,) = bob_events()
    assert to_bob["type"] == "message.new"
    assert to_bob["message"]["id"] == str(message.pk)
    assert to_bob["message"]["sender"] == str(alice.user_id)
    assert to_bob["unread_count"] == 1
    (to_alice,) = alice_events()
    assert to_alice["message"]["id"] == str(message.pk)
    assert "unread_count" not in to_alice


def test_message_text_is_counted_in_characters_not_bytes(alice, bob):
    emoji = "🍯" * 2000  # 8000 bytes in UTF-8, 2000 characters
    assert services.message_send(sender=alice, recipient=bob, text=emoji).text == emoji
    with pytest.raises(ValidationError) as too_long:
        services.message_send(sender=alice, recipient=bob, text="🍯" * 2001)
    assert "2000" in too_long.value.messages[0]
    with pytest.raises(ValidationError):
        services.message_send(sender=alice, recipient=bob, text="   \n ")
    assert Message.objects.count() == 1


def test_message_send_refuses_blocked_pair_both_ways(alice, bob):
    Block.objects.create(blocker=bob.user, blocked=alice.user)
    for sender, recipient in ((alice, bob), (bob, alice)):
        with pytest.raises(services.MessageRefused) as refused:
            services.message_send(sender=sender, recipient=recipient, text="hello")
        # The same answer as for any non-match: the sender cannot tell a block (issue 16).
        assert refused.value.code == "not_match"
    assert not Message.objects.exists()


def test_message_send_refuses_self(alice):
    with pytest.raises(services.MessageRefused):
        services.message_send(sender=alice, recipient=alice, text="me")


def test_opening_thread_marks_incoming_read_and_tells_sender(
    alice, bob, django_capture_on_commit_callbacks
):
    first = services.message_send(sender=alice, recipient=bob, text="one")
    services.message_send(sender=alice, recipient=bob, text="two")
    mine = services.message_send(sender=bob, recipient=alice, text="bob's own")
    alice_events = listen(alice.user_id)
    bob_events = listen(bob.user_id)
    with django_capture_on_commit_callbacks(execute=True):
        ids = services.conversation_mark_read(reader=bob, other=alice)
    assert len(ids) == 2
    assert str(first.pk) in ids
    mine.refresh_from_db()
    assert mine.date_read is None  # only incoming messages
    (receipt,) = alice_events()
    assert receipt == {
        "type": "message.read",
        "reader": str(bob.user_id),
        "message_ids": ids,
        "read_at": receipt["read_at"],
    }
    assert bob_events()[0]["unread_count"] == 0
    assert services.conversation_mark_read(reader=bob, other=alice) == []  # idempotent


def test_star_and_archive_are_per_participant(alice, bob):
    m = services.message_send(sender=alice, recipient=bob, text="hi")
    services.message_set_starred(member=bob, message=m, starred=True)
    services.message_set_archived(member=alice, message=m, archived=True)
    m.refresh_from_db()
    assert (m.recipient_starred, m.sender_starred) == (True, False)
    assert (m.sender_archived, m.recipient_archived) == (True, False)
    bob_starred = selectors.mailbox_page(member=bob, container="starred").messages
    alice_starred = selectors.mailbox_page(member=alice, container="starred").messages
    assert bob_starred == [m]
    assert alice_starred == []
    assert selectors.mailbox_page(member=alice, container="archived").messages == [m]
    assert selectors.mailbox_page(member=alice, container="outbox").messages == []
    assert selectors.mailbox_page(member=bob, container="inbox").messages == [m]


def test_delete_is_per_side_and_removes_row_when_both_deleted(alice, bob):
    m = services.message_send(sender=alice, recipient=bob, text="hi")
    assert services.message_delete(member=alice, message=m) is False
    m.refresh_from_db()
    assert m.sender_deleted
    assert selectors.mailbox_page(member=alice, container="outbox").messages == []
    assert selectors.mailbox_page(member=bob, container="inbox").messages == [m]
    with pytest.raises(Http404):
        selectors.message_for_participant(user=alice.user, message_id=m.pk)
    assert services.message_delete(member=bob, message=m) is True
    assert not Message.objects.filter(pk=m.pk).exists()


def test_message_for_participant_is_404_for_a_third_member(alice, bob, carol):
    m = services.message_send(sender=alice, recipient=bob, text="private")
    assert selectors.message_for_participant(user=alice.user, message_id=m.pk) == m
    assert selectors.message_for_participant(user=bob.user, message_id=m.pk) == m
    with pytest.raises(Http404):
        selectors.message_for_participant(user=carol.user, message_id=m.pk)


def test_unread_count_is_one_query_and_ignores_blocked_and_deleted(
    alice, bob, carol, django_assert_num_queries
):
    services.message_send(sender=alice, recipient=bob, text="1")
    services.message_send(sender=alice, recipient=bob, text="2")
    gone = services.message_send(sender=carol, recipient=bob, text="3")
    services.message_delete(member=bob, message=gone)
    with django_assert_num_queries(1):  # conversations, not messages (issue 15)
        assert selectors.unread_count(user_id=bob.user_id) == 1
    Block.objects.create(blocker=bob.user, blocked=alice.user)
    assert selectors.unread_count(user_id=bob.user_id) == 0


def test_mailbox_cursor_pagination_ten_per_page_newest_first(
    alice, bob, django_assert_max_num_queries
):
    sent = [services.message_send(sender=alice, recipient=bob, text=f"m{i}") for i in range(23)]
    newest_first = list(reversed(sent))
    seen, cursor, pages = [], None, 0
    while True:
        with django_assert_max_num_queries(2):
            page = selectors.mailbox_page(member=bob, container="inbox", cursor=cursor)
        seen += page.messages
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert pages == 3
    assert [m.pk for m in seen] == [m.pk for m in newest_first]
    # A garbage cursor is the first page, not an error.
    assert len(selectors.mailbox_page(member=bob, container="inbox", cursor="%%%").messages) == 10


def test_chat_history_is_oldest_first(alice, bob):
    texts = ["a", "b", "c"]
    for i, t in enumerate(texts):
        services.message_send(
            sender=alice if i % 2 == 0 else bob, recipient=bob if i % 2 == 0 else alice, text=t
        )
    page = selectors.chat_history(member=alice, other=bob)
    assert [m.text for m in page.messages] == texts
    assert page.next_cursor is None
