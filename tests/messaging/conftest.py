"""Fixtures for messaging tests: three members (alice, bob, carol) and helpers."""

from __future__ import annotations

import pytest

from tests.factories import MemberFactory


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
        return client

    return login


@pytest.fixture
def htmx():
    """Headers that make django-htmx see an htmx request."""
    return {"HTTP_HX_REQUEST": "true"}
