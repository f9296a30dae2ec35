"""The notification centre (issue 19): rows created after commit by the services that cause
them, a live ``notification.new`` with the unread count, the premium rule for who liked /
viewed, marked read when opened, 30 days kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from matching import services as matching_services
from matching.models import Block
from notifications.models import Notification, PushDelivery
from notifications.tasks import notifications_prune
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _premium(member):
    User.objects.filter(pk=member.user_id).update(premium_until=timezone.now() + timedelta(days=30))
    member.user.refresh_from_db()
    return member


def _client(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_a_like_notifies_after_commit_with_the_unread_count(
    sent, django_capture_on_commit_callbacks
):
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yoni")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        matching_services.like_toggle(source=yoni, target=dana)
    # The row is written with the like, in its transaction; the event waits for the commit.
    note = Notification.objects.get(user=dana.user)
    assert not [e for _uid, e in sent if e["type"] == "notification.new"]
    for callback in callbacks:
        callback()
    assert (note.kind, note.actor_id, note.read_at) == ("like", yoni.user_id, None)
    events = [e for uid, e in sent if e["type"] == "notification.new"]
    assert events == [{"type": "notification.new", "kind": "like", "unread_count": 1}]
    assert sent[-1][0] == dana.user_id


def test_a_rolled_back_like_notifies_nobody(sent):
    dana, yoni = MemberFactory(), MemberFactory()
    try:
        with transaction.atomic():
            matching_services.like_toggle(source=yoni, target=dana)
            raise RuntimeError
    except RuntimeError:
        pass
    assert not Notification.objects.exists()


def test_a_free_member_does_not_learn_who_liked_them(sent, django_capture_on_commit_callbacks):
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yonatan")
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    page = _client(dana).get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Someone liked you" in html
    assert "Yonatan" not in html
    assert str(yoni.user_id) not in html
    assert "Yonatan" not in str(sent)


def test_a_premium_member_sees_who_liked_them(sent, django_capture_on_commit_callbacks):
    dana, yoni = _premium(MemberFactory(name="Dana")), MemberFactory(name="Yonatan")
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    html = _client(dana).get("/notifications/").content.decode()
    assert "<bdi>Yonatan</bdi> liked you" in html
    assert f"/members/{yoni.user_id}/" in html


def test_a_match_notifies_both_and_names_each_other(sent, django_capture_on_commit_callbacks):
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yonatan")
    matching_services.like_toggle(source=dana, target=yoni)
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    assert Notification.objects.filter(user=dana.user, kind="match", actor=yoni.user).exists()
    assert Notification.objects.filter(user=yoni.user, kind="match", actor=dana.user).exists()
    html = _client(dana).get("/notifications/").content.decode()
    assert "a match with <bdi>Yonatan</bdi>" in html
    assert f"/members/{yoni.user_id}/chat/" in html


def test_repeated_profile_views_refresh_one_unread_row(sent, django_capture_on_commit_callbacks):
    dana, yoni = MemberFactory(), MemberFactory()
    start = timezone.now()
    for minutes in (0, 5):
        with django_capture_on_commit_callbacks(execute=True):
            matching_services.profile_view_record(
                viewer=yoni.user, viewed=dana, now=start + timedelta(minutes=minutes)
            )
    assert Notification.objects.filter(user=dana.user, kind="view").count() == 1


def test_opening_the_list_marks_read_and_the_bell_shows_the_count(
    sent, django_capture_on_commit_callbacks
):
    dana = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            matching_services.like_toggle(source=MemberFactory(), target=dana)
    client = _client(dana)
    page = client.get("/members/").content.decode()
    assert 'id="notif-badge" class="badge bell-badge">3<' in page
    assert client.get("/notifications/").content.decode().count('class="badge">new<') == 3
    assert not Notification.objects.filter(user=dana.user, read_at__isnull=True).exists()
    page = client.get("/members/").content.decode()
    assert 'id="notif-badge" class="badge bell-badge" hidden>' in page


def test_blocked_members_drop_out_of_the_list(sent, django_capture_on_commit_callbacks):
    dana, yoni = _premium(MemberFactory(name="Dana")), MemberFactory(name="Yonatan")
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    Block.objects.create(blocker=dana.user, blocked=yoni.user)
    assert "Yonatan" not in _client(dana).get("/notifications/").content.decode()


def test_the_list_needs_a_login():
    assert Client().get("/notifications/").status_code == 302


def test_rows_older_than_30_days_are_deleted():
    dana = MemberFactory()
    with time_machine.travel(timezone.now() - timedelta(days=31), tick=False):
        Notification.objects.create(user=dana.user, kind="like")
        PushDelivery.objects.create(user=dana.user, key="old")
    fresh = Notification.objects.create(user=dana.user, kind="like")
    PushDelivery.objects.create(user=dana.user, key="new")
    assert notifications_prune() == 1
    assert list(Notification.objects.all()) == [fresh]
    assert list(PushDelivery.objects.values_list("key", flat=True)) == ["new"]


def test_a_story_reply_notifies_the_owner(sent, django_capture_on_commit_callbacks):
    from stories.services import story_reply
    from tests.factories import make_match
    from tests.stories.factories import StoryFactory

    story = StoryFactory()
    sender = MemberFactory(name="Yonatan")
    make_match(sender, story.user.member)
    with django_capture_on_commit_callbacks(execute=True):
        story_reply(sender=sender.user, story_id=story.pk, text="Love this!")
    note = Notification.objects.get(user=story.user, kind="story_reply")
    assert note.actor_id == sender.user_id
    html = _client(story.user.member).get("/notifications/").content.decode()
    assert "<bdi>Yonatan</bdi> replied to your story" in html
    assert "Love this!" not in html  # the centre names the event, not the message


def test_a_moderation_outcome_notifies_the_reporter(sent, django_capture_on_commit_callbacks):
    from matching.models import Report
    from safety.services import report_decide

    reporter, reported = MemberFactory(), MemberFactory()
    staff = MemberFactory().user
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    report = Report.objects.create(reporter=reporter.user, reported=reported.user, reason="spam")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert report_decide(moderator=staff, report_id=report.pk, action="warn")
    note = Notification.objects.get(user=reporter.user)
    assert (note.kind, note.detail) == ("moderation", "reporter:warn")
    assert Notification.objects.get(user=reported.user).detail == "member:warn"
    html = _client(reporter).get("/notifications/").content.decode()
    assert "We reviewed your report and acted on it" in html


def test_a_name_is_escaped(sent, django_capture_on_commit_callbacks):
    dana, yoni = _premium(MemberFactory()), MemberFactory(name="<b>Yoni</b>")
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    html = _client(dana).get("/notifications/").content.decode()
    assert "<bdi>&lt;b&gt;Yoni&lt;/b&gt;</bdi> liked you" in html
