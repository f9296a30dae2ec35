"""sockqa: attacks on ``chat.send`` over the socket (issue 20)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from matching.models import Block, Like
from tests.factories import MemberFactory, make_match
from tests.messaging.test_consumers import consumer_for, session_cookie
from tests.messaging.test_socket_send import answer_to, pair, send_frame, stored

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_db_connections"),
]


async def test_same_client_key_to_two_recipients_is_refused_with_its_code():
    alice, bob = await pair()
    carol = await database_sync_to_async(MemberFactory)(name="Carol")
    await database_sync_to_async(make_match)(alice, carol)
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    assert (await answer_to(a, send_frame(bob.user_id, "to bob", key="shared-key")))[
        "type"
    ] == "chat.sent"
    answer = await answer_to(a, send_frame(carol.user_id, "to carol", key="shared-key"))
    assert answer["type"] == "chat.failed"
    assert answer["code"] == "client_key_reused", answer
    assert await stored(alice) == ["to bob"]
    await a.disconnect()


async def test_client_key_reused_after_unmatch_stores_nothing_new():
    alice, bob = await pair()
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    first = await answer_to(a, send_frame(bob.user_id, "before", key="unmatch-key"))
    assert first["type"] == "chat.sent"
    await database_sync_to_async(Like.objects.filter(source=alice, target=bob).delete)()
    again = await answer_to(a, send_frame(bob.user_id, "after unmatch", key="unmatch-key"))
    # A retry of the stored message: answered with it, nothing new stored.
    assert again["type"] == "chat.sent"
    assert again["message"]["id"] == first["message"]["id"]
    assert again["message"]["text"] == "before"
    fresh = await answer_to(a, send_frame(bob.user_id, "after unmatch", key="unmatch-key2"))
    assert fresh["code"] == "not_match"
    assert await stored(alice) == ["before"]
    await a.disconnect()


async def test_sender_blocking_recipient_and_banned_or_incomplete_members():
    alice, bob = await pair()
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    block = await database_sync_to_async(Block.objects.create)(blocker=alice.user, blocked=bob.user)
    assert (await answer_to(a, send_frame(bob.user_id, key="blk-12345")))["code"] == "unavailable"
    await database_sync_to_async(block.delete)()
    User = type(alice.user)
    await database_sync_to_async(User.objects.filter(pk=bob.user_id).update)(is_active=False)
    assert (await answer_to(a, send_frame(bob.user_id, key="ban-12345")))["code"] == "unavailable"
    await database_sync_to_async(User.objects.filter(pk=bob.user_id).update)(
        is_active=True, profile_complete=False
    )
    assert (await answer_to(a, send_frame(bob.user_id, key="inc-12345")))["code"] == "unavailable"
    await database_sync_to_async(User.objects.filter(pk=bob.user_id).update)(profile_complete=True)
    await database_sync_to_async(User.objects.filter(pk=alice.user_id).update)(
        profile_complete=False
    )
    assert (await answer_to(a, send_frame(bob.user_id, key="me-inc-12345")))[
        "code"
    ] == "unavailable"
    assert await stored(alice) == []
    await a.disconnect()


async def test_paused_and_incognito_matches_still_chat():
    alice, bob = await pair()
    from profiles.models import Member

    User = type(alice.user)
    await database_sync_to_async(Member.objects.filter(pk=bob.pk).update)(paused_at=timezone.now())
    await database_sync_to_async(User.objects.filter(pk=bob.user_id).update)(incognito=True)
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    assert (await answer_to(a, send_frame(bob.user_id, key="paused-1")))["type"] == "chat.sent"
    await a.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "chat.send", "to": ["x"], "text": "hi", "client_key": "abcdefgh"}',
        '{"type": "chat.send", "to": {"a": 1}, "text": "hi", "client_key": "abcdefgh"}',
        '{"type": "chat.send", "to": null, "text": "hi", "client_key": "abcdefgh"}',
        '{"type": "chat.send", "text": "hi", "client_key": ["abcdefgh"]}',
        '{"type": "chat.send", "text": "hi", "client_key": "' + "a" * 65 + '"}',
        '{"type": "chat.send", "text": "a\\u0000b", "client_key": "abcdefgh", "to": "TO"}',
        '{"type": "chat.send", "text": "\\ud800", "client_key": "abcdefgh", "to": "TO"}',
        '{"type": "chat.send", "text": "\\u200b\\u200b", "client_key": "abcdefgh", "to": "TO"}',
        "[1,2,3]",
        '"chat.send"',
        '{"type": "chat.send"}',
        '{"type": "chat.send", "to": "TO", "text": "hi", "client_key": "abcdefg\\n"}',
    ],
)
async def test_odd_frames_store_nothing_and_keep_the_socket(frame):
    alice, bob = await pair()
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    await a.send_to(text_data=frame.replace("TO", str(bob.user_id)))
    event = await a.receive_json_from(timeout=3)
    assert event["type"] in ("chat.failed", "error"), event
    assert await stored(alice) == []
    ok = await answer_to(a, send_frame(bob.user_id, key="after-odd"))
    assert ok["type"] == "chat.sent"
    await a.disconnect()


async def test_html_and_bidi_text_is_stored_and_delivered_verbatim():
    alice, bob = await pair()
    a, b = consumer_for(alice.user), consumer_for(bob.user)
    assert (await a.connect())[0]
    assert (await b.connect())[0]
    text = "<img src=x onerror=alert(1)><script>alert(2)</script>\u202eשלום abc\u202c"
    answer = await answer_to(a, send_frame(bob.user_id, text, key="html-key"))
    assert answer["type"] == "chat.sent"
    event = await b.receive_json_from(timeout=3)
    assert event["message"]["text"] == text
    await a.disconnect()
    await b.disconnect()


async def test_foreign_origin_socket_is_refused():
    from miel.asgi import application

    alice, _bob = await pair()
    key = await session_cookie(alice.user)
    socket = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"origin", b"https://evil.example"), (b"cookie", f"sessionid={key}".encode())],
    )
    connected, _ = await socket.connect()
    assert not connected
    # The refusing consumer keeps waiting (on the channel layer too) until the client goes:
    # end it here rather than leave the test's teardown to cancel a Redis read.
    await socket.disconnect()
    # no Origin header at all
    socket = WebsocketCommunicator(
        application, "/ws/", headers=[(b"cookie", f"sessionid={key}".encode())]
    )
    connected, _ = await socket.connect()
    assert not connected
    await socket.disconnect()


async def test_many_fast_frames_from_two_tabs_keep_the_limit(settings):
    from tests.conftest import is_postgresql, require_service

    require_service(is_postgresql(), "needs PostgreSQL (SQLite refuses concurrent writers)")
    settings.MESSAGES_PER_MINUTE = 5
    alice, bob = await pair()
    a1, a2 = consumer_for(alice.user), consumer_for(alice.user)
    assert (await a1.connect())[0]
    assert (await a2.connect())[0]
    for i in range(10):
        await a1.send_json_to(send_frame(bob.user_id, f"m{i}", key=f"fast-a-{i:03d}"))
        await a2.send_json_to(send_frame(bob.user_id, f"n{i}", key=f"fast-b-{i:03d}"))
    import asyncio

    await asyncio.sleep(3)
    assert len(await stored(alice)) == 5
    await a1.disconnect()
    await a2.disconnect()
