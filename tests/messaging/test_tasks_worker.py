"""The e-mail rules of rules §8 through a real Celery worker on Redis and the test database.

One e-mail per rule: the first message of a conversation e-mails an away recipient, the next
ones within the hour do not, an active recipient gets none, duplicated tasks send nothing
twice, and the 2-hour reminder goes out once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from messaging import services, tasks
from messaging.models import MessageEmailNotice
from tests.celery_worker import celery_worker
from tests.factories import MemberFactory

pytestmark = pytest.mark.integration


def to(worker, email):
    return [m for m in worker.emails() if m["To"] == email]


def text_part(message) -> str:
    """The plain-text part of an e-mail (notification e-mails also carry a branded HTML part)."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def test_email_rules_with_a_real_worker(transactional_db, redis_url):
    alice = MemberFactory(name="Alice")
    bob = MemberFactory(name="Bob")  # away for 30 minutes: gets e-mails
    carol = MemberFactory(name="Carol")  # active a minute ago: gets none
    User.objects.filter(pk=bob.user_id).update(
        last_active_at=timezone.now() - timedelta(minutes=30)
    )
    User.objects.filter(pk=carol.user_id).update(
        last_active_at=timezone.now() - timedelta(minutes=1)
    )
    bob.user.refresh_from_db()  # as a request loads them: message_send reads them
    carol.user.refresh_from_db()

    # Four threads, so the duplicated tasks really run at the same time.
    with celery_worker(pool="threads", concurrency=4) as worker:
        first = services.message_send(sender=alice, recipient=bob, text="one")
        second = services.message_send(sender=alice, recipient=bob, text="two")
        third = services.message_send(sender=alice, recipient=bob, text="three")
        to_carol = services.message_send(sender=alice, recipient=carol, text="hi carol")
        # message_send queues no task for an active recipient; one queued anyway (e.g. a
        # duplicate) must not send either.
        tasks.message_email_notify.delay(str(to_carol.pk))
        tasks.message_email_notify.delay(str(first.pk))  # a duplicate delivery
        tasks.message_email_notify.delay(str(first.pk))
        worker.wait_for(lambda: len(to(worker, bob.user.email)) >= 1)
        worker.idle(2)
        (new_mail,) = to(worker, bob.user.email)
        assert f"/members/{alice.user_id}/chat/" in text_part(new_mail)
        assert to(worker, carol.user.email) == []

        # Two hours later, still unread: beat's scan (run twice, as a duplicate would) and a
        # direct duplicate of the reminder task send exactly one reminder.
        notice = MessageEmailNotice.objects.get(recipient=bob, sender=alice)
        # The three tasks race on four threads: whichever wins the row lock sends the one e-mail.
        assert notice.last_message_id in {first.pk, second.pk, third.pk}
        MessageEmailNotice.objects.filter(pk=notice.pk).update(
            new_sent_at=timezone.now() - timedelta(hours=2, minutes=1)
        )
        tasks.message_email_reminders_due.delay()
        tasks.message_email_reminders_due.delay()
        tasks.message_email_remind.delay(str(notice.pk))
        worker.wait_for(lambda: len(to(worker, bob.user.email)) >= 2)
        worker.idle(2)
        assert len(to(worker, bob.user.email)) == 2
        assert len(worker.emails()) == 2
        notice.refresh_from_db()
        assert notice.reminder_sent_at is not None
