"""``/accounts/email/`` (allauth) and other members' addresses (issue 13 item 15): adding an
address another account holds is refused without saying whose, and sends that member
nothing; confirmation e-mails are throttled per address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import TestCase

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    alice = MemberFactory(name="Alice")
    client.force_login(alice.user)
    client.cookies["django_language"] = "en"
    return alice


def _post(client, **data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/accounts/email/", data)


def test_adding_another_members_address_is_refused_and_mails_nobody(client, alice):
    bob = MemberFactory(name="Bobbington")

    response = _post(client, action_add="", email=bob.user.email)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This e-mail address cannot be added to your account." in page
    assert "Bobbington" not in page  # whose it is stays unsaid
    assert not EmailAddress.objects.filter(user=alice.user, email=bob.user.email).exists()
    assert [m for m in mail.outbox if bob.user.email in m.to] == []


def test_an_unverified_address_of_another_account_is_refused_too(client, alice):
    pending = MemberFactory(user__verified=False)

    _post(client, action_add="", email=pending.user.email.upper())

    assert not EmailAddress.objects.filter(user=alice.user).exclude(email=alice.user.email)
    assert mail.outbox == []


def test_resend_to_an_old_row_with_another_members_address_sends_nothing(client, alice):
    bob = MemberFactory()
    # A row left from before such addresses were refused.
    EmailAddress.objects.create(user=alice.user, email=bob.user.email, verified=False)

    for _ in range(3):
        _post(client, action_send="", email=bob.user.email)

    assert [m for m in mail.outbox if bob.user.email in m.to] == []


def test_resending_a_confirmation_is_throttled(client, alice):
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        _post(client, action_add="", email="second@example.com")
        assert [m.to for m in mail.outbox] == [["second@example.com"]]

        for _ in range(5):
            _post(client, action_send="", email="second@example.com")
        assert len(mail.outbox) == 1  # at most one confirmation per address per 3 minutes

        clock.shift(timedelta(minutes=3, seconds=1))
        _post(client, action_send="", email="second@example.com")
        assert len(mail.outbox) == 2


def test_email_management_is_limited_per_member(client, alice):
    statuses = [
        _post(client, action_send="", email=alice.user.email).status_code for _ in range(12)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[-1] == 429
