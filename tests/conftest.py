"""Shared pytest fixtures."""

from __future__ import annotations

import pytest

from tests.factories import MemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes uploads to its own temporary media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


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
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


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
