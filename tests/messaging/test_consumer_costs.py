"""What a /ws/ connect costs (rules §9, §16): shared cache clients, presence only to matches
who are online."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache, caches

from matching.models import Block, Like
from messaging.consumers import _match_user_ids, _online, _presence_key
from miel.asgi import ProcessCaches
from tests.factories import MemberFactory


def test_socket_tasks_share_the_process_cache_clients():
    """Django keeps cache clients per asyncio task: without ProcessCaches every socket built
    its own Redis pool (new TCP connections for its session and presence counter)."""
    seen: list[object] = []

    async def inner(scope, receive, send):
        seen.append(await sync_to_async(lambda: caches["default"])())

    app = ProcessCaches(inner)

    async def two_sockets_and_a_bare_task():
        await asyncio.gather(
            asyncio.create_task(app({"type": "websocket"}, None, None)),
            asyncio.create_task(app({"type": "websocket"}, None, None)),
        )
        return await asyncio.create_task(inner({"type": "websocket"}, None, None))

    asyncio.run(two_sockets_and_a_bare_task())
    first, second, bare = seen
    assert first is second
    assert bare is not first  # what each socket got before


@pytest.mark.django_db
@pytest.mark.chat_rule  # makes its own likes
def test_presence_is_sent_only_to_matches_with_a_socket_open():
    alice = MemberFactory(name="Alice")
    online, offline, blocked = (MemberFactory() for _ in range(3))
    for other in (online, offline, blocked):
        Like.objects.create(source=alice, target=other)
        Like.objects.create(source=other, target=alice)
    Block.objects.create(blocker=blocked.user, blocked=alice.user)
    one_way = MemberFactory()
    Like.objects.create(source=one_way, target=alice)
    for member in (online, blocked, one_way):
        cache.set(_presence_key(member.user_id), 1)
    cache.set(_presence_key(offline.user_id), 0)
    try:
        matches = _match_user_ids(alice.user_id)
        assert sorted(matches) == sorted([online.user_id, offline.user_id])  # no block, no one-way
        assert _online(matches) == [online.user_id]
    finally:
        cache.clear()
