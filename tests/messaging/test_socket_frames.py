"""Issue 13 item 13: typing events only reach the other side of an open chat (a mutual match
without a block); a malformed frame gets an error frame, not a dead socket."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.factories import MemberFactory, make_match
from tests.messaging.test_consumers import consumer_for

pytestmark = [
    pytest.mark.chat_rule,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_db_connections", "in_memory_channel_layer"),
]


@database_sync_to_async
def member(name):
    return MemberFactory(name=name)


async def test_typing_does_not_reach_a_stranger_but_reaches_a_match():
    alice, bob = await member("Alice"), await member("Bob")
    a, b = consumer_for(alice.user), consumer_for(bob.user)
    assert (await a.connect())[0]
    assert (await b.connect())[0]
    await a.send_json_to({"type": "typing", "to": str(bob.user_id)})
    await a.send_json_to({"type": "ping"})
    assert await a.receive_json_from(timeout=5) == {"type": "pong"}  # the typing frame was handled
    assert await b.receive_nothing(timeout=1)  # strangers: nothing
    await a.disconnect()
    await database_sync_to_async(make_match)(alice, bob)
    a = consumer_for(alice.user)  # a new socket: no cached answer
    assert (await a.connect())[0]
    assert (await b.receive_json_from(timeout=2))["type"] == "presence"  # alice is online
    await a.send_json_to({"type": "typing", "to": str(bob.user_id)})
    assert await b.receive_json_from(timeout=2) == {"type": "typing", "from": str(alice.user_id)}
    await a.disconnect()
    await b.disconnect()


FRAMES = [
    "not json",
    "[" * 100_000 + "]" * 100_000,
    '"just a string"',
    "[1, 2]",
    '{"type": "typing", "to": "not-a-uuid"}',
    '{"type": "typing", "to": "\\ud800"}',
    '{"type": "dance"}',
    '{"type": "ping", "pad": "' + "x" * 30_000 + '"}',  # over FRAME_MAX_BYTES
]


@pytest.mark.parametrize(
    "frame",
    FRAMES,
    ids=["not-json", "deep", "string", "list", "bad-uuid", "surrogate", "unknown", "too-big"],
)
async def test_a_malformed_frame_gets_an_error_frame_and_the_socket_lives(frame):
    alice = await member("Alice")
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    await a.send_to(text_data=frame)
    reply = await a.receive_json_from(timeout=2)
    assert reply["type"] == "error"
    assert reply["error"] in ("bad_frame", "unknown_type")
    await a.send_json_to({"type": "ping"})
    assert await a.receive_json_from(timeout=2) == {"type": "pong"}
    await a.disconnect()


async def test_a_binary_frame_gets_an_error_frame():
    alice = await member("Alice")
    a = consumer_for(alice.user)
    assert (await a.connect())[0]
    await a.send_to(bytes_data=b"\xff\xfe\x00")
    assert (await a.receive_json_from(timeout=2))["type"] == "error"
    await a.disconnect()
