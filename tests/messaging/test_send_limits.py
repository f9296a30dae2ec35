"""Issue 16 limits: 30 messages per minute per member; at most 10 new conversations a day for
accounts younger than 24 hours or without an approved photo; over a limit a clear message
(429 for htmx / API calls). Time is frozen with time_machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from messaging import services
from messaging.models import Message
from profiles.models import Member
from tests.factories import MemberFactory, make_match

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.chat_rule,
    pytest.mark.usefixtures("in_memory_channel_layer"),
]

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def send_url(member):
    return reverse("messaging:chat_send", kwargs={"user_id": member.user_id})


def established(member: Member) -> Member:
    """An account older than a day with an approved main photo (not under the daily limit)."""
    User.objects.filter(pk=member.user_id).update(date_joined=T0 - timedelta(days=30))
    Member.objects.filter(pk=member.pk).update(image="/media/photos/main.jpg")
    return Member.objects.select_related("user").get(pk=member.pk)


def fresh(member: Member) -> Member:
    return Member.objects.select_related("user").get(pk=member.pk)


def test_the_31st_message_in_a_minute_is_refused_with_429(alice, bob, client_for, htmx):
    with time_machine.travel(T0, tick=False) as clock:
        make_match(alice, bob)
        alice = established(alice)
        for n in range(30):
            services.message_send(sender=alice, recipient=bob, text=f"m{n}")
            clock.shift(timedelta(seconds=1))
        response = client_for(alice).post(send_url(bob), {"text": "one more"}, **htmx)
        assert response.status_code == 429
        assert "too fast" in response.content.decode()
        assert Message.objects.count() == 30
        clock.shift(timedelta(seconds=31))  # the first message is now over a minute old
        assert client_for(alice).post(send_url(bob), {"text": "ok"}, **htmx).status_code == 200


def test_without_js_the_limit_shows_the_chat_with_the_message(alice, bob, client_for, settings):
    settings.MESSAGES_PER_MINUTE = 1
    with time_machine.travel(T0, tick=False):
        make_match(alice, bob)
        services.message_send(sender=established(alice), recipient=bob, text="first")
        response = client_for(alice).post(send_url(bob), {"text": "second"})
        assert response.status_code == 429
        assert "too fast" in response.content.decode()
        assert Message.objects.count() == 1


def test_a_new_accounts_11th_new_conversation_of_the_day_is_refused(client_for, htmx):
    with time_machine.travel(T0, tick=False) as clock:
        newbie = MemberFactory(name="Newbie", image="/media/photos/me.jpg")  # joined now
        others = [MemberFactory() for _ in range(12)]
        for other in others:
            make_match(newbie, other)
        for other in others[:10]:
            services.message_send(sender=fresh(newbie), recipient=other, text="hi")
            clock.shift(timedelta(minutes=5))
        # The same conversations go on.
        services.message_send(sender=fresh(newbie), recipient=others[0], text="and again")
        response = client_for(newbie).post(send_url(others[10]), {"text": "hi"}, **htmx)
        assert response.status_code == 429
        assert "10 new conversations a day" in response.content.decode()
        assert not Message.objects.filter(recipient=others[10]).exists()
        # Replying to someone who wrote first is not a new conversation.
        services.message_send(sender=fresh(others[11]), recipient=newbie, text="hello newbie")
        services.message_send(sender=fresh(newbie), recipient=others[11], text="hi back")
        # A day after the first ones, new conversations are possible again.
        clock.shift(timedelta(hours=24))
        assert (
            client_for(newbie).post(send_url(others[10]), {"text": "hi"}, **htmx).status_code == 200
        )


def test_an_old_account_without_an_approved_photo_has_the_daily_limit(settings):
    settings.NEW_CONVERSATIONS_PER_DAY = 2
    with time_machine.travel(T0, tick=False):
        sender = MemberFactory()  # no photo
        User.objects.filter(pk=sender.user_id).update(date_joined=T0 - timedelta(days=300))
        others = [MemberFactory() for _ in range(3)]
        for other in others:
            make_match(sender, other)
        for other in others[:2]:
            services.message_send(sender=fresh(sender), recipient=other, text="hi")
        with pytest.raises(services.MessageLimited):
            services.message_send(sender=fresh(sender), recipient=others[2], text="hi")


def test_an_established_account_has_no_daily_limit(settings):
    settings.NEW_CONVERSATIONS_PER_DAY = 1
    with time_machine.travel(T0, tick=False):
        sender = MemberFactory()
        others = [MemberFactory() for _ in range(3)]
        for other in others:
            make_match(sender, other)
        sender = established(sender)
        for other in others:
            services.message_send(sender=sender, recipient=other, text="hi")
        assert Message.objects.count() == 3


def test_the_limits_are_settings_and_0_means_none(alice, bob, settings):
    settings.MESSAGES_PER_MINUTE = 0
    with time_machine.travel(T0, tick=False):
        make_match(alice, bob)
        for n in range(40):
            services.message_send(sender=fresh(alice), recipient=bob, text=f"m{n}")
        assert Message.objects.count() == 40


def test_a_story_reply_over_the_limit_is_429(client_for, settings):
    from stories.models import Story
    from tests.factories import image_upload

    settings.MESSAGES_PER_MINUTE = 1
    with time_machine.travel(T0, tick=False):
        alice, bob = MemberFactory(), MemberFactory()
        make_match(alice, bob)
        services.message_send(sender=established(alice), recipient=bob, text="hi")
        story = Story.objects.create(user=bob.user, image=image_upload())
        response = client_for(alice).post(
            reverse("stories:reply", args=[story.pk]), {"text": "wow"}
        )
        assert response.status_code == 429
        assert "too fast" in response.json()["error"]
        assert Message.objects.count() == 1
