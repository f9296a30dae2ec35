"""The push deduplication mark (issue 19 C): a socket showing a chat says so with a
``chat.open`` frame; the mark lasts while the socket lives, is refreshed by its heartbeat, and
goes when the socket closes or leaves the chat."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from messaging.consumers import RealtimeConsumer
from notifications.push import chat_is_open
from tests.factories import MemberFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _short_lived_db_connections():
    from django.db import connection

    previous = connection.settings_dict.get("CONN_MAX_AGE", 0)
    connection.settings_dict["CONN_MAX_AGE"] = 0
    yield
    connection.settings_dict["CONN_MAX_AGE"] = previous


async def test_a_socket_marks_the_chat_it_shows_until_it_closes():
    dana = await database_sync_to_async(MemberFactory)()
    yoni = await database_sync_to_async(MemberFactory)()
    socket = WebsocketCommunicator(RealtimeConsumer.as_asgi(), "/ws/")
    socket.scope["user"] = dana.user
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "chat.open", "with": str(yoni.user_id)})
    await socket.send_json_to({"type": "ping"})  # answered after the mark is stored
    assert await socket.receive_json_from(timeout=3) == {"type": "pong"}
    assert chat_is_open(user_id=dana.user_id, other_id=yoni.user_id)
    assert not chat_is_open(user_id=yoni.user_id, other_id=dana.user_id)

    await socket.send_json_to({"type": "chat.open", "with": ""})  # tab hidden
    await socket.send_json_to({"type": "ping"})
    await socket.receive_json_from(timeout=3)
    assert not chat_is_open(user_id=dana.user_id, other_id=yoni.user_id)

    await socket.send_json_to({"type": "chat.open", "with": str(yoni.user_id)})
    await socket.send_json_to({"type": "ping"})
    await socket.receive_json_from(timeout=3)
    await socket.disconnect()
    assert not chat_is_open(user_id=dana.user_id, other_id=yoni.user_id)
