"""Stripe webhooks: verified, idempotent, order-independent (rules §13)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from accounts.models import User
from billing.models import ProcessedWebhookEvent, Transaction
from tests.billing.conftest import WEBHOOK_SECRET, event_body, post_event, start_checkout
from tests.billing.fake_stripe import sign

pytestmark = pytest.mark.django_db


def _period_end(fake, sub_id: str) -> datetime:
    item = fake.subscriptions[sub_id]["items"]["data"][0]
    return datetime.fromtimestamp(item["current_period_end"], tz=UTC)


@pytest.fixture
def paid(member_client, fake_stripe):
    """A member who went through Checkout for the basic plan; events not yet delivered."""
    session_id = start_checkout(fake_stripe, member_client, "basic")
    completed, invoice_paid = fake_stripe.complete_checkout(session_id)
    sub_id = fake_stripe.sessions[session_id]["subscription"]
    return member_client.member.user, completed, invoice_paid, sub_id


def test_checkout_and_invoice_events_grant_premium_boosts_and_a_transaction(
    client, fake_stripe, paid
):
    user, completed, invoice_paid, sub_id = paid

    assert post_event(client, completed).status_code == 200
    assert post_event(client, invoice_paid).status_code == 200

    user.refresh_from_db()
    assert user.premium_until == _period_end(fake_stripe, sub_id)
    assert user.is_premium
    assert user.stripe_subscription_id == sub_id
    assert user.canceled_at is None
    assert user.boosts_available == 5
    [payment] = Transaction.objects.all()
    assert payment.id == invoice_paid["data"]["object"]["id"]
    assert (payment.user, payment.amount, payment.plan_id) == (user, Decimal("29.90"), "basic")
    assert (payment.months, payment.boosts, payment.status) == (1, 5, "succeeded")
    assert ProcessedWebhookEvent.objects.count() == 2


def test_signed_event_with_hebrew_text_is_processed(client, member_client, fake_stripe):
    session_id = start_checkout(fake_stripe, member_client, "popular")
    completed, invoice_paid = fake_stripe.complete_checkout(session_id, customer_name="דנה כהן")
    invoice_paid["data"]["object"]["description"] = "מנוי פרימיום · Miel 🍯"
    body = event_body(completed)
    assert "דנה כהן".encode() in body  # raw UTF-8 on the wire, not \\u escapes

    assert post_event(client, completed).status_code == 200
    assert post_event(client, invoice_paid).status_code == 200

    user = User.objects.get(pk=member_client.member.user.pk)
    assert user.is_premium
    assert user.boosts_available == 10
    assert Transaction.objects.get().amount == Decimal("59.70")


@pytest.mark.parametrize("how", ["missing", "altered body", "wrong secret", "too old", "garbage"])
def test_bad_signature_is_400_and_grants_nothing(client, fake_stripe, paid, how):
    user, _completed, invoice_paid, _sub = paid
    body = event_body(invoice_paid)
    signature = sign(body, WEBHOOK_SECRET)
    if how == "missing":
        response = client.post("/stripe/webhook/", data=body, content_type="application/json")
    else:
        if how == "altered body":
            body = body.replace(b'"amount_paid": 2990', b'"amount_paid": 1')
            assert b'"amount_paid": 1,' in body
        elif how == "wrong secret":
            signature = sign(body, "whsec_someone_else")
        elif how == "too old":
            signature = sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 600)
        else:
            signature = "t=abc,v1=zzz"
        response = post_event(client, invoice_paid, body=body, signature=signature)

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.premium_until is None
    assert user.boosts_available == 0
    assert not Transaction.objects.exists()
    assert not ProcessedWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'{"id": "evt_1"}', b"\xff\xfe", b'{"id": 1, "type": "x"}']
)
def test_malformed_but_signed_body_is_400(client, fake_stripe, body):
    response = post_event(client, {}, body=body, signature=sign(body, WEBHOOK_SECRET))

    assert response.status_code == 400
    assert not ProcessedWebhookEvent.objects.exists()


def test_webhook_only_accepts_post(client, fake_stripe):
    assert client.get("/stripe/webhook/").status_code == 405


def test_same_event_twice_grants_once(client, fake_stripe, paid):
    user, completed, invoice_paid, _sub = paid
    post_event(client, completed)

    first = post_event(client, invoice_paid)
    second = post_event(client, invoice_paid)

    assert (first.status_code, first.content) == (200, b"processed")
    assert (second.status_code, second.content) == (200, b"duplicate")
    user.refresh_from_db()
    assert user.boosts_available == 5
    assert Transaction.objects.count() == 1


def test_same_invoice_in_a_new_event_id_grants_once(client, fake_stripe, paid):
    """Stripe can resend an invoice under a fresh event id; the Transaction id stops it."""
    user, completed, invoice_paid, _sub = paid
    post_event(client, completed)
    post_event(client, invoice_paid)
    again = dict(invoice_paid, id="evt_test_resent")

    assert post_event(client, again).status_code == 200

    user.refresh_from_db()
    assert user.boosts_available == 5
    assert Transaction.objects.count() == 1


def test_renewal_extends_premium_and_adds_boosts(client, fake_stripe, paid):
    user, completed, invoice_paid, sub_id = paid
    post_event(client, completed)
    post_event(client, invoice_paid)
    first_end = _period_end(fake_stripe, sub_id)

    post_event(client, fake_stripe.renew(sub_id))

    user.refresh_from_db()
    assert user.premium_until == _period_end(fake_stripe, sub_id) > first_end
    assert user.boosts_available == 10
    assert Transaction.objects.count() == 2


def test_cancel_at_period_end_keeps_premium_then_resume_clears_it(client, fake_stripe, paid):
    user, completed, invoice_paid, sub_id = paid
    post_event(client, completed)
    post_event(client, invoice_paid)

    post_event(client, fake_stripe.cancel_at_period_end(sub_id))
    user.refresh_from_db()
    assert user.is_premium
    assert user.canceled_at is not None

    post_event(client, fake_stripe.cancel_at_period_end(sub_id, cancel=False))
    user.refresh_from_db()
    assert user.canceled_at is None
    assert user.premium_until == _period_end(fake_stripe, sub_id)


def test_cancelled_subscription_stays_cancelled_when_an_older_active_event_arrives_late(
    client, fake_stripe, paid
):
    user, completed, invoice_paid, sub_id = paid
    older_active = fake_stripe.event(
        "customer.subscription.updated", fake_stripe.subscriptions[sub_id]
    )
    assert older_active["data"]["object"]["status"] == "active"
    deleted = fake_stripe.cancel_now(sub_id)

    # Stripe delivers out of order: the deletion first, then the older events.
    for event in (deleted, completed, invoice_paid, older_active):
        assert post_event(client, event).status_code == 200

    user.refresh_from_db()
    assert not user.is_premium
    assert user.canceled_at is not None
    assert user.premium_until is None or user.premium_until <= datetime.now(tz=UTC)


def test_cancel_pending_survives_a_late_event_without_the_cancel(client, fake_stripe, paid):
    user, completed, invoice_paid, sub_id = paid
    post_event(client, completed)
    stale_update = fake_stripe.event(
        "customer.subscription.updated", fake_stripe.subscriptions[sub_id]
    )
    post_event(client, fake_stripe.cancel_at_period_end(sub_id))

    post_event(client, stale_update)
    post_event(client, invoice_paid)

    user.refresh_from_db()
    assert user.is_premium
    assert user.canceled_at is not None


def test_deleted_subscription_ends_premium(client, fake_stripe, paid):
    user, completed, invoice_paid, sub_id = paid
    post_event(client, completed)
    post_event(client, invoice_paid)

    post_event(client, fake_stripe.cancel_now(sub_id))

    user.refresh_from_db()
    assert not user.is_premium
    assert user.boosts_available == 5  # boosts already paid for stay


def test_old_subscription_ending_does_not_end_a_newer_one(client, member_client, fake_stripe, paid):
    user, completed, invoice_paid, old_sub = paid
    post_event(client, completed)
    post_event(client, invoice_paid)
    deleted_old = fake_stripe.cancel_now(old_sub)
    post_event(client, deleted_old)
    events = fake_stripe.complete_checkout(start_checkout(fake_stripe, member_client, "annual"))
    for event in events:
        post_event(client, event)
    late_old = fake_stripe.event(
        "customer.subscription.deleted", fake_stripe.subscriptions[old_sub]
    )

    post_event(client, late_old)

    user.refresh_from_db()
    assert user.is_premium
    assert user.stripe_subscription_id != old_sub


def test_unhandled_event_type_is_acknowledged_and_not_recorded(client, fake_stripe):
    event = fake_stripe.event("charge.refunded", {"id": "ch_1", "object": "charge"})

    response = post_event(client, event)

    assert (response.status_code, response.content) == (200, b"ignored")
    assert not ProcessedWebhookEvent.objects.exists()


def test_event_for_unknown_customer_changes_nothing(client, fake_stripe, paid):
    user, _completed, invoice_paid, _sub = paid
    invoice_paid["data"]["object"]["customer"] = "cus_test_nobody"
    invoice_paid["data"]["object"]["parent"]["subscription_details"]["metadata"] = {}

    assert post_event(client, invoice_paid).status_code == 200

    user.refresh_from_db()
    assert user.boosts_available == 0
    assert not Transaction.objects.exists()


def test_subscription_of_another_customer_is_ignored(client, fake_stripe, paid, member):
    _user, completed, _invoice, _sub = paid
    User.objects.filter(pk=member.user.pk).update(stripe_customer_id="cus_test_other")
    forged = json.loads(json.dumps(completed))
    forged["id"] = "evt_test_forged"
    forged["data"]["object"]["client_reference_id"] = str(member.user.pk)

    assert post_event(client, forged).status_code == 200

    assert not User.objects.get(pk=member.user.pk).is_premium


def test_stripe_unreachable_answers_503_and_records_nothing(client, fake_stripe, paid, settings):
    _user, completed, _invoice, _sub = paid
    fake_stripe.stop()

    response = post_event(client, completed)

    assert response.status_code == 503
    assert not ProcessedWebhookEvent.objects.exists()  # Stripe's retry will process it


def test_webhook_without_configured_secret_is_503(client, fake_stripe, paid, settings):
    _user, completed, _invoice, _sub = paid
    settings.STRIPE_WEBHOOK_SECRET = ""

    assert post_event(client, completed).status_code == 503
    assert not ProcessedWebhookEvent.objects.exists()
