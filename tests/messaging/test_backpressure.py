"""A recipient whose socket never reads cannot make sending fail or lose messages (rules §8/§9)."""

from __future__ import annotations

import copy

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client
from django.urls import reverse

from messaging.consumers import RealtimeConsumer
from messaging.models import Message
from messaging.selectors import unread_count
from tests.factories import MemberFactory


@pytest.fixture
def small_channel_capacity(settings):
    """The configured layer (in-memory, or Redis with REDIS_URL) with room for only 50 events
    per channel, so 150 unread events overflow it."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"].setdefault("CONFIG", {})["capacity"] = 50
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("short_lived_db_connections")
async def test_150_quick_messages_to_a_socket_that_never_reads(small_channel_capacity, settings):
    settings.MESSAGES_PER_MINUTE = 0  # a flood on purpose: not the limit under test (issue 16)
    alice = await database_sync_to_async(MemberFactory)(name="Alice")
    bob = await database_sync_to_async(MemberFactory)(name="Bob")
    bobs_socket = WebsocketCommunicator(RealtimeConsumer.as_asgi(), "/ws/")
    bobs_socket.scope["user"] = bob.user
    assert (await bobs_socket.connect())[0]

    def send_150() -> list[int]:
        client = Client()
        client.force_login(alice.user)
        url = reverse("messaging:chat_send", kwargs={"user_id": bob.user_id})
        try:
            return [
                client.post(url, {"text": f"message {i}"}, HTTP_HX_REQUEST="true").status_code
                for i in range(150)
            ]
        finally:
            connections.close_all()  # this helper thread's connection

    statuses = await sync_to_async(send_150, thread_sensitive=False)()

    assert statuses == [200] * 150
    texts = await database_sync_to_async(
        lambda: list(Message.objects.filter(recipient=bob).values_list("text", flat=True))
    )()
    assert sorted(texts) == sorted(f"message {i}" for i in range(150))
    # the badge counts conversations with unread messages (issue 15): one
    assert await database_sync_to_async(unread_count)(user_id=bob.user_id) == 1

    def bobs_page() -> str:
        client = Client()
        client.force_login(bob.user)
        try:
            return client.get("/messages/").content.decode()
        finally:
            connections.close_all()

    assert (
        '<span id="unread-badge" class="badge tab-badge">1</span>'
        in await sync_to_async(bobs_page)()
    )
    await bobs_socket.disconnect()
