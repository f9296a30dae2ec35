"""The daily "someone liked me" digest (issue 19): one e-mail per member for all new likes,
never naming who, sent once, honouring the switch, skipping likes already pushed or read."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import User
from matching import services as matching_services
from notifications.models import Notification, PushDelivery
from notifications.tasks import like_digest
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_socket(monkeypatch):
    monkeypatch.setattr("miel.realtime.send_now", lambda uid, event: True)


def _liked(dana, n, django_capture_on_commit_callbacks):
    likers = [MemberFactory(name=f"Liker{i}") for i in range(n)]
    with django_capture_on_commit_callbacks(execute=True):
        for liker in likers:
            matching_services.like_toggle(source=liker, target=dana)
    return likers


def test_one_email_for_all_new_likes_naming_nobody(django_capture_on_commit_callbacks):
    dana = MemberFactory()
    User.objects.filter(pk=dana.user_id).update(language="en")
    likers = _liked(dana, 3, django_capture_on_commit_callbacks)
    assert like_digest() == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "3 new likes on Miel"
    assert "3 members liked you" in email.body
    assert "/lists/?type=target" in email.body
    for liker in likers:
        assert liker.name not in email.body
    assert like_digest() == 0  # sent once
    assert len(mail.outbox) == 1


def test_the_switch_off_sends_nothing(django_capture_on_commit_callbacks):
    dana = MemberFactory()
    User.objects.filter(pk=dana.user_id).update(
        email_notifications={**dana.user.email_notifications, "new_like": False}
    )
    _liked(dana, 1, django_capture_on_commit_callbacks)
    assert like_digest() == 0
    assert mail.outbox == []


def test_pushed_or_read_likes_are_not_emailed(django_capture_on_commit_callbacks):
    dana = MemberFactory()
    _liked(dana, 2, django_capture_on_commit_callbacks)
    first, _second = Notification.objects.filter(user=dana.user).order_by("created_at")
    PushDelivery.objects.create(user=dana.user, key=f"notification:{first.pk}")
    assert like_digest() == 1
    assert mail.outbox[0].subject == "1 new like on Miel"  # the pushed one is left out
    mail.outbox.clear()
    _liked(dana, 1, django_capture_on_commit_callbacks)
    Notification.objects.filter(user=dana.user).update(read_at=first.created_at)
    assert like_digest() == 0
