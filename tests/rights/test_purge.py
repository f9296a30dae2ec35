"""``purge_expired_tokens`` (rules §14): expired confirmations, OAuth tokens, sessions and
never-verified accounts go; ``--dry-run`` only counts."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale():
    """Created ten days ago: a never-verified account with a confirmation key, a verified
    account, a staff account; plus an expired session."""
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        unverified = UserFactory(verified=False, last_active_at=None)
        EmailConfirmation.create(EmailAddress.objects.get(user=unverified)).save()
        EmailConfirmation.objects.update(sent=timezone.now())
        verified = UserFactory()
        staff = UserFactory(verified=False, is_staff=True)
        session = SessionStore()
        session["x"] = 1
        session.set_expiry(60)
        session.create()
    recent = UserFactory(verified=False)
    member = MemberFactory()
    return {
        "unverified": unverified,
        "verified": verified,
        "staff": staff,
        "recent": recent,
        "member": member,
        "session": session.session_key,
    }


def test_dry_run_deletes_nothing(stale):
    out = StringIO()
    call_command("purge_expired_tokens", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "would delete 1 expired e-mail confirmations" in text
    assert "would delete 1 never-verified accounts" in text
    assert "would delete 1 expired sessions" in text
    assert User.objects.filter(pk=stale["unverified"].pk).exists()
    assert EmailConfirmation.objects.count() == 1
    assert Session.objects.filter(pk=stale["session"]).exists()


def test_purge_deletes_only_stale_data(stale):
    out = StringIO()
    call_command("purge_expired_tokens", stdout=out)

    assert not User.objects.filter(pk=stale["unverified"].pk).exists()
    assert EmailConfirmation.objects.count() == 0
    assert not Session.objects.filter(pk=stale["session"]).exists()
    for kept in ("verified", "staff", "recent"):
        assert User.objects.filter(pk=stale[kept].pk).exists(), kept
    assert User.objects.filter(pk=stale["member"].user_id).exists()
    assert "deleted 1 never-verified accounts" in out.getvalue()


def test_unverified_days_zero_keeps_accounts(stale):
    call_command("purge_expired_tokens", "--unverified-days", "0", stdout=StringIO())
    assert User.objects.filter(pk=stale["unverified"].pk).exists()
    assert EmailConfirmation.objects.count() == 0


def test_help_text_mentions_dry_run():
    from accounts.management.commands.purge_expired_tokens import Command

    parser = Command().create_parser("manage.py", "purge_expired_tokens")
    assert "--dry-run" in parser.format_help()
