from unittest import mock

import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """Every test here reads English text (the shared ``english`` fixture)."""


@pytest.fixture
def pushes():
    """The live events the like services push (``matching.services.likes.push_to_user``),
    as a mock."""
    with mock.patch("matching.services.likes.push_to_user") as push:
        yield push


@pytest.fixture
def sent(monkeypatch):
    """The live events really sent to sockets after commit, as ``(user id, event)`` pairs
    (``like.new`` goes out with the bell's count, through ``notifications.services``)."""
    events: list = []
    monkeypatch.setattr("miel.realtime.send_many", lambda items: events.extend(items) or True)
    monkeypatch.setattr(
        "miel.realtime.send_now", lambda uid, event: events.append((uid, event)) or True
    )
    return events
