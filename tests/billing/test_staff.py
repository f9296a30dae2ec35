"""grant_premium command and the read-only billing admin (rules §14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from accounts.models import User
from billing.models import ProcessedWebhookEvent, Transaction
from billing.services import add_months
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2028, 1, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 11, 15, tzinfo=UTC), 3, datetime(2027, 2, 15, tzinfo=UTC)),
        (datetime(2026, 3, 10, tzinfo=UTC), 12, datetime(2027, 3, 10, tzinfo=UTC)),
    ],
)
def test_add_months_clamps_the_day(start, months, end):
    assert add_months(start, months) == end


def test_grant_premium_from_now_with_boosts():
    user = UserFactory(email="dana@example.com")
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command(
            "grant_premium", "Dana@Example.com", "--months", "3", "--boosts", "4", stdout=out
        )

    user.refresh_from_db()
    assert user.premium_until == datetime(2026, 4, 30, 9, 0, tzinfo=UTC)
    assert user.boosts_available == 4
    assert "premium until 2026-04-30" in out.getvalue()


def test_grant_premium_extends_from_the_current_end():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(premium_until=NOW + timedelta(days=10))

    with time_machine.travel(NOW, tick=False):
        call_command("grant_premium", user.email, "--months", "1", stdout=StringIO())

    user.refresh_from_db()
    assert user.premium_until == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert user.boosts_available == 0


@pytest.mark.parametrize(
    "args",
    [
        ["nobody@example.com", "--months", "1"],
        ["{email}", "--months", "0"],
        ["{email}", "--months", "1", "--boosts", "-2"],
    ],
)
def test_grant_premium_rejects_bad_input(args):
    user = UserFactory()

    with pytest.raises(CommandError):
        call_command("grant_premium", *[a.format(email=user.email) for a in args])

    user.refresh_from_db()
    assert user.premium_until is None


def test_billing_admin_lists_and_is_read_only(client):
    admin = User.objects.create_superuser("boss@example.com", "pw-boss-123456")
    payer = UserFactory()
    Transaction.objects.create(
        id="in_test_1", user=payer, amount=Decimal("29.90"), plan_id="basic", status="succeeded"
    )
    ProcessedWebhookEvent.objects.create(event_id="evt_test_1", type="invoice.paid")
    client.force_login(admin)

    assert "in_test_1" in client.get("/admin/billing/transaction/").content.decode()
    assert "evt_test_1" in client.get("/admin/billing/processedwebhookevent/").content.decode()
    assert client.get("/admin/billing/transaction/add/").status_code == 403
    detail = client.get("/admin/billing/transaction/in_test_1/change/")
    assert detail.status_code == 200
    assert 'name="amount"' not in detail.content.decode()  # shown, not editable
    client.post("/admin/billing/transaction/in_test_1/delete/", {"post": "yes"})
    assert Transaction.objects.filter(pk="in_test_1").exists()
