"""A block ends real-time delivery between the two at once (rules §6), as an unmatch does: both
open chats close live and the blocked member's socket, which had cached "may type", sends no
more typing events to the blocker."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from matching import services
from messaging.consumers import TYPING_MIN_INTERVAL
from tests.messaging.test_consumers import consumer_for
from tests.messaging.test_unmatch_live import matched_pair

pytestmark = [
    pytest.mark.chat_rule,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_db_connections", "in_memory_channel_layer"),
]


async def test_a_block_closes_the_chat_live_and_stops_typing_at_once():
    alice, bob = await matched_pair()
    a, b = consumer_for(alice.user), consumer_for(bob.user)
    assert (await a.connect())[0]
    assert (await b.connect())[0]
    assert (await a.receive_json_from(timeout=2))["type"] == "presence"
    await b.send_json_to({"type": "typing", "to": str(alice.user_id)})
    assert await a.receive_json_from(timeout=2) == {"type": "typing", "from": str(bob.user_id)}

    await database_sync_to_async(services.block_create)(blocker=alice.user, blocked=bob.user)

    assert await b.receive_json_from(timeout=2) == {
        "type": "chat.closed",
        "with_user_id": str(alice.user_id),
    }
    assert await a.receive_json_from(timeout=2) == {
        "type": "chat.closed",
        "with_user_id": str(bob.user_id),
    }
    await asyncio.sleep(TYPING_MIN_INTERVAL + 0.1)  # not held back by the typing throttle
    await b.send_json_to({"type": "typing", "to": str(alice.user_id)})
    assert await a.receive_nothing(timeout=0.5)
    await a.disconnect()
    await b.disconnect()
