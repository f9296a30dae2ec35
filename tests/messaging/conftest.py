"""Fixtures for messaging tests: three members (alice, bob, carol) and helpers."""

from __future__ import annotations

import pytest

from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def _matched_unless_marked(request):
    """Messaging tests are about sending between matches unless a module is marked
    ``chat_rule`` (it then creates its likes itself); see ``members_all_matched``."""
    if request.node.get_closest_marker("chat_rule") is None:
        request.getfixturevalue("members_all_matched")


@pytest.fixture
def alice(db):
    return MemberFactory(name="Alice")


@pytest.fixture
def bob(db):
    return MemberFactory(name="Bob")


@pytest.fixture
def carol(db):
    return MemberFactory(name="Carol")


@pytest.fixture
def client_for(client):
    """``client_for(member)``: the test client logged in as ``member``."""

    def login(member):
        client.force_login(member.user)
        client.cookies["django_language"] = "en"  # assertions read English messages
        return client

    return login


@pytest.fixture
def htmx():
    """Headers that make django-htmx see an htmx request."""
    return {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def short_lived_db_connections():
    """Async tests run ORM calls on helper threads; with CONN_MAX_AGE>0 those threads keep
    connections open and PostgreSQL refuses to drop the test database at the end. Age 0 makes
    ``database_sync_to_async`` / the test client close them after each call."""
    from django.db import connection

    previous = connection.settings_dict.get("CONN_MAX_AGE", 0)
    connection.settings_dict["CONN_MAX_AGE"] = 0
    yield
    connection.settings_dict["CONN_MAX_AGE"] = previous


@pytest.fixture
def in_memory_channel_layer(settings):
    """Unit tests that read events synchronously use the in-memory layer even when REDIS_URL
    is set (the Redis layer has its own multi-process tests)."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
