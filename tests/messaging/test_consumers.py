"""The /ws/ consumer (rules §9) with Channels' WebsocketCommunicator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from matching.models import Block, Like
from matching.services import block_create, like_toggle
from messaging import services
from messaging.consumers import RealtimeConsumer
from miel.asgi import application
from tests.factories import MemberFactory, make_match

pytestmark = [
    pytest.mark.chat_rule,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_db_connections"),
]


def consumer_for(user):
    """A communicator on the consumer with ``user`` already authenticated in the scope."""
    communicator = WebsocketCommunicator(RealtimeConsumer.as_asgi(), "/ws/")
    communicator.scope["user"] = user
    return communicator


def socket_with_session(key: str, origin: bytes | None = b"http://127.0.0.1"):
    """A communicator on the whole ASGI stack carrying session cookie ``key``, and the
    ``origin`` header unless None (not connected yet)."""
    headers = [(b"cookie", f"sessionid={key}".encode())]
    if origin is not None:
        headers.insert(0, (b"origin", origin))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


@database_sync_to_async
def make_member(**kwargs):
    return MemberFactory(**kwargs)


@database_sync_to_async
def session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


async def test_unauthenticated_socket_is_refused_with_4401():
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, _ = await communicator.connect()
    assert connected  # accepted only to say why...
    closed = await communicator.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4401}  # ...then closed
    await communicator.disconnect()


async def test_foreign_origin_is_rejected():
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()  # end the refusing consumer (see test_socket_attacks)


async def test_session_cookie_authenticates_through_the_full_stack_and_events_arrive():
    alice = await make_member(name="Alice")
    bob = await make_member(name="Bob")
    key = await session_cookie(bob.user)
    communicator = socket_with_session(key)
    connected, _ = await communicator.connect()
    assert connected
    await database_sync_to_async(make_match)(alice, bob)  # only matches may chat (issue 16)
    message = await database_sync_to_async(services.message_send)(
        sender=alice, recipient=bob, text="live!"
    )
    event = await communicator.receive_json_from(timeout=3)
    assert event["type"] == "message.new"
    assert event["message"]["id"] == str(message.pk)
    assert event["message"]["text"] == "live!"
    assert event["unread_count"] == 1
    await communicator.disconnect()


async def test_typing_sender_is_the_session_user_whatever_the_frame_says():
    alice = await make_member(name="Alice")
    bob = await make_member(name="Bob")
    mallory = await make_member(name="Mallory")
    await database_sync_to_async(make_match)(alice, bob)  # typing needs an open chat
    a, b = consumer_for(alice.user), consumer_for(bob.user)
    assert (await a.connect())[0]
    assert (await b.connect())[0]
    await a.send_json_to(
        {
            "type": "typing",
            "to": str(bob.user_id),
            "from": str(mallory.user_id),
            "sender": str(mallory.user_id),
        }
    )
    event = await b.receive_json_from(timeout=3)
    assert event == {"type": "typing", "from": str(alice.user_id)}
    await a.disconnect()
    await b.disconnect()


async def test_typing_is_not_delivered_between_blocked_members():
    alice = await make_member(name="Alice")
    bob = await make_member(name="Bob")
    await database_sync_to_async(Block.objects.create)(blocker=bob.user, blocked=alice.user)
    a, b = consumer_for(alice.user), consumer_for(bob.user)
    await a.connect()
    await b.connect()
    await a.send_json_to({"type": "typing", "to": str(bob.user_id)})
    await a.send_json_to({"type": "typing", "to": "not-a-uuid"})
    assert await b.receive_nothing(timeout=0.5)
    await a.disconnect()
    await b.disconnect()


async def test_typing_is_not_delivered_to_a_banned_member():
    alice = await make_member(name="Alice")
    bob = await make_member(name="Bob")
    a, b = consumer_for(alice.user), consumer_for(bob.user)
    await a.connect()
    await b.connect()
    user_model = type(bob.user)
    await database_sync_to_async(user_model.objects.filter(pk=bob.user_id).update)(is_active=False)
    await a.send_json_to({"type": "typing", "to": str(bob.user_id)})
    assert await b.receive_nothing(timeout=0.5)
    await a.disconnect()
    await b.disconnect()


async def test_presence_goes_to_mutual_matches_only():
    alice = await make_member(name="Alice")
    bob = await make_member(name="Bob")  # mutual match of alice
    carol = await make_member(name="Carol")  # carol likes alice, not mutual
    await database_sync_to_async(Like.objects.create)(source=alice, target=bob)
    await database_sync_to_async(Like.objects.create)(source=bob, target=alice)
    await database_sync_to_async(Like.objects.create)(source=carol, target=alice)
    b, c = consumer_for(bob.user), consumer_for(carol.user)
    await b.connect()
    await c.connect()
    a = consumer_for(alice.user)
    await a.connect()
    assert await b.receive_json_from(timeout=3) == {
        "type": "presence",
        "user": str(alice.user_id),
        "status": "online",
    }
    # A second tab of alice's does not announce her again; closing it does not say offline.
    a2 = consumer_for(alice.user)
    await a2.connect()
    await a2.disconnect()
    assert await b.receive_nothing(timeout=0.3)
    await a.disconnect()
    assert await b.receive_json_from(timeout=3) == {
        "type": "presence",
        "user": str(alice.user_id),
        "status": "offline",
    }
    assert await c.receive_nothing(timeout=0.3)
    await b.disconnect()
    await c.disconnect()


async def test_ping_refreshes_last_active_at():
    alice = await make_member(name="Alice")
    long_ago = timezone.now() - timedelta(hours=3)
    user = alice.user
    await database_sync_to_async(type(user).objects.filter(pk=user.pk).update)(
        last_active_at=long_ago
    )
    user.last_active_at = long_ago
    a = consumer_for(user)
    await a.connect()
    await a.send_json_to({"type": "ping"})
    assert await a.receive_json_from(timeout=3) == {"type": "pong"}
    await sync_to_async(user.refresh_from_db)()
    assert user.last_active_at > long_ago
    await a.disconnect()


async def test_consumer_only_forwards_events_it_is_given():
    """The consumer writes no business data: a client frame cannot create a message."""
    alice = await make_member(name="Alice")
    bob = await make_member(name="Bob")
    a = consumer_for(alice.user)
    await a.connect()
    await a.send_json_to({"type": "message.new", "to": str(bob.user_id), "text": "sneaky"})
    await a.send_json_to(["not", "a", "dict"])
    # Each gets an error frame (issue 13 item 13), nothing else happens.
    assert await a.receive_json_from(timeout=2) == {"type": "error", "error": "unknown_type"}
    assert await a.receive_json_from(timeout=2) == {"type": "error", "error": "bad_frame"}
    assert await a.receive_nothing(timeout=0.3)
    from messaging.models import Message

    assert not await database_sync_to_async(Message.objects.exists)()
    await a.disconnect()


async def test_offline_goes_to_a_match_made_while_the_socket_was_open_and_not_after_a_block():
    """ "Offline" goes to the matches as they are when it is announced (read then, not kept
    from connect: a reconnect within the grace period reads them never): a match made while
    the socket was open is told too, and a member blocked meanwhile is not."""
    alice = await make_member(name="Alice")
    bob = await make_member(name="Bob")
    carol = await make_member(name="Carol")
    await database_sync_to_async(make_match)(alice, carol)
    a = consumer_for(alice.user)
    await a.connect()
    b, c = consumer_for(bob.user), consumer_for(carol.user)
    await b.connect()
    await c.connect()
    await database_sync_to_async(like_toggle)(source=alice, target=bob, like=True)
    await database_sync_to_async(like_toggle)(source=bob, target=alice, like=True)  # match.new
    await database_sync_to_async(block_create)(blocker=alice.user, blocked=carol.user)
    while not await a.receive_nothing(timeout=0.5):  # match.new, chat.closed, presence ...
        await a.receive_json_from()
    while not await b.receive_nothing(timeout=0.3):
        await b.receive_json_from()
    while not await c.receive_nothing(timeout=0.3):
        await c.receive_json_from()

    await a.disconnect()

    assert await b.receive_json_from(timeout=3) == {
        "type": "presence",
        "user": str(alice.user_id),
        "status": "offline",
    }
    assert await c.receive_nothing(timeout=0.5)
    await b.disconnect()
    await c.disconnect()
