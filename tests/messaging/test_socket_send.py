"""Sending a chat message over the socket (``chat.send``, issue 20): the same rules, limits,
nudges and idempotency key as the HTTP form, answered with ``chat.sent`` / ``chat.failed``."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from matching.models import Block
from messaging.consumers import FRAME_MAX_BYTES
from messaging.models import Message
from tests.factories import MemberFactory, make_match
from tests.messaging.test_consumers import consumer_for

pytestmark = [
    pytest.mark.chat_rule,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_db_connections"),
]


@database_sync_to_async
def pair(*, matched: bool = True):
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    if matched:
        make_match(alice, bob)
    return alice, bob


@database_sync_to_async
def stored(sender) -> list[str]:
    return list(Message.objects.filter(sender=sender).values_list("text", flat=True))


async def answer_to(communicator, frame: dict) -> dict:
    """The ``chat.sent`` / ``chat.failed`` answer to ``frame`` (skipping the sender's own
    ``message.new`` echo, which may come first)."""
    await communicator.send_json_to(frame)
    for _ in range(5):
        event = await communicator.receive_json_from(timeout=3)
        if event["type"] in ("chat.sent", "chat.failed", "error"):
            return event
    raise AssertionError("no answer to the frame")


def send_frame(to, text="hello over the socket", key="key-0001") -> dict:
    return {"type": "chat.send", "to": str(to), "text": text, "client_key": key}


async def test_a_match_gets_the_message_live_and_the_sender_its_acknowledgement():
    alice, bob = await pair()
    a, b = consumer_for(alice.user), consumer_for(bob.user)
    assert (await a.connect())[0]
    assert (await b.connect())[0]
    answer = await answer_to(a, send_frame(bob.user_id, "  hi Bob  "))
    assert answer["type"] == "chat.sent"
    assert answer["client_key"] == "key-0001"
    assert answer["message"]["text"] == "hi Bob"
    assert answer["message"]["sender"] == str(alice.user_id)
    event = await b.receive_json_from(timeout=3)
    assert event["type"] == "message.new"
    assert event["message"]["id"] == answer["message"]["id"]
    assert event["unread_count"] == 1
    assert await stored(alice) == ["hi Bob"]
    await a.disconnect()
    await b.disconnect()


async def test_the_same_client_key_twice_stores_one_message():
    alice, bob = await pair()
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    first = await answer_to(a, send_frame(bob.user_id, key="retry-key-1"))
    again = await answer_to(a, send_frame(bob.user_id, key="retry-key-1"))
    assert again["type"] == "chat.sent"
    assert again["message"]["id"] == first["message"]["id"]
    assert await stored(alice) == ["hello over the socket"]
    await a.disconnect()


@pytest.mark.parametrize(
    ("frame_changes", "code"),
    [
        ({"client_key": None}, "bad_frame"),
        ({"client_key": "bad key!"}, "bad_client_key"),
        ({"text": 42}, "bad_frame"),
        ({"text": "   "}, "empty"),
        ({"text": "x" * 2001}, "too_long"),
        ({"text": "you bitch"}, "nudge"),
        ({"to": "not-a-uuid"}, "unavailable"),
    ],
)
async def test_bad_sends_fail_with_a_code_and_store_nothing(frame_changes, code):
    alice, bob = await pair()
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    frame = {**send_frame(bob.user_id), **frame_changes}
    answer = await answer_to(a, frame)
    assert answer == {"type": "chat.failed", "client_key": frame["client_key"], "code": code}
    assert await stored(alice) == []
    # The socket stays open and usable.
    ok = await answer_to(a, send_frame(bob.user_id, key="after-fail"))
    assert ok["type"] == "chat.sent"
    await a.disconnect()


async def test_only_matches_can_be_messaged_and_a_block_looks_like_nobody():
    alice, bob = await pair(matched=False)
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    answer = await answer_to(a, send_frame(bob.user_id))
    assert answer.get("code") == "not_match", answer
    await database_sync_to_async(make_match)(alice, bob)
    await database_sync_to_async(Block.objects.create)(blocker=bob.user, blocked=alice.user)
    answer = await answer_to(a, send_frame(bob.user_id, key="key-0002"))
    assert answer["code"] == "unavailable"
    answer = await answer_to(a, send_frame(alice.user_id, key="key-0003"))
    assert answer["code"] == "unavailable"  # oneself
    assert await stored(alice) == []
    await a.disconnect()


async def test_the_sender_is_the_session_user_whatever_the_frame_says():
    alice, bob = await pair()
    mallory = await database_sync_to_async(MemberFactory)(name="Mallory")
    m = consumer_for(mallory.user)
    assert (await m.connect())[0]
    frame = {**send_frame(bob.user_id), "from": str(alice.user_id), "sender": str(alice.user_id)}
    answer = await answer_to(m, frame)
    assert answer["code"] == "not_match"  # Mallory is no match of Bob's; Alice sent nothing
    assert await stored(alice) == []
    assert await stored(mallory) == []
    await m.disconnect()


@override_settings(MESSAGES_PER_MINUTE=2)
async def test_the_sending_limit_applies_over_the_socket():
    alice, bob = await pair()
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    for i in range(2):
        assert (await answer_to(a, send_frame(bob.user_id, key=f"limit-{i}xxx")))["type"] == (
            "chat.sent"
        )
    answer = await answer_to(a, send_frame(bob.user_id, key="limit-2xxx"))
    assert answer["code"] == "rate_limited"
    assert len(await stored(alice)) == 2
    await a.disconnect()


async def test_a_longest_message_in_four_byte_characters_fits_a_frame():
    alice, bob = await pair()
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    text = "🍯" * 2000
    answer = await answer_to(a, send_frame(bob.user_id, text))
    assert answer["type"] == "chat.sent"
    await a.send_to(text_data="x" * (FRAME_MAX_BYTES + 1))
    for _ in range(3):
        event = await a.receive_json_from(timeout=3)
        if event["type"] != "message.new":  # the sender's own echo of the first send
            break
    assert event == {"type": "error", "error": "bad_frame"}
    await a.disconnect()


async def _full_stack_socket(user):
    """A socket through the whole ASGI stack, signed in by a real session cookie."""
    from tests.messaging.test_consumers import session_cookie, socket_with_session

    key = await session_cookie(user)
    socket = socket_with_session(key)
    assert (await socket.connect())[0]
    return socket, key


async def test_a_ban_that_never_reached_the_socket_still_stops_its_sends():
    """The ban's ``session.check`` push was lost (Redis down, say): the send itself reads the
    sender's account as stored now."""
    alice, bob = await pair()
    a = consumer_for(alice.user)  # the user object as loaded when the socket opened
    assert (await a.connect())[0]
    user_model = type(alice.user)
    await database_sync_to_async(user_model.objects.filter(pk=alice.user_id).update)(
        is_active=False
    )
    answer = await answer_to(a, send_frame(bob.user_id))
    assert answer["code"] == "unavailable"
    assert await stored(alice) == []
    await a.disconnect()


async def test_a_session_ended_without_telling_the_socket_closes_it_at_the_next_send(
    monkeypatch,
):
    """A logout whose push was lost: the send re-reads the session (at most once a minute;
    here at once), refuses, and closes the socket with 4401."""
    from django.contrib.sessions.models import Session

    from messaging import consumers

    monkeypatch.setattr(consumers, "SESSION_RECHECK_SECONDS", 0.0)
    alice, bob = await pair()
    socket, key = await _full_stack_socket(alice.user)
    ok = await answer_to(socket, send_frame(bob.user_id, key="before-logout"))
    assert ok["type"] == "chat.sent"
    await database_sync_to_async(Session.objects.filter(session_key=key).delete)()
    await database_sync_to_async(consumers.cache.clear)()  # cached_db: the cached copy too
    answer = await answer_to(socket, send_frame(bob.user_id, key="after-logout"))
    assert answer == {
        "type": "chat.failed",
        "client_key": "after-logout",
        "code": "unauthenticated",
    }
    for _ in range(5):
        frame = await socket.receive_output(timeout=2)
        if frame["type"] == "websocket.close":
            break
    assert frame == {"type": "websocket.close", "code": 4401}
    assert await stored(alice) == ["hello over the socket"]


async def test_the_sending_socket_gets_its_answer_and_the_senders_other_tabs_the_message(
    redis_layer,
):
    """Issue 20: the send's pushes go out from the socket's event loop; the sender's copy of
    ``message.new`` reaches their other tabs but not the socket that sent (its ``chat.sent``
    carries the message), with the production layer."""
    alice, bob = await pair()
    a, other_tab, b = consumer_for(alice.user), consumer_for(alice.user), consumer_for(bob.user)
    for socket in (a, other_tab, b):
        assert (await socket.connect())[0]
    for socket in (a, other_tab, b):  # presence frames of the openings
        while not await socket.receive_nothing(timeout=0.3):
            await socket.receive_json_from()
    await a.send_json_to(send_frame(bob.user_id, "one copy"))
    answer = await a.receive_json_from(timeout=3)
    assert answer["type"] == "chat.sent"
    assert await a.receive_nothing(timeout=0.5)  # no echo of its own message
    for socket in (other_tab, b):
        event = await socket.receive_json_from(timeout=3)
        assert event["type"] == "message.new"
        assert event["message"]["id"] == answer["message"]["id"]
    await other_tab.disconnect()
    await a.send_json_to(send_frame(bob.user_id, "alone now", key="key-0002"))
    assert (await a.receive_json_from(timeout=3))["type"] == "chat.sent"
    assert await a.receive_nothing(timeout=0.5)
    assert (await b.receive_json_from(timeout=3))["message"]["text"] == "alone now"
    await a.disconnect()
    await b.disconnect()
