"""Presence with a grace period (rules §9, issue 20): a member whose last socket closes is told
"offline" to their matches only after ``PRESENCE_OFFLINE_GRACE_SECONDS``, and not at all if a
socket of theirs opens meanwhile (a page load, a socket server restart), so matches see no
offline-online flicker and a reconnect storm announces nothing."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from messaging import consumers
from tests.factories import make_match
from tests.messaging.test_consumers import consumer_for, make_member

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_db_connections"),
]

GRACE = 0.6


@pytest.fixture
def grace(settings):
    settings.PRESENCE_OFFLINE_GRACE_SECONDS = GRACE
    return GRACE


async def _pair():
    alice = await make_member(name="Alice")
    bob = await make_member(name="Bob")
    await database_sync_to_async(make_match)(alice, bob)
    b = consumer_for(bob.user)
    await b.connect()
    a = consumer_for(alice.user)
    await a.connect()
    assert await b.receive_json_from(timeout=3) == {
        "type": "presence",
        "user": str(alice.user_id),
        "status": "online",
    }
    return alice, a, b


async def test_offline_is_told_after_the_grace_period(grace):
    alice, a, b = await _pair()
    await a.disconnect()
    assert await b.receive_nothing(timeout=grace / 2)  # not yet
    assert await b.receive_json_from(timeout=3) == {
        "type": "presence",
        "user": str(alice.user_id),
        "status": "offline",
    }
    assert await b.receive_nothing(timeout=grace)  # once
    await b.disconnect()


async def test_a_member_back_within_the_grace_period_is_announced_neither_way(grace):
    alice, a, b = await _pair()
    await a.disconnect()
    await asyncio.sleep(grace / 3)
    again = consumer_for(alice.user)  # the next page's socket
    await again.connect()
    assert await b.receive_nothing(timeout=grace * 2)  # no offline, no second online
    await again.disconnect()
    assert (await b.receive_json_from(timeout=3))["status"] == "offline"
    await b.disconnect()


async def test_several_closes_within_the_grace_period_announce_offline_once(grace):
    alice, a, b = await _pair()
    await a.disconnect()
    for _ in range(2):  # two quick page loads
        tab = consumer_for(alice.user)
        await tab.connect()
        await tab.disconnect()
    assert (await b.receive_json_from(timeout=3))["status"] == "offline"
    assert await b.receive_nothing(timeout=grace * 2)
    assert not consumers._announcer().due  # every delayed announcement was made
    await b.disconnect()


async def test_a_member_back_after_the_grace_period_is_announced_again(grace):
    alice, a, b = await _pair()
    await a.disconnect()
    assert (await b.receive_json_from(timeout=3))["status"] == "offline"
    again = consumer_for(alice.user)
    await again.connect()
    assert (await b.receive_json_from(timeout=3))["status"] == "online"
    await again.disconnect()
    await b.disconnect()


async def test_the_grace_period_counts_from_the_last_close(grace):
    """A first page's close starts a wait; a later page's close (the member then leaves) starts
    its own: "offline" comes a whole grace period after the last one, not the first."""
    alice, a, b = await _pair()
    await a.disconnect()
    await asyncio.sleep(grace / 2)
    tab = consumer_for(alice.user)  # the next page, closed at once (the member leaves)
    await tab.connect()
    await tab.disconnect()
    left = asyncio.get_running_loop().time()
    frame = await b.receive_json_from(timeout=3)
    waited = asyncio.get_running_loop().time() - left
    assert frame["status"] == "offline"
    assert waited >= grace * 0.9
    assert await b.receive_nothing(timeout=grace)
    await b.disconnect()


async def test_members_due_together_are_checked_in_one_trip(grace, monkeypatch):
    """Issue 20: after a reconnect storm thousands of members are due at once; the process's
    announcer checks them all with one :func:`consumers._still_gone` call (one trip to a pool
    thread, one cache round trip), not one each."""
    import uuid

    calls: list[list] = []

    async def still_gone(user_ids):
        calls.append(sorted(user_ids))
        return {}

    monkeypatch.setattr(consumers, "_still_gone", still_gone)
    members = [uuid.uuid4() for _ in range(3)]
    for user_id in members:
        consumers._announcer().schedule(user_id, grace)
    await asyncio.sleep(grace * 2)
    assert calls == [sorted(members)]
    assert not consumers._announcer().due
