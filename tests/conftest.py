"""Shared pytest fixtures."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import MemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes uploads to its own temporary media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"  # verification selfies


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process in tests, even with REDIS_URL set; the integration tests that need a
    real worker start one explicitly."""
    from miel.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _redis_breakers_closed():
    """A Redis failure seen by one test does not make the next one skip pushes or tasks."""
    from miel import breaker

    breaker.reset_all()
    yield
    breaker.reset_all()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Every test gets its own channel-layer instance.

    pytest-asyncio gives each async test a new event loop, while ``get_channel_layer()`` caches
    one layer per process. channels_redis keeps receive state on that instance (a lock, a count
    of waiting receives), so a consumer task left pending on an earlier test's closed loop, and
    finalised by the garbage collector during a later test, changed the later test's state
    ("Lock ... is bound to a different event loop"). Production has one loop per process.
    The instance's Redis connections on ``miel.realtime``'s sender loop are closed afterwards.
    """
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    layers = list(channel_layers.backends.values())
    channel_layers.backends.clear()
    for layer in layers:
        _close_sender_loop_pools(layer)


def _close_sender_loop_pools(layer) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from miel import realtime

    loop_layers = getattr(layer, "_layers", {})
    sender = realtime._loop
    if sender is not None and not sender.is_closed() and sender in loop_layers:
        asyncio.run_coroutine_threadsafe(loop_layers[sender].flush(), sender).result(timeout=5)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.fixture
def member_client(client, member):
    """A test client logged in as a member with a complete profile."""
    client.force_login(member.user)
    client.member = member
    return client


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose real service (Redis, PostgreSQL, Chromium, ...) is missing locally.

    In CI (``MIEL_REQUIRE_SERVICES=1``) the test fails instead, so nothing real is silently
    skipped there.
    """
    import os

    if available:
        return
    if os.environ.get("MIEL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


def is_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.fixture
def postgresql_only(db):
    """For tests of concurrency or SQL that only PostgreSQL can show."""
    require_service(is_postgresql(), "needs DATABASE_URL pointing at PostgreSQL")


@pytest.fixture
def redis_url():
    """The Redis URL for tests that need a real Redis (channel layer, Celery worker)."""
    from django.conf import settings

    require_service(bool(settings.REDIS_URL), "needs REDIS_URL")
    return settings.REDIS_URL


@pytest.fixture(scope="session", autouse=True)
def _end_helper_thread_connections(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end the PostgreSQL sessions that idle helper
    threads still hold (asyncio's executor threads and Channels' sync thread each keep their
    own connection, and Django can only close the current thread's). Without this, the drop
    failed with "being accessed by other users" and left the test database behind."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def members_all_matched():
    """Every member created during the test is a mutual match of every other one (both Like
    rows, real data), for tests about something else than the chat rule of issue 16 (only
    mutual matches may message each other): mailbox pages, e-mails, sockets. Tests of the rule
    itself create their likes explicitly."""
    from django.db.models.signals import post_save

    from matching.models import Like
    from profiles.models import Member

    def like_everyone(sender, instance, created, **kwargs):  # type: ignore[no-untyped-def]
        if not created:
            return
        others = list(Member.objects.exclude(pk=instance.pk).values_list("pk", flat=True))
        Like.objects.bulk_create(
            [Like(source_id=instance.pk, target_id=o) for o in others]
            + [Like(source_id=o, target_id=instance.pk) for o in others],
            ignore_conflicts=True,
        )

    post_save.connect(like_everyone, sender=Member, dispatch_uid="members_all_matched")
    yield
    post_save.disconnect(sender=Member, dispatch_uid="members_all_matched")


@pytest.fixture
def english(settings):
    """English pages and messages, for tests that read English text (Hebrew is the default
    language; tests/test_i18n.py and tests/test_hebrew_pages_have_no_english.py check it). The
    app directories whose tests all read English turn it on in their conftest."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff_client(client):
    """A client signed in as a staff member ("Moderator"), in English; ``client.staff`` is the
    staff user."""
    staff = MemberFactory(user__is_staff=True, name="Moderator")
    client.force_login(staff.user)
    client.cookies["django_language"] = "en"
    client.staff = staff.user
    return client


#: The header a page served from the per-viewer page cache carries (miel/page_cache.py).
PAGE_CACHE_HIT = "X-Page-Cache"


@pytest.fixture
def page_cache_on(settings):
    """The per-viewer page cache on (the suite runs with ``PAGE_CACHE_SECONDS=0``), empty."""
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 5
    cache.clear()


@pytest.fixture
def redis_layer(redis_url, settings):
    """The production channel layer (Redis) with a fresh prefix, flushed afterwards; with it
    :func:`miel.realtime.has_socket` answers for real (see :func:`_socket_state_unknown`)."""
    import uuid

    from channels.layers import channel_layers

    from miel import realtime

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "miel.channel_layers.BlockingPoolRedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis_url, "max_connections": 10}],
                "prefix": f"miel-test-{uuid.uuid4().hex[:8]}",
            },
        }
    }
    channel_layers.backends.clear()
    layer = channel_layers["default"]
    yield layer
    realtime._run(layer, layer.flush)
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _socket_state_unknown(request, monkeypatch):
    """Tests record pushes by replacing the senders (:func:`sent` and others), for members
    who have no socket: with the Redis layer (CI) :func:`miel.realtime.has_socket` would
    answer "none open" and the notification's push would be skipped before reaching them. So
    it answers "cannot tell" (the path of a member online), except in tests that use
    :func:`redis_layer`, which check the real answer."""
    if "redis_layer" not in request.fixturenames:
        monkeypatch.setattr("miel.realtime.has_socket", lambda user_id: None)


@pytest.fixture
def sent(monkeypatch):
    """The live events really sent to sockets (``miel.realtime.send_now`` and ``send_many``,
    after commit), as ``(user id, event)`` pairs; nothing reaches a channel layer."""
    events: list = []
    monkeypatch.setattr(
        "miel.realtime.send_now", lambda uid, event: events.append((uid, event)) or True
    )
    monkeypatch.setattr("miel.realtime.send_many", lambda items: events.extend(items) or True)
    return events
