"""Account write services (SPEC §3)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import User

LAST_ACTIVE_THROTTLE = timedelta(seconds=60)


def welcome_email_send_once(*, user: User) -> bool:
    """Queue the welcome e-mail the first time ``user`` logs in (SPEC §3).

    Idempotent under concurrent logins: the conditional UPDATE lets exactly one caller win.
    Returns True when this call queued the e-mail.
    """
    from .tasks import send_welcome_email

    won = User.objects.filter(pk=user.pk, welcome_email_sent_at__isnull=True).update(
        welcome_email_sent_at=timezone.now()
    )
    if won:
        transaction.on_commit(lambda: send_welcome_email.delay(str(user.pk)))
    return bool(won)


def user_mark_email_verified(*, user: User) -> None:
    """Record when the user's e-mail was verified (seed column ``emailVerified``)."""
    if user.email_verified is None:
        user.email_verified = timezone.now()
        user.save(update_fields=["email_verified"])


def user_touch_last_active(*, user: User) -> bool:
    """Refresh ``last_active_at`` on the user and their member row, at most once a minute.

    Returns True when a write happened. Two UPDATEs by primary key, no reads.
    """
    from profiles.models import Member

    now = timezone.now()
    if user.last_active_at and now - user.last_active_at < LAST_ACTIVE_THROTTLE:
        return False
    User.objects.filter(pk=user.pk).update(last_active_at=now)
    Member.objects.filter(user_id=user.pk).update(last_active_at=now)
    user.last_active_at = now
    return True
