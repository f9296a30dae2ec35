"""The "new message" e-mail rules (rules §8), run eagerly with frozen time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import User
from messaging import services, tasks
from messaging.models import MessageEmailNotice

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def away(member, minutes=30):
    User.objects.filter(pk=member.user_id).update(
        last_active_at=timezone.now() - timedelta(minutes=minutes)
    )
    member.user.refresh_from_db(fields=["last_active_at"])


def send(sender, recipient, text="hi"):
    return services.message_send(sender=sender, recipient=recipient, text=text)


@time_machine.travel(T0, tick=False)
def test_new_message_email_sent_once_per_conversation_per_hour(alice, bob, carol):
    away(bob)
    first = send(alice, bob)
    assert tasks.message_email_notify(str(first.pk)) == "sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [bob.user.email]
    assert "Alice" in mail.outbox[0].subject
    assert f"/members/{alice.user_id}/chat/" in mail.outbox[0].body
    # Same conversation within the hour: nothing; another conversation: its own e-mail.
    assert tasks.message_email_notify(str(send(alice, bob).pk)) == "throttled"
    assert tasks.message_email_notify(str(send(carol, bob).pk)) == "sent"
    # The same task again (a retry or duplicate delivery) sends nothing twice.
    assert tasks.message_email_notify(str(first.pk)) == "throttled"
    assert len(mail.outbox) == 2
    with time_machine.travel(T0 + timedelta(minutes=61), tick=False):
        away(bob)
        assert tasks.message_email_notify(str(send(alice, bob).pk)) == "sent"
    assert len(mail.outbox) == 3


@time_machine.travel(T0, tick=False)
def test_no_email_when_recipient_active_in_last_five_minutes(alice, bob):
    away(bob, minutes=4)
    assert tasks.message_email_notify(str(send(alice, bob).pk)) == "active"
    away(bob, minutes=6)
    assert tasks.message_email_notify(str(send(alice, bob).pk)) == "sent"
    assert len(mail.outbox) == 1


@time_machine.travel(T0, tick=False)
def test_no_email_when_opted_out_or_already_read(alice, bob):
    away(bob)
    message = send(alice, bob)
    services.conversation_mark_read(reader=bob, other=alice)
    assert tasks.message_email_notify(str(message.pk)) == "read"
    bob.user.email_notifications = {**bob.user.email_notifications, "new_message": False}
    bob.user.save()
    assert tasks.message_email_notify(str(send(alice, bob).pk)) == "opted-out"
    assert mail.outbox == []


def test_reminder_once_after_two_hours_if_still_unread(alice, bob):
    with time_machine.travel(T0, tick=False):
        away(bob)
        message = send(alice, bob)
        assert tasks.message_email_notify(str(message.pk)) == "sent"
        notice = MessageEmailNotice.objects.get(recipient=bob, sender=alice)
    with time_machine.travel(T0 + timedelta(minutes=119), tick=False):
        away(bob)
        assert tasks.message_email_reminders_due() == 0
        assert tasks.message_email_remind(str(notice.pk)) == "not-due"
    with time_machine.travel(T0 + timedelta(minutes=121), tick=False):
        away(bob)
        assert tasks.message_email_reminders_due() == 1  # eager: sends it
        assert tasks.message_email_remind(str(notice.pk)) == "not-due"  # duplicate
        assert tasks.message_email_reminders_due() == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject != mail.outbox[0].subject  # the reminder wording


def test_no_reminder_when_read(alice, bob):
    with time_machine.travel(T0, tick=False):
        away(bob)
        message = send(alice, bob)
        tasks.message_email_notify(str(message.pk))
        services.conversation_mark_read(reader=bob, other=alice)
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        away(bob)
        assert tasks.message_email_reminders_due() == 0
    assert len(mail.outbox) == 1


def test_failed_send_is_retried_and_sends_once(alice, bob, monkeypatch):
    """An SMTP failure records nothing, so the retry sends; afterwards a duplicate does not."""
    away(bob)
    message = send(alice, bob)
    calls = {"n": 0}
    real_send = tasks._send

    def flaky(kind, msg):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("smtp down")
        real_send(kind, msg)

    monkeypatch.setattr(tasks, "_send", flaky)
    from celery.exceptions import Retry

    with pytest.raises(Retry):
        tasks.message_email_notify.apply(args=[str(message.pk)], throw=True)
    assert not MessageEmailNotice.objects.filter(new_sent_at__isnull=False).exists()
    assert tasks.message_email_notify(str(message.pk)) == "sent"
    assert tasks.message_email_notify(str(message.pk)) == "throttled"
    assert len(mail.outbox) == 1


def test_message_send_queues_the_email_task(alice, bob, django_capture_on_commit_callbacks):
    away(bob)
    with django_capture_on_commit_callbacks(execute=True):
        send(alice, bob)
    assert len(mail.outbox) == 1


@time_machine.travel(T0, tick=False)
def test_message_send_queues_no_task_that_could_not_send(
    alice, bob, django_capture_on_commit_callbacks, monkeypatch
):
    queued: list[str] = []
    monkeypatch.setattr(tasks.message_email_notify, "delay", queued.append)

    def queued_after_send() -> int:
        queued.clear()
        with django_capture_on_commit_callbacks(execute=True):
            send(alice, bob)
        return len(queued)

    away(bob, minutes=4)  # active in the last 5 minutes: the task would answer "active"
    assert queued_after_send() == 0
    away(bob, minutes=6)
    assert queued_after_send() == 1
    bob.user.email_notifications = {**bob.user.email_notifications, "new_message": False}
    bob.user.save()  # e-mail off: the task would answer "opted-out"
    assert queued_after_send() == 0
