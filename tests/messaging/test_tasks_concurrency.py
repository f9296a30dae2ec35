"""Twin e-mail tasks running at the same moment on PostgreSQL send one e-mail (rules §8)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from accounts.models import User
from messaging import services, tasks
from messaging.models import MessageEmailNotice
from tests.factories import MemberFactory


def run_twins(monkeypatch, func, *args) -> list[str]:
    """Run ``func(*args)`` in two threads at once; the send is slowed so both overlap."""
    real_send = tasks._send

    def slow_send(kind, message):
        time.sleep(0.3)
        real_send(kind, message)

    monkeypatch.setattr(tasks, "_send", slow_send)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def twin():
        try:
            barrier.wait()
            results.append(func(*args))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=twin) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


@pytest.fixture
def away_pair(transactional_db, postgresql_only):
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    User.objects.filter(pk=bob.user_id).update(
        last_active_at=timezone.now() - timedelta(minutes=30)
    )
    bob.user.refresh_from_db()  # as a request loads it: message_send reads it
    return alice, bob


def test_twin_new_message_tasks_send_one_email(away_pair, monkeypatch):
    alice, bob = away_pair
    message = services.message_send(sender=alice, recipient=bob, text="hi")
    mail.outbox.clear()  # the eager task of message_send itself
    MessageEmailNotice.objects.all().delete()
    results = run_twins(monkeypatch, tasks.message_email_notify, str(message.pk))
    assert results == ["sent", "throttled"]
    assert len(mail.outbox) == 1


def test_twin_reminder_tasks_send_one_reminder(away_pair, monkeypatch):
    alice, bob = away_pair
    message = services.message_send(sender=alice, recipient=bob, text="hi")
    notice = MessageEmailNotice.objects.get()
    notice.new_sent_at = timezone.now() - timedelta(hours=3)
    notice.last_message = message
    notice.save()
    mail.outbox.clear()
    results = run_twins(monkeypatch, tasks.message_email_remind, str(notice.pk))
    assert results == ["not-due", "sent"]
    assert len(mail.outbox) == 1
