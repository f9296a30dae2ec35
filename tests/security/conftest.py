"""Fixtures for the hostile-user tests: two members who know nothing of each other."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import MemberFactory


@pytest.fixture
def alice(db):
    return MemberFactory(name="Alice")


@pytest.fixture
def bob(db):
    return MemberFactory(name="Bob")


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice.user)
    return client


@pytest.fixture
def csrf_client(alice) -> Client:
    """Signed in as Alice, with CSRF checks enforced like a real browser."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    return client
