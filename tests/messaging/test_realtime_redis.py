"""The production channel layer (rules §9): several server processes share Redis, and an event
sent through one reaches a socket held by another."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import requests
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from websockets.asyncio.client import connect

from messaging.models import Message
from miel.realtime import user_group
from tests.asgi_server import asgi_server
from tests.factories import MemberFactory

pytestmark = pytest.mark.integration


@pytest.mark.asyncio
async def test_two_redis_layer_instances_share_groups(redis_url):
    """Two layer objects (as in two processes) on one Redis: group_send on B reaches A."""
    prefix = f"miel-test-{uuid.uuid4().hex[:8]}"
    config = {"hosts": [{"address": redis_url, "max_connections": 10}], "prefix": prefix}
    layer_a, layer_b = RedisChannelLayer(**config), RedisChannelLayer(**config)
    try:
        channel = await layer_a.new_channel()
        group = user_group(uuid.uuid4())
        await layer_a.group_add(group, channel)
        await layer_b.group_send(group, {"type": "miel.event", "event": {"type": "ping"}})
        received = await asyncio.wait_for(layer_a.receive(channel), timeout=5)
        assert received == {"type": "miel.event", "event": {"type": "ping"}}
    finally:
        await layer_a.flush()
        await layer_a.close_pools()
        await layer_b.close_pools()


@pytest.mark.asyncio
async def test_layer_survives_idle_reads_longer_than_redis_py_default_socket_timeout(redis_url):
    """redis-py 8's default 5 s socket timeout equals channels_redis' 5 s BZPOPMIN: an idle
    receive raised TimeoutError, which killed the reading consumer and lost its user's events.
    The project's layer waits through idle periods and still gets the next event."""
    from miel.channel_layers import BlockingPoolRedisChannelLayer

    prefix = f"miel-test-{uuid.uuid4().hex[:8]}"
    layer = BlockingPoolRedisChannelLayer(
        hosts=[{"address": redis_url, "max_connections": 10}], prefix=prefix
    )
    try:
        channel = await layer.new_channel()
        group = user_group(uuid.uuid4())
        await layer.group_add(group, channel)
        receiving = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(layer.brpop_timeout + 2)  # two blocking pops time out meanwhile
        assert not receiving.done()  # still waiting, not failed
        await layer.group_send(group, {"type": "miel.event", "event": {"type": "ping"}})
        received = await asyncio.wait_for(receiving, timeout=5)
        assert received == {"type": "miel.event", "event": {"type": "ping"}}
    finally:
        await layer.flush()
        await layer.close_pools()


def test_pushes_from_sync_code_reuse_one_redis_pool(redis_url, redis_layer):
    """Outside an ASGI server (gunicorn threads, Celery) each async_to_sync call ran on a new
    event loop, and channels_redis keeps a pool per loop: every push opened new Redis
    connections. Pushes now share one loop per process, hence one pool."""
    import redis

    from miel import realtime

    stats = redis.Redis.from_url(redis_url)
    try:
        events = [(uuid.uuid4(), {"type": "ping"}), (uuid.uuid4(), {"type": "ping"})]
        layer = redis_layer
        for user_id, _event in events:  # each has a socket: the pushes go through group_send
            realtime._run(layer, layer.group_add, user_group(user_id), f"specific.test!{user_id}")
        assert realtime.send_many(events)  # warm: the loop and its pool
        before = stats.info("stats")["total_connections_received"]
        for _ in range(20):
            assert realtime.send_many(events)
        # Other clients of this Redis may connect meanwhile; 20 pushes used to open 40.
        assert stats.info("stats")["total_connections_received"] - before < 5
    finally:
        stats.close()


def test_push_goes_only_to_groups_with_a_socket(redis_layer, monkeypatch):
    """Issue 20: a push to a member with no socket open costs one EXISTS from the request's
    thread, no group_send; a member with a socket still gets the event, and once their last
    socket leaves the group (Redis deletes the empty set) pushes to them stop again."""
    from miel import realtime

    layer = redis_layer
    sent: list[str] = []
    real_group_send = layer.group_send

    async def group_send(group, message):
        sent.append(group)
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", group_send)
    away, online = uuid.uuid4(), uuid.uuid4()
    channel = realtime._run(layer, layer.new_channel)
    realtime._run(layer, layer.group_add, user_group(online), channel)
    assert realtime.send_many([(away, {"type": "a"}), (online, {"type": "b"})])
    assert sent == [user_group(online)]
    received = realtime._run(layer, layer.receive, channel)
    assert received == {"type": "miel.event", "event": {"type": "b"}}
    assert layer.groups_with_members([user_group(away), user_group(online)]) == {user_group(online)}
    assert (realtime.has_socket(online), realtime.has_socket(away)) == (True, False)

    realtime._run(layer, layer.group_discard, user_group(online), channel)
    assert realtime.send_now(online, {"type": "c"})
    assert sent == [user_group(online)]  # no second group_send: nobody to send to
    assert realtime.has_socket(online) is False


def test_push_with_redis_down_is_skipped_and_logged(settings, caplog):
    """The group check cannot reach Redis: the push is skipped as an unreachable layer's would
    be (logged, the breaker opened), not raised into the request."""
    from channels.layers import channel_layers

    from miel import realtime

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "miel.channel_layers.BlockingPoolRedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 0.2}],
                "prefix": f"miel-test-{uuid.uuid4().hex[:8]}",
            },
        }
    }
    channel_layers.backends.clear()
    try:
        assert realtime.send_now(uuid.uuid4(), {"type": "a"}) is False
        assert "channel layer unreachable" in caplog.text
    finally:
        realtime.layer_breaker.succeeded()
        channel_layers.backends.clear()


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def http_send(base_url: str, session_key: str, to_user_id, text: str) -> requests.Response:
    """Send a message over real HTTP as the browser does (session cookie, CSRF, htmx)."""
    http = requests.Session()
    http.cookies.set("sessionid", session_key)
    page = http.get(f"{base_url}/members/{to_user_id}/chat/", timeout=10)
    assert page.status_code == 200, page.text[:500]
    return http.post(
        f"{base_url}/members/{to_user_id}/chat/send/",
        data={"text": text},
        headers={"X-CSRFToken": http.cookies["csrftoken"], "HX-Request": "true"},
        timeout=10,
    )


def test_message_sent_to_server_b_reaches_socket_on_server_a(transactional_db, redis_url):
    require_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    from tests.conftest import require_service

    require_service(require_pg, "needs DATABASE_URL (PostgreSQL) shared by two server processes")
    alice = MemberFactory(name="Alice")
    bob = MemberFactory(name="Bob")
    alice_session, bob_session = session_for(alice.user), session_for(bob.user)

    with asgi_server() as server_a, asgi_server() as server_b:

        async def scenario():
            headers = {"Cookie": f"sessionid={bob_session}"}
            async with connect(
                server_a.ws_url, additional_headers=headers, origin=server_a.url
            ) as bobs_socket:
                response = await asyncio.to_thread(
                    http_send, server_b.url, alice_session, bob.user_id, "across servers"
                )
                assert response.status_code == 200, response.text[:500]
                while True:
                    event = json.loads(await asyncio.wait_for(bobs_socket.recv(), timeout=10))
                    if event["type"] == "message.new":
                        return event

        event = asyncio.run(scenario())
    assert event["message"]["text"] == "across servers"
    assert event["message"]["sender"] == str(alice.user_id)
    assert event["unread_count"] == 1
    assert Message.objects.get().text == "across servers"


def test_unauthenticated_socket_refused_by_real_server(transactional_db, redis_url):
    from tests.conftest import require_service

    require_service(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs PostgreSQL"
    )
    with asgi_server() as server:

        async def scenario():
            async with connect(server.ws_url, origin=server.url) as ws:
                await asyncio.wait_for(ws.wait_closed(), timeout=5)
                return ws.close_code

        assert asyncio.run(scenario()) == 4401


@pytest.mark.asyncio
async def test_the_layers_group_send_keeps_channels_redis_rules(redis_url):
    """Issue 20: the project layer's group_send (two round trips instead of four) delivers to
    every channel of a group, across processes (two layer objects), once each; drops a
    message for a channel at capacity as channels_redis does; and forgets a group member past
    the group expiry. channels_redis' own layer reads what it stores."""
    from miel.channel_layers import BlockingPoolRedisChannelLayer

    prefix = f"miel-test-{uuid.uuid4().hex[:8]}"
    hosts = [{"address": redis_url, "max_connections": 10}]
    ours = BlockingPoolRedisChannelLayer(hosts=hosts, prefix=prefix, capacity=2)
    theirs = RedisChannelLayer(hosts=hosts, prefix=prefix, capacity=2)
    try:
        mine, other, stale = (
            await ours.new_channel(),
            await theirs.new_channel(),
            await theirs.new_channel(),
        )
        group = user_group(uuid.uuid4())
        for channel in (mine, other):
            await ours.group_add(group, channel)
        # A member added long ago (past the group expiry) is no longer in the group.
        async with theirs.connection(0) as conn:
            await conn.zadd(theirs._group_key(group), {stale: 1})
        for n in range(3):  # the third is over the capacity of 2 of each channel
            await ours.group_send(group, {"type": "miel.event", "event": {"n": n}})
        got_mine = [await asyncio.wait_for(ours.receive(mine), 5) for _ in range(2)]
        got_other = [await asyncio.wait_for(theirs.receive(other), 5) for _ in range(2)]
        assert [m["event"]["n"] for m in got_mine] == [0, 1]
        assert [m["event"]["n"] for m in got_other] == [0, 1]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ours.receive(mine), 0.5)
        async with theirs.connection(0) as conn:
            members = await conn.zrange(theirs._group_key(group), 0, -1)
        assert stale.encode() not in members
        await ours.group_send(user_group(uuid.uuid4()), {"type": "miel.event", "event": {}})
    finally:
        await ours.flush()
        await ours.close_pools()
        await theirs.close_pools()
