"""With Redis unreachable the site keeps working, and recovers by itself (issue 13 item 1).

The cache, the channel layer and the Celery broker all point at a TCP proxy in front of the real
Redis; the test stops the proxy (open connections cut, new ones refused) and starts it again.
Sessions then come from the database, cache reads are misses, pushes and task queuing are
skipped and logged, and a write that committed answers as usual. When Redis is back, the cache
is used again, and what changed during the outage (a logout) is not undone by stale entries.
"""

from __future__ import annotations

import copy
import logging
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from matching import services as matching_services
from matching.models import Like
from matching.tasks import send_match_email
from messaging.models import Message
from miel import realtime
from tests.factories import MemberFactory
from tests.tcp_proxy import TcpProxy

RETRY_AFTER = 0.3


@pytest.fixture
def redis_behind_proxy(redis_url, settings):
    """Cache, channel layer and Celery broker on Redis through a proxy the test can stop."""
    from channels.layers import channel_layers

    from miel.celery import app

    target = urlsplit(redis_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379).start()
    url = proxy.url(redis_url)
    prefix = f"miel-test-{uuid.uuid4().hex[:8]}"
    # The production configuration (miel/settings.py), moved onto the proxy.
    caches = copy.deepcopy(settings.CACHES)
    caches["default"].update(LOCATION=url, KEY_PREFIX=prefix)
    if caches["default"]["BACKEND"] == "miel.cache.DegradingRedisCache":
        caches["default"]["OPTIONS"].update(retry_after=RETRY_AFTER, epoch_check_seconds=0.1)
    settings.CACHES = caches
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["hosts"][0]["address"] = url
    layers["default"]["CONFIG"]["prefix"] = prefix
    settings.CHANNEL_LAYERS = layers
    settings.REDIS_RETRY_SECONDS = RETRY_AFTER  # pushes and task queuing retry this soon
    channel_layers.backends.clear()
    previous = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = (
        url,
        False,
        prefix,
    )
    _reset_celery_pools(app)
    try:
        yield proxy
    finally:
        proxy.start()
        try:
            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(prefix)
        except Exception:  # noqa: S110 (best effort cleanup)
            pass
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = previous
        _reset_celery_pools(app)
        cache.clear()
        proxy.stop()


def _reset_celery_pools(app) -> None:  # type: ignore[no-untyped-def]
    app._pool = None
    app.amqp._producer_pool = None


def eventually(attempt, seconds: float = 5.0):  # type: ignore[no-untyped-def]
    """``attempt()``'s first truthy result within ``seconds``, trying every retry window."""
    deadline = time.monotonic() + seconds
    while not (result := attempt()) and time.monotonic() < deadline:
        time.sleep(RETRY_AFTER + 0.05)
    return result


def signed_in(browser: Client) -> bool:
    return browser.get("/settings/").status_code == 200


@pytest.mark.integration
def test_signed_in_pages_and_writes_work_while_redis_is_down_and_recover(
    redis_behind_proxy, transactional_db, caplog
):
    proxy = redis_behind_proxy
    alice, bob, carol = MemberFactory(name="Alice"), MemberFactory(name="Bob"), MemberFactory()
    matching_services.like_toggle(source=alice, target=bob)
    matching_services.like_toggle(source=bob, target=alice)  # a match: they may chat
    a, b = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    a.force_login(alice.user)
    b.force_login(bob.user)
    assert a.get("/members/").status_code == 200
    assert signed_in(b)  # bob's session is now in Redis
    bob_cookie = b.cookies["sessionid"].value

    proxy.stop()
    caplog.set_level(logging.WARNING)
    started = time.monotonic()

    # Signed-in pages answer, from sessions in the database.
    assert a.get("/members/").status_code == 200
    chat = reverse("messaging:chat", kwargs={"user_id": bob.user_id})
    assert a.get(chat).status_code == 200
    # Chat send: saved, answered, the push to bob skipped and logged.
    send = reverse("messaging:chat_send", kwargs={"user_id": bob.user_id})
    response = a.post(send, {"text": "still here"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Message.objects.filter(sender=alice, recipient=bob, text="still here").exists()
    # A like that makes a match: saved; the match e-mail task cannot be queued (logged).
    matching_services.like_toggle(source=carol, target=alice)
    like = reverse("matching:like", kwargs={"user_id": carol.user_id})
    response = a.post(like, {"action": "like"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert (body["liked"], body["match"], body["new_match"]) == (True, True, True)
    assert Like.objects.filter(source=alice, target=carol).exists()
    # A new sign-in and a sign-out work too.
    c = Client()
    c.force_login(carol.user)
    assert signed_in(c)
    assert b.post("/accounts/logout/").status_code == 302

    assert time.monotonic() - started < 10, "the outage made requests wait"
    logged = caplog.text
    assert "Redis cache unreachable" in logged
    assert "realtime push" in logged
    assert "could not queue task matching.tasks.send_match_email" in logged

    proxy.start()
    time.sleep(RETRY_AFTER + 0.1)

    # The cache is used again, ...
    assert a.get("/members/").status_code == 200
    assert eventually(lambda: cache.add("after-outage", 1) and cache.get("after-outage") == 1)
    # ... without bringing back bob's session, which Redis still held when he signed out.
    stolen = Client()
    stolen.cookies["sessionid"] = bob_cookie
    assert not signed_in(stolen)
    assert signed_in(a)
    assert signed_in(c)
    # Pushes and task queuing work again (a pooled connection cut by the outage may fail
    # once more; the next attempt after the retry window reconnects).
    assert eventually(lambda: realtime.send_now(bob.user_id, {"type": "ping"}))
    assert eventually(lambda: send_match_email.delay(str(alice.user_id), str(carol.user_id)))


def test_the_cache_degrades_to_misses_and_skipped_writes_without_redis(caplog):
    """Nothing listens on port 1: every call answers at once as a miss or a skipped write."""
    from miel.cache import DegradingRedisCache

    dead = DegradingRedisCache(
        "redis://127.0.0.1:1/0",
        {"KEY_PREFIX": f"t{uuid.uuid4().hex[:6]}", "OPTIONS": {"retry_after": 60}},
    )
    started = time.monotonic()
    assert dead.get("k", "default") == "default"
    dead.set("k", 1)
    assert dead.get_many(["k", "j"]) == {}
    assert dead.add("k", 1) is True  # a lock or throttle lets the caller through
    assert dead.incr("k", 3) == 3
    assert dead.incr_expiring("k", 2, 60) == (2, False)  # a socket counts as the only one
    assert dead.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead.delete("k") is False
    assert dead.get_or_set("k", lambda: "computed") == "computed"
    assert not dead.available
    assert time.monotonic() - started < 1
    assert caplog.text.count("Redis cache unreachable") == 1  # one line per outage


def test_incr_expiring_counts_from_zero_and_keeps_the_key_alive(redis_url):
    """The presence counter's one-round-trip increment (INCRBY and EXPIRE pipelined)."""
    from miel.cache import DegradingRedisCache

    live = DegradingRedisCache(redis_url, {"KEY_PREFIX": f"t{uuid.uuid4().hex[:6]}"})
    assert live.incr_expiring("sockets", 1, 60) == (1, False)  # a missing key counts as 0
    assert live.incr_expiring("sockets", 1, 60) == (2, False)
    assert live.incr_expiring("sockets", -1, 60) == (1, False)
    assert live.get("sockets") == 1  # readable as the plain integer cache.get returns
    made = live.make_and_validate_key("sockets")
    assert 0 < live._cache.get_client(made).ttl(made) <= 60
    # The "gone" mark rides along: set with its own expiry, then taken (once) by a connect.
    assert live.incr_expiring("sockets", -1, 60, mark=("gone", 7, 30)) == (0, False)
    gone = live.make_and_validate_key("gone")
    assert live.get("gone") == 7
    assert 0 < live._cache.get_client(gone).ttl(gone) <= 30
    assert live.incr_expiring("sockets", 1, 60, unmark="gone") == (1, True)
    assert live.incr_expiring("sockets", 1, 60, unmark="gone") == (2, False)
    assert live.get("gone") is None
    live.delete("sockets")


def test_one_redis_client_serves_every_call_of_a_cache(redis_url, monkeypatch):
    """Issue 20: Django built a ``redis.Redis`` (copying ~170 response callbacks) for every
    cache call; the cache keeps one per connection pool, and it still degrades when Redis is
    cut (the tests above) and works across writes and reads."""
    import redis as redis_lib

    from miel.cache import DegradingRedisCache

    made = []
    original = redis_lib.Redis.__init__

    def counting(self, *args, **kwargs):
        made.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis_lib.Redis, "__init__", counting)
    live = DegradingRedisCache(redis_url, {"KEY_PREFIX": f"t{uuid.uuid4().hex[:6]}"})
    for n in range(20):
        live.set("k", n, 60)
        assert live.get("k") == n
    live.set_many({"a": 1, "b": 2}, 60)
    assert live.get_many(["a", "b"]) == {"a": 1, "b": 2}
    assert live._cache.get_client("k") is live._cache.get_client("k", write=True)
    assert len(made) == 1  # one client for the one server (before: one per call, 44 here)
    # set_many: plain SETs with their expiry (no MULTI/EXEC), one key or several; 0 deletes
    live.set_many({"one": "x"}, 30)
    live.set_many({"a": 3, "b": 4}, 30)
    client = live._cache.get_client(None)
    assert live.get_many(["one", "a", "b"]) == {"one": "x", "a": 3, "b": 4}
    for key in ("one", "a", "b"):
        made_key = live.make_and_validate_key(key)
        assert 0 < client.ttl(made_key) <= 30
    live.set_many({"a": 5}, None)
    assert client.ttl(live.make_and_validate_key("a")) == -1  # no expiry, as set(None)
    live.set_many({"a": 1, "b": 2}, 0)
    assert live.get_many(["a", "b"]) == {}
    live.delete_many(["k", "one"])


@pytest.fixture
def silent_redis():
    """A port that accepts connections (the kernel's backlog) and never answers: a Redis that
    hangs rather than refusing."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    yield f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
    silent.close()


def test_a_hanging_redis_costs_a_few_seconds_once_not_forever(silent_redis, caplog):
    """Queuing a task on a broker that never answers waited forever (no socket timeout); the
    cache gives up after its socket timeout. Both then skip Redis for the retry window."""
    from miel.cache import DegradingRedisCache
    from miel.celery import app

    hung = DegradingRedisCache(
        silent_redis,
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "retry_after": 60}},
    )
    started = time.monotonic()
    assert hung.get("k") is None
    assert hung.get("k") is None  # skipped at once
    assert time.monotonic() - started < 3

    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = silent_redis, False
    _reset_celery_pools(app)
    try:
        started = time.monotonic()
        assert send_match_email.delay("a", "b") is None
        assert send_match_email.delay("a", "b") is None  # skipped at once
        assert time.monotonic() - started < 8
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous
        _reset_celery_pools(app)
    assert "could not queue task matching.tasks.send_match_email" in caplog.text


def test_the_cache_deletes_each_key_and_tells_which_were_there(redis_url, settings):
    """The marks are taken with one pipelined DEL each (``DegradingRedisCache.delete_each``):
    only the announcer whose DEL removed a mark announces."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "miel.cache.DegradingRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "miel-test-delete-each",
        }
    }
    cache = caches.create_connection("default")
    cache.set("a", 1)
    assert cache.delete_each(["a", "b"]) == [True, False]
    assert cache.delete_each(["a"]) == [False]
    assert cache.delete_each([]) == []
