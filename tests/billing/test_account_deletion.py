"""Deleting an account stops billing first (rules §3, §13)."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.billing.conftest import post_event, start_checkout

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def subscriber(member_client, client, fake_stripe):
    """A member with an active Stripe subscription (checkout paid, webhooks delivered)."""
    session_id = start_checkout(fake_stripe, member_client, "basic")
    for event in fake_stripe.complete_checkout(session_id):
        assert post_event(client, event).status_code == 200
    user = member_client.member.user
    user.refresh_from_db()
    assert user.is_premium
    return user


def test_delete_account_cancels_the_stripe_subscription(member_client, fake_stripe, subscriber):
    sub_id = subscriber.stripe_subscription_id

    response = member_client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=subscriber.pk).exists()
    assert fake_stripe.subscriptions[sub_id]["status"] == "canceled"
    assert ("DELETE", f"/v1/subscriptions/{sub_id}", {}) in fake_stripe.requests


def test_delete_account_keeps_everything_when_stripe_is_unreachable(
    member_client, fake_stripe, subscriber, settings
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = member_client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 503
    assert User.objects.filter(pk=subscriber.pk, stripe_subscription_id__gt="").exists()
    assert fake_stripe.subscriptions[subscriber.stripe_subscription_id]["status"] == "active"


def test_delete_account_already_gone_at_stripe_still_deletes(
    member_client, fake_stripe, subscriber
):
    del fake_stripe.subscriptions[subscriber.stripe_subscription_id]

    response = member_client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=subscriber.pk).exists()
