"""``invoice.payment_failed``: recorded once per invoice, the member told once in their
language, premium left to lapse at the end of the paid period, a successful retry turns the
row SUCCEEDED and grants the boosts once (rules §13)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import User
from billing.models import ProcessedWebhookEvent, Transaction
from tests.billing.conftest import post_event, start_checkout

pytestmark = pytest.mark.django_db

HEBREW = re.compile(r"[\u0590-\u05FF]")


@pytest.fixture
def subscribed(client, member_client, fake_stripe, django_capture_on_commit_callbacks):
    """A basic-plan member whose first invoice was paid and recorded."""
    session_id = start_checkout(fake_stripe, member_client, "basic")
    completed, invoice_paid = fake_stripe.complete_checkout(session_id)
    sub_id = fake_stripe.sessions[session_id]["subscription"]
    post_event(client, completed)
    post_event(client, invoice_paid)
    user = member_client.member.user
    user.refresh_from_db()
    assert user.boosts_available == 5
    mail.outbox.clear()
    return user, sub_id


def _renewal_fails(fake, sub_id):
    """The charge at the end of the paid period is declined (Stripe dates the invoice then)."""
    period_end = fake.subscriptions[sub_id]["items"]["data"][0]["current_period_end"]
    return fake.renewal_fails(sub_id, now=period_end)


def _deliver(client, event, capture):
    """Deliver ``event`` and run what it queued after commit (the e-mail task, eagerly)."""
    with capture(execute=True):
        response = post_event(client, event)
    assert response.status_code == 200, response.content
    return response


def test_failed_renewal_is_recorded_and_the_member_told_once(
    client, fake_stripe, subscribed, django_capture_on_commit_callbacks
):
    user, sub_id = subscribed
    paid_until = user.premium_until
    failed = _renewal_fails(fake_stripe, sub_id)
    invoice_id = failed["data"]["object"]["id"]

    response = _deliver(client, failed, django_capture_on_commit_callbacks)

    assert response.content == b"processed"
    row = Transaction.objects.get(pk=invoice_id)
    assert (row.user, row.status, row.amount, row.boosts) == (
        user,
        Transaction.Status.FAILED,
        Decimal("29.90"),
        0,
    )
    user.refresh_from_db()
    assert user.premium_until == paid_until  # not extended, not cut: lapses at period end
    assert user.boosts_available == 5
    [email] = mail.outbox
    assert email.to == [user.email]
    assert "29.90" in email.body
    assert "/premium/" in email.body

    # The same event again, and Stripe's next failed attempt (a new event id): nothing new.
    _deliver(client, failed, django_capture_on_commit_callbacks)
    _deliver(client, fake_stripe.retry_fails(invoice_id), django_capture_on_commit_callbacks)
    assert Transaction.objects.filter(status=Transaction.Status.FAILED).count() == 1
    assert len(mail.outbox) == 1
    assert ProcessedWebhookEvent.objects.filter(type="invoice.payment_failed").count() == 2


def test_premium_page_warns_about_the_failed_payment(
    client, member_client, fake_stripe, subscribed, django_capture_on_commit_callbacks
):
    _user, sub_id = subscribed
    with translation.override("en"):
        warning = translation.gettext(
            "Your last payment did not go through. Update your card under “Manage "
            "subscription” to keep premium."
        )
    member_client.cookies["django_language"] = "en"
    assert warning not in member_client.get("/premium/").content.decode()

    _deliver(client, _renewal_fails(fake_stripe, sub_id), django_capture_on_commit_callbacks)

    assert warning in member_client.get("/premium/").content.decode()


def test_successful_retry_turns_the_row_succeeded_and_grants_boosts_once(
    client, member_client, fake_stripe, subscribed, django_capture_on_commit_callbacks
):
    user, sub_id = subscribed
    failed = _renewal_fails(fake_stripe, sub_id)
    invoice_id = failed["data"]["object"]["id"]
    _deliver(client, failed, django_capture_on_commit_callbacks)

    paid = fake_stripe.retry_succeeds(invoice_id)
    _deliver(client, paid, django_capture_on_commit_callbacks)
    _deliver(client, dict(paid, id="evt_test_paid_again"), django_capture_on_commit_callbacks)
    # A late copy of the failure after the payment changes nothing either.
    _deliver(client, dict(failed, id="evt_test_late_failure"), django_capture_on_commit_callbacks)

    row = Transaction.objects.get(pk=invoice_id)
    assert (row.status, row.boosts, row.amount) == (
        Transaction.Status.SUCCEEDED,
        5,
        Decimal("29.90"),
    )
    user.refresh_from_db()
    assert user.boosts_available == 10
    item = fake_stripe.subscriptions[sub_id]["items"]["data"][0]
    assert user.premium_until == datetime.fromtimestamp(item["current_period_end"], tz=UTC)
    assert len(mail.outbox) == 1  # only the failure notice
    member_client.cookies["django_language"] = "en"
    assert "did not go through" not in member_client.get("/premium/").content.decode()


def test_payment_failed_email_is_in_the_members_language(
    client, fake_stripe, subscribed, django_capture_on_commit_callbacks, settings
):
    user, sub_id = subscribed
    settings.LANGUAGE_CODE = "en"
    User.objects.filter(pk=user.pk).update(language="he")

    with translation.override("en"):
        _deliver(client, _renewal_fails(fake_stripe, sub_id), django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert HEBREW.search(email.subject)
    assert HEBREW.search(email.body)


def test_payment_failed_for_an_unknown_customer_records_nothing(
    client, fake_stripe, subscribed, django_capture_on_commit_callbacks
):
    _user, sub_id = subscribed
    failed = _renewal_fails(fake_stripe, sub_id)
    failed["data"]["object"]["customer"] = "cus_test_nobody"
    failed["data"]["object"]["parent"]["subscription_details"]["metadata"] = {}

    _deliver(client, failed, django_capture_on_commit_callbacks)

    assert not Transaction.objects.filter(status=Transaction.Status.FAILED).exists()
    assert mail.outbox == []
