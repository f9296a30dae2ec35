""" "New message" e-mails (rules §8) as idempotent Celery tasks.

Rules:
- no e-mail when the recipient was active in the last 5 minutes, or switched
  ``email_notifications["new_message"]`` off, or already read the message;
- at most one "new message" e-mail per conversation (sender → recipient) per hour;
- one reminder 2 hours after that e-mail if its message is still unread (a beat task looks for
  due reminders every few minutes).

Idempotence: the "new message" task holds a row lock on the conversation's
``MessageEmailNotice`` while it checks, sends and records, so a duplicated or retried task sees
the previous send and stops; the reminder is claimed with a conditional UPDATE
(``reminder_sent_at IS NULL``) in the same transaction as the send. A failed send rolls the
claim back, so the retry can send it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from miel import emails
from miel.mail import EMAIL_TASK_OPTIONS, one_line
from notifications import quiet

from .models import ConversationState, Message, MessageEmailNotice

logger = logging.getLogger(__name__)

ACTIVE_WINDOW = timedelta(minutes=5)
NEW_MESSAGE_INTERVAL = timedelta(hours=1)
REMINDER_AFTER = timedelta(hours=2)
#: How often beat looks for due reminders (seconds); see CELERY_BEAT_SCHEDULE.
REMINDER_SCAN_SECONDS = 300


def _wants_email(user) -> bool:
    prefs = user.email_notifications or {}
    return bool(user.email and user.is_active and prefs.get("new_message", True))


def _recently_active(user, now) -> bool:
    return user.last_active_at is not None and now - user.last_active_at < ACTIVE_WINDOW


def new_message_email_unneeded(user, *, now) -> bool:
    """True when a "new message" e-mail to ``user`` (an accounts.User, as loaded) would not be
    sent at ``now`` (aware UTC datetime) whatever else holds: e-mail off, account inactive, or
    active in the last 5 minutes (rules §8). :func:`messaging.services.message_send` then does not
    queue :func:`message_email_notify`, which would return without sending (rules §16: the chat
    between two active members costs no task)."""
    return not _wants_email(user) or _recently_active(user, now)


def _muted(message: Message) -> bool:
    """The recipient muted this conversation (issue 15): no e-mail about it goes to them."""
    return ConversationState.objects.filter(
        owner_id=message.recipient_id, other_id=message.sender_id, muted=True
    ).exists()


def _send(kind: str, message: Message) -> None:
    recipient = message.recipient
    chat_path = reverse("messaging:chat", kwargs={"user_id": message.sender.user_id})
    context = {
        "recipient": recipient,
        "sender": message.sender,
        "chat_url": f"{settings.SITE_URL.rstrip('/')}{chat_path}",
        "reminder": kind == "reminder",
    }
    with translation.override(recipient.user.email_language):  # the recipient's language
        subject = one_line(render_to_string("messaging/email/new_message_subject.txt", context))
        body = render_to_string("messaging/email/new_message.txt", context)
        button = _("Read and reply")
    emails.branded_mail_send(
        to=[recipient.user.email],
        subject=subject,
        text=body,
        language=recipient.user.email_language,
        button_label=button,
        unsubscribe_user=recipient.user,
        unsubscribe_kind="new_message",
    )


def _notice_for(message: Message) -> MessageEmailNotice:
    """The conversation's e-mail state row, created once (unique pair), locked FOR UPDATE."""
    try:
        with transaction.atomic():
            MessageEmailNotice.objects.get_or_create(
                recipient_id=message.recipient_id, sender_id=message.sender_id
            )
    except IntegrityError:  # created concurrently by the twin task: fine, lock it below
        pass
    return MessageEmailNotice.objects.select_for_update().get(
        recipient_id=message.recipient_id, sender_id=message.sender_id
    )


@shared_task(**EMAIL_TASK_OPTIONS)
def message_email_notify(self, message_id: str) -> str:
    """Send the "new message" e-mail for ``message_id`` if the rules §8 rules allow it.

    Returns what happened ("sent", or why not) for logs and tests. Retries on SMTP errors.
    """
    try:
        with transaction.atomic():
            message = (
                Message.objects.select_related("recipient__user", "sender")
                .filter(pk=message_id)
                .first()
            )
            if message is None or message.recipient_deleted:
                return "gone"
            if message.date_read is not None:
                return "read"
            user = message.recipient.user
            if not _wants_email(user):
                return "opted-out"
            if _muted(message):
                return "muted"
            now = timezone.now()
            if _recently_active(user, now):
                return "active"
            notice = _notice_for(message)  # row lock: twins wait here, then see our send
            if notice.new_sent_at and now - notice.new_sent_at < NEW_MESSAGE_INTERVAL:
                return "throttled"
            if quiet.hold_if_quiet(
                user_id=user.pk, channel="email", kind="message", key=f"message:{message.pk}"
            ):
                return "held"  # quiet hours / Shabbat: one summary after (docs/rules.md §19)
            _send("new", message)
            notice.new_sent_at = now
            notice.last_message = message
            notice.reminder_sent_at = None
            notice.save(update_fields=["new_sent_at", "last_message", "reminder_sent_at"])
            return "sent"
    except OSError:  # SMTP down: nothing was recorded; retried with backoff (autoretry_for)
        raise


@shared_task(**EMAIL_TASK_OPTIONS)
def message_email_remind(self, notice_id: str) -> str:
    """Send the one reminder for a conversation's last e-mailed message if it is still
    unread 2 hours after that e-mail (rules §8). Idempotent: claimed by a conditional UPDATE."""
    now = timezone.now()
    try:
        with transaction.atomic():
            due = MessageEmailNotice.objects.filter(
                pk=notice_id,
                reminder_sent_at__isnull=True,
                new_sent_at__lte=now - REMINDER_AFTER,
                last_message__date_read__isnull=True,
                last_message__recipient_deleted=False,
            ).exists()
            # The claim filters on the row's own columns only: PostgreSQL re-checks those after
            # waiting for a twin's lock, whereas a join (an IN subquery) would keep its old
            # snapshot and let both twins claim.
            if not due or not MessageEmailNotice.objects.filter(
                pk=notice_id, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now):
                return "not-due"
            notice = MessageEmailNotice.objects.select_related(
                "last_message__recipient__user", "last_message__sender"
            ).get(pk=notice_id)
            message = notice.last_message
            if message is None:  # deleted since the claim (SET_NULL): nothing left to remind of
                return "not-due"
            user = message.recipient.user
            if _muted(message):
                return "muted"  # the claim stays: no reminder for a muted conversation
            if not _wants_email(user) or _recently_active(user, now):
                # Not now: undo the claim (the transaction) so a later scan may still remind.
                transaction.set_rollback(True)
                return "skipped"
            if quiet.quiet_until(user_id=user.pk, now=now) is not None:
                transaction.set_rollback(True)  # quiet hours / Shabbat: a later scan reminds
                return "quiet"
            _send("reminder", message)
            return "sent"
    except OSError:  # the claim rolled back; retried with backoff (autoretry_for)
        raise


@shared_task
def message_email_reminders_due() -> int:
    """Beat task (every 5 minutes): queue a reminder for every conversation whose "new message"
    e-mail is 2+ hours old, reminder not yet sent, message still unread. Returns the count."""
    now = timezone.now()
    ids = list(
        MessageEmailNotice.objects.filter(
            reminder_sent_at__isnull=True,
            new_sent_at__lte=now - REMINDER_AFTER,
            last_message__date_read__isnull=True,
            last_message__recipient_deleted=False,
        ).values_list("id", flat=True)[:1000]
    )
    for notice_id in ids:
        message_email_remind.delay(str(notice_id))
    return len(ids)
