"""Concurrent sends on PostgreSQL: two requests with the same idempotency key store one message
(issue 13 item 14), and the per-minute limit holds under concurrent requests (issue 16)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from messaging import services
from messaging.models import Message
from profiles.models import Member
from tests.factories import MemberFactory


def _run_together(n, func):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    results: list[object] = []

    def run(k: int) -> None:
        try:
            barrier.wait()
            results.append(func(k))
        except Exception as exc:  # collected for the assertions
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _fresh(member):  # type: ignore[no-untyped-def]
    return Member.objects.select_related("user").get(pk=member.pk)


@pytest.mark.usefixtures("postgresql_only")
def test_the_same_key_sent_twice_at_once_stores_one_message(transactional_db):
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")  # matched (conftest)
    for n in range(3):
        key = f"race-key-{n:04d}"
        results = _run_together(
            2,
            lambda _k, key=key: services.message_send(
                sender=_fresh(alice), recipient=_fresh(bob), text="once", client_key=key
            ),
        )
        assert all(isinstance(r, Message) for r in results), results
        assert results[0].pk == results[1].pk
        assert Message.objects.filter(sender=alice, client_key=key).count() == 1


@pytest.mark.usefixtures("postgresql_only")
def test_the_minute_limit_holds_under_concurrent_sends(transactional_db, settings):
    settings.MESSAGES_PER_MINUTE = 3
    settings.NEW_CONVERSATIONS_PER_DAY = 0
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    results = _run_together(
        6,
        lambda k: services.message_send(sender=_fresh(alice), recipient=_fresh(bob), text=f"m{k}"),
    )
    assert Message.objects.filter(sender=alice).count() == 3
    assert sum(isinstance(r, services.MessageLimited) for r in results) == 3
