"""Issue 16: an unmatch closes the other side's open chat live (an event over the existing
WebSocket) and stops typing events between the two at once."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from matching import services
from tests.factories import MemberFactory, make_match
from tests.messaging.test_consumers import consumer_for

pytestmark = [
    pytest.mark.chat_rule,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_db_connections", "in_memory_channel_layer"),
]


@database_sync_to_async
def matched_pair():
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    make_match(alice, bob)
    return alice, bob


async def test_unmatch_closes_the_other_sides_chat_live_and_stops_typing():
    alice, bob = await matched_pair()
    a, b = consumer_for(alice.user), consumer_for(bob.user)
    assert (await a.connect())[0]
    assert (await b.connect())[0]
    presence = await a.receive_json_from(timeout=2)  # bob came online
    assert presence["type"] == "presence"
    # While matched, bob's typing reaches alice (and the permission is now cached).
    await b.send_json_to({"type": "typing", "to": str(alice.user_id)})
    assert await a.receive_json_from(timeout=2) == {"type": "typing", "from": str(bob.user_id)}

    await database_sync_to_async(services.unmatch)(source=alice, target=bob)

    assert await b.receive_json_from(timeout=2) == {
        "type": "chat.closed",
        "with_user_id": str(alice.user_id),
    }
    assert await a.receive_json_from(timeout=2) == {
        "type": "chat.closed",
        "with_user_id": str(bob.user_id),
    }
    # The cached "may type" answer died with the match: nothing reaches alice now.
    await b.send_json_to({"type": "typing", "to": str(alice.user_id)})
    assert await a.receive_nothing(timeout=0.5)
    await a.disconnect()
    await b.disconnect()
