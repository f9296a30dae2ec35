"""The "a reply to my story" e-mail (issue 19): sent once, in the owner's language, without
the reply's text, only with the switch on, and not when a Web Push goes out for it."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import User
from notifications import services
from notifications.models import Notification, PushSubscription
from stories.services import story_reply
from tests.factories import MemberFactory, make_match
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_socket(monkeypatch):
    monkeypatch.setattr("miel.realtime.send_now", lambda uid, event: True)


def _reply(django_capture_on_commit_callbacks, *, language="en", switch=True):
    story = StoryFactory()
    owner = story.user
    User.objects.filter(pk=owner.pk).update(
        language=language,
        email_notifications={**owner.email_notifications, "story_reply": switch},
    )
    sender = MemberFactory(name="Yonatan")
    make_match(sender, owner.member)
    mail.outbox.clear()  # the match e-mails
    with django_capture_on_commit_callbacks(execute=True):
        story_reply(sender=sender.user, story_id=story.pk, text="Secret words")
    return owner, Notification.objects.get(user=owner, kind="story_reply")


def test_a_story_reply_is_emailed_once_without_its_text(django_capture_on_commit_callbacks):
    owner, note = _reply(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [owner.email]
    assert email.subject == "Yonatan replied to your story"
    assert "Secret words" not in email.body
    assert f"/members/{note.actor_id}/chat/" in email.body
    assert services.story_reply_email_send_once(notification_id=note.pk) is False
    assert len(mail.outbox) == 1


def test_the_email_is_in_the_owners_language(django_capture_on_commit_callbacks):
    _reply(django_capture_on_commit_callbacks, language="he")
    assert "replied to your story" not in mail.outbox[0].subject
    assert "Yonatan" in mail.outbox[0].subject


def test_the_switch_off_sends_nothing(django_capture_on_commit_callbacks):
    _reply(django_capture_on_commit_callbacks, switch=False)
    assert mail.outbox == []


def test_no_email_when_a_push_goes_out(settings, django_capture_on_commit_callbacks, monkeypatch):
    from notifications.management.commands.push_keys import vapid_keys

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys()
    monkeypatch.setattr("notifications.push.push_deliver", lambda **kwargs: 1)
    story = StoryFactory()
    PushSubscription.objects.create(
        user=story.user, endpoint="https://push.example/1", p256dh="x", auth="y"
    )
    sender = MemberFactory()
    make_match(sender, story.user.member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        story_reply(sender=sender.user, story_id=story.pk, text="hi")
    assert mail.outbox == []
