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


@pytest.mark.django_db
@pytest.mark.chat_rule  # makes its own likes
def test_a_reconnect_within_the_grace_period_reads_the_account_only(settings):
    """Issue 20 (5 000 sockets reconnecting): the matches are read only when there is
    something to announce. A member's first socket: the account and the matches (to tell
    "online"); a close: no query (the grace period decides later); the next page's socket
    within the grace period: the account alone; after the grace period the member, gone,
    is announced with the matches read then."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from messaging import consumers

    settings.PRESENCE_OFFLINE_GRACE_SECONDS = 10
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    Like.objects.create(source=alice, target=bob)
    Like.objects.create(source=bob, target=alice)
    type(alice.user).objects.filter(pk=alice.user_id).update(last_active_at=timezone.now())
    alice.user.refresh_from_db()
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(alice.user_id)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = alice.user.get_session_auth_hash()
    session.create()
    cache.set(_presence_key(bob.user_id), 1)

    def statements(call) -> tuple[object, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            result = call()
        # The session store's own read (a cache miss in tests) is not the socket's cost.
        return result, [
            q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]
        ]

    def open_socket():
        fresh = import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)
        return consumers._socket_open.func({"session": fresh})

    try:
        opened, sql = statements(open_socket)
        assert opened.notify == [bob.user_id]
        assert len(sql) == 2
        assert "matching_like" in sql[1]
        (last, notify), sql = statements(lambda: consumers._socket_closed.func(alice.user_id))
        assert (last, notify, sql) == (True, [], [])
        opened, sql = statements(open_socket)  # the next page, within the grace period
        assert opened.user.pk == alice.user_id
        assert opened.notify == []
        assert len(sql) == 1
        assert "accounts_user" in sql[0]
        consumers._socket_closed.func(alice.user_id)
        settings.PRESENCE_OFFLINE_GRACE_SECONDS = 0.001  # the grace period is over
        notify, sql = statements(lambda: consumers._still_gone.func([alice.user_id]))
        assert notify == {alice.user_id: [bob.user_id]}
        assert len(sql) == 1
    finally:
        cache.clear()
