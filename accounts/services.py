"""Account write services (rules §3)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import User

RESEND_THROTTLE = timedelta(minutes=3)


def welcome_email_send_once(*, user: User) -> bool:
    """Queue the welcome e-mail the first time ``user`` logs in (rules §3).

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


def user_update_settings(
    *, user: User, email_notifications: dict[str, bool], time_zone: str
) -> User:
    """Save the account settings page (rules §3): notification switches (new_match, new_message,
    new_like, story_reply) and the IANA time zone. Unknown keys are ignored."""
    import zoneinfo

    from .models import default_email_notifications

    if time_zone not in zoneinfo.available_timezones():
        raise ValueError(f"unknown time zone {time_zone!r}")
    prefs = default_email_notifications()
    prefs.update({k: bool(v) for k, v in email_notifications.items() if k in prefs})
    user.email_notifications = prefs
    user.time_zone = time_zone
    user.save(update_fields=["email_notifications", "time_zone"])
    return user


def user_set_language(*, user: User, language: str) -> bool:
    """Remember ``language`` (a code of settings.LANGUAGES, e.g. "he" or "en") as the language
    ``user`` reads the site in, so e-mails to them use it (rules §15). Unknown codes are ignored.
    Returns True when the stored value changed (one UPDATE, none when unchanged)."""
    from django.conf import settings

    if language not in {code for code, _name in settings.LANGUAGES}:
        return False
    changed = User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    user.language = language
    return bool(changed)


def verification_email_resend(*, request, email: str) -> bool:
    """Send a fresh 24-hour verification link when ``email`` is an unverified address.

    Says nothing to the caller's user about whether the address exists (rules §3): views show
    the same page either way. At most one e-mail per address per ``RESEND_THROTTLE``.
    Returns True when an e-mail was sent (for tests and logs only).
    """
    from allauth.account.models import EmailAddress
    from django.core.cache import cache

    address = (
        EmailAddress.objects.filter(email__iexact=email.strip(), verified=False)
        .select_related("user")
        .first()
    )
    if address is None:
        return False
    if not cache.add(f"verify-resend:{address.pk}", 1, int(RESEND_THROTTLE.total_seconds())):
        return False
    address.send_confirmation(request, signup=False)
    return True
