"""The "new match" e-mail (issue 13 item 8): its subject stays one line whatever the name
holds, it is marked sent only once the send succeeded, and a failed send is retried with
backoff."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail import BadHeaderError

from matching.models import MatchNotification
from matching.tasks import send_match_email
from profiles.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_a_legacy_name_with_a_line_break_cannot_add_a_header():
    a, b = MemberFactory(), MemberFactory()
    # A row stored before names were checked.
    Member.objects.filter(pk=b.pk).update(name="Ron\r\nBcc: x@y")
    MatchNotification.objects.create(user=a.user, other=b.user)

    assert send_match_email.apply(args=[str(a.user_id), str(b.user_id)]).get() is True

    [message] = mail.outbox
    assert "\n" not in message.subject
    assert "\r" not in message.subject
    assert "Ron Bcc: x@y" in message.subject
    assert message.bcc == []
    assert message.recipients() == [a.user.email]
    assert "Bcc" not in message.message()
    assert MatchNotification.objects.get(user=a.user).sent_at is not None


@pytest.mark.parametrize(
    "down",
    [
        BadHeaderError("Header values can't contain newlines"),  # what the bad name caused
        smtplib.SMTPServerDisconnected("connection lost"),
    ],
)
def test_a_send_that_raises_marks_nothing_sent_and_is_retried(down):
    a, b = MemberFactory(), MemberFactory()
    MatchNotification.objects.create(user=a.user, other=b.user)

    with (
        mock.patch("matching.services.likes.emails.branded_mail_send", side_effect=down) as send,
        pytest.raises(Retry) as retried,
    ):
        send_match_email.apply(args=[str(a.user_id), str(b.user_id)], throw=True)

    assert send.call_count == 1
    assert retried.value.exc is down  # queued again rather than dropped
    assert MatchNotification.objects.get(user=a.user).sent_at is None
    assert mail.outbox == []

    # The retry, with the server back, sends it; a duplicate run sends nothing more.
    assert send_match_email.apply(args=[str(a.user_id), str(b.user_id)], retries=1).get()
    assert len(mail.outbox) == 1
    assert send_match_email.apply(args=[str(a.user_id), str(b.user_id)]).get() is False


def test_the_retry_waits_longer_each_time():
    a, b = MemberFactory(), MemberFactory()
    MatchNotification.objects.create(user=a.user, other=b.user)
    waits = []
    with (
        mock.patch(
            "matching.services.likes.emails.branded_mail_send", side_effect=OSError("refused")
        ),
        # The jitter picks in [0, limit]; take the limit to see the exponential backoff.
        mock.patch("celery.utils.time.random.randrange", side_effect=lambda n: n - 1),
    ):
        for attempt in range(send_match_email.max_retries):
            with pytest.raises(Retry) as retried:
                send_match_email.apply(
                    args=[str(a.user_id), str(b.user_id)], retries=attempt, throw=True
                )
            waits.append(retried.value.when)
        # After max_retries the error is raised for good (and still nothing is marked sent).
        with pytest.raises(OSError, match="refused"):
            send_match_email.apply(
                args=[str(a.user_id), str(b.user_id)],
                retries=send_match_email.max_retries,
                throw=True,
            )

    assert waits == [30, 60, 120, 240, 480]
    assert MatchNotification.objects.get(user=a.user).sent_at is None
