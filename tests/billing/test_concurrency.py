"""Concurrent duplicates on PostgreSQL: the same webhook event delivered twice at the same
moment grants once; two boost spends of the last boost spend it once (rules §13)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from billing.models import ProcessedWebhookEvent, Transaction
from billing.services import BillingError, boost_spend
from tests.billing.conftest import post_event, start_checkout
from tests.factories import MemberFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _run_together(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released at the same instant; each closes its own DB
    connection. Returns the results (or exceptions) in thread order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def runner(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_same_event_delivered_twice_concurrently_grants_once(
    postgresql_only, transactional_db, fake_stripe
):
    member = MemberFactory()
    browser = Client()
    browser.force_login(member.user)
    completed, invoice_paid = fake_stripe.complete_checkout(start_checkout(fake_stripe, browser))
    assert post_event(Client(), completed).status_code == 200

    responses = _run_together(4, lambda _i: post_event(Client(), invoice_paid))

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert sorted(r.content for r in responses) == [b"duplicate"] * 3 + [b"processed"]
    user = User.objects.get(pk=member.user_id)
    assert user.boosts_available == 5
    assert Transaction.objects.count() == 1
    assert ProcessedWebhookEvent.objects.filter(pk=invoice_paid["id"]).count() == 1


def test_concurrent_checkout_completed_and_invoice_paid_both_apply(
    postgresql_only, transactional_db, fake_stripe
):
    """Different events for one member at the same moment serialise on the user row."""
    member = MemberFactory()
    browser = Client()
    browser.force_login(member.user)
    events = fake_stripe.complete_checkout(start_checkout(fake_stripe, browser, "annual"))

    responses = _run_together(2, lambda i: post_event(Client(), events[i]))

    assert [r.status_code for r in responses] == [200, 200]
    user = User.objects.get(pk=member.user_id)
    assert user.is_premium
    assert user.boosts_available == 15


def test_last_boost_spent_once_under_concurrency(postgresql_only, transactional_db):
    member = MemberFactory()
    User.objects.filter(pk=member.user_id).update(
        premium_until=timezone.now() + timedelta(days=5), boosts_available=1
    )

    def spend(_i: int):
        return boost_spend(user=User.objects.get(pk=member.user_id), hours=24)

    results = _run_together(4, spend)

    errors = [r for r in results if isinstance(r, BillingError)]
    assert len(errors) == 3, results
    assert all(e.status == 409 for e in errors)
    user = User.objects.get(pk=member.user_id)
    assert (user.boosts_available, user.boosts_used) == (0, 1)
