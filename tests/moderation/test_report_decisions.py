"""Moderation of reports with evidence and ban appeals (rules §6, §14): staff see the evidence
beside the report and act (dismiss, warn, remove content, ban); every decision is logged with
its note; both members are told in their own language; a banned member appeals once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError

from matching.models import Report
from matching.services import reports
from messaging import services as messaging_services
from messaging.models import Message
from profiles.models import Photo
from safety import services as safety_services
from safety.models import Appeal, ModerationDecision
from stories.models import Story
from stories.services import stories_expire
from tests.factories import MemberFactory, PhotoFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"
ACT = "/moderation/act/"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory


@pytest.fixture
def chat_report():
    """Noa (writes in Hebrew) reported Eve (English) from their chat with two messages."""
    noa = MemberFactory(name="Noa", user__language="he")
    eve = MemberFactory(name="Eve", user__language="en")
    hello = Message.objects.create(sender=noa, recipient=eve, text="hi Eve")
    rude = Message.objects.create(sender=eve, recipient=noa, text="send me money now")
    report = reports.report_create(
        reporter=noa.user,
        reported=eve.user,
        reason="scam",
        text="she asks for money",
        evidence=reports.Evidence(message_ids=[hello.pk, rude.pk]),
    )
    return report, noa, eve, rude


def test_queue_shows_the_evidence_beside_the_report(staff_client, chat_report):
    report, _noa, eve, _rude = chat_report
    photo = PhotoFactory(member=eve, is_approved=True)
    story = StoryFactory(user=eve.user)
    photo_report = reports.report_create(
        reporter=MemberFactory().user,
        reported=eve.user,
        reason="fake",
        evidence=reports.Evidence(photo_id=photo.pk),
    )
    story_report = reports.report_create(
        reporter=MemberFactory().user,
        reported=eve.user,
        reason="explicit",
        evidence=reports.Evidence(story_id=story.pk),
    )

    html = staff_client.get(QUEUE).content.decode()

    for r in (report, photo_report, story_report):
        assert f"report:{r.pk}" in html
    assert "send me money now" in html  # the chosen messages, with sender and time
    assert "hi Eve" in html
    assert "she asks for money" in html
    assert photo.url in html
    story_image = f"/moderation/story/{story.pk}/image/"
    assert story_image in html
    # Staff may open a reported story's image (the member-facing URL would refuse them).
    assert staff_client.get(story_image).status_code == 200
    assert staff_client.get(f"/stories/{story.pk}/image/").status_code == 200  # public story


def test_members_cannot_open_a_reported_story_through_the_staff_url(member_client):
    story = StoryFactory()
    reports.report_create(
        reporter=MemberFactory().user,
        reported=story.user,
        reason="explicit",
        evidence=reports.Evidence(story_id=story.pk),
    )
    assert member_client.get(f"/moderation/story/{story.pk}/image/").status_code == 404


def test_warn_is_logged_with_its_note_and_both_members_are_told_in_their_language(
    staff_client, chat_report, django_capture_on_commit_callbacks
):
    report, noa, eve, _rude = chat_report

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            ACT, {"one": f"warn|report:{report.pk}", f"note-report:{report.pk}": "first strike"}
        )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.ACTIONED
    assert report.reviewed_by == staff_client.staff
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.note, decision.moderator, decision.member) == (
        "warn",
        "first strike",
        staff_client.staff,
        eve.user,
    )
    assert decision.created_at is not None
    assert LogEntry.objects.filter(object_id=str(report.pk), user=staff_client.staff).exists()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {noa.user.email, eve.user.email}
    assert "נקטנו" in by_address[noa.user.email].body  # Hebrew: "we took action"
    assert "This is a warning" in by_address[eve.user.email].body
    assert "first strike" not in by_address[eve.user.email].body  # the note stays internal
    # The decision shows in the queue's log.
    assert "first strike" in staff_client.get(QUEUE).content.decode()


def test_dismiss_tells_the_reporter_only(
    staff_client, chat_report, django_capture_on_commit_callbacks
):
    report, noa, _eve, _rude = chat_report
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(ACT, {"one": f"dismiss|report:{report.pk}"})
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert [m.to for m in mail.outbox] == [[noa.user.email]]


def test_remove_content_hides_the_reported_messages_and_deletes_the_photo(
    staff_client, chat_report
):
    report, noa, eve, rude = chat_report
    photo = PhotoFactory(member=eve, is_approved=True)
    photo_report = reports.report_create(
        reporter=noa.user,
        reported=eve.user,
        reason="fake",
        evidence=reports.Evidence(photo_id=photo.pk),
    )

    staff_client.post(ACT, {"one": f"remove|report:{report.pk}"})
    staff_client.post(ACT, {"one": f"remove|report:{photo_report.pk}"})

    rude.refresh_from_db()
    assert rude.sender_deleted
    assert rude.recipient_deleted
    assert Message.objects.get(text="hi Eve").recipient_deleted is False  # Noa's own message
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert list(report.messages.all()) != []


def test_ban_then_one_appeal_reaches_the_queue_once_and_lifting_restores_the_account(
    client, staff_client, chat_report, django_capture_on_commit_callbacks
):
    report, noa, eve, _rude = chat_report
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(ACT, {"one": f"ban|report:{report.pk}"})
    eve.user.refresh_from_db()
    assert eve.user.is_active is False
    assert {m.to[0] for m in mail.outbox} == {noa.user.email, eve.user.email}
    assert "appeal" in next(m.body for m in mail.outbox if m.to == [eve.user.email])

    # At login (right password) the banned member gets the appeal form.
    member = client.__class__()
    member.cookies["django_language"] = "en"
    login = member.post("/accounts/login/", {"login": eve.user.email, "password": PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == "/appeal/"
    form = member.get("/appeal/")
    assert b"Your account is banned" in form.content
    assert member.post("/appeal/", {"text": "It was a joke, sorry"}).status_code == 302
    assert member.post("/appeal/", {"text": "again"}).status_code == 200  # shows the status
    assert Appeal.objects.filter(user=eve.user).count() == 1
    with pytest.raises(ValidationError):
        safety_services.appeal_submit(user=eve.user, text="a third time")
    assert Appeal.objects.count() == 1

    appeal = Appeal.objects.get()
    html = staff_client.get(QUEUE).content.decode()
    assert html.count(f"appeal:{appeal.pk}") == 3  # checkbox-less card: two buttons + note
    assert "It was a joke, sorry" in html

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            ACT, {"one": f"lift|appeal:{appeal.pk}", f"note-appeal:{appeal.pk}": "ok"}
        )
    eve.user.refresh_from_db()
    appeal.refresh_from_db()
    assert eve.user.is_active is True
    assert appeal.status == Appeal.Status.LIFTED
    assert [m.to for m in mail.outbox] == [[eve.user.email]]
    assert "lifted the ban" in mail.outbox[0].body
    assert ModerationDecision.objects.filter(appeal=appeal, action="lift", note="ok").exists()


def test_an_upheld_appeal_keeps_the_ban(staff_client, chat_report):
    report, _noa, eve, _rude = chat_report
    staff_client.post(ACT, {"one": f"ban|report:{report.pk}"})
    eve.user.refresh_from_db()
    appeal = safety_services.appeal_submit(user=eve.user, text="please")
    staff_client.post(ACT, {"one": f"uphold|appeal:{appeal.pk}"})
    eve.user.refresh_from_db()
    appeal.refresh_from_db()
    assert eve.user.is_active is False
    assert appeal.status == Appeal.Status.UPHELD
    # The ban stands and the one appeal is used.
    with pytest.raises(ValidationError):
        safety_services.appeal_submit(user=eve.user, text="please again")


def test_an_account_that_is_not_banned_cannot_appeal(client):
    inactive = MemberFactory(user__is_active=False)
    with pytest.raises(ValidationError):
        safety_services.appeal_submit(user=inactive.user, text="let me in")
    login = client.post("/accounts/login/", {"login": inactive.user.email, "password": PASSWORD})
    assert login["Location"] == "/appeal/"
    page = client.get("/appeal/")
    assert page.status_code == 200
    assert b'name="text"' not in page.content
    assert not Appeal.objects.exists()


def test_the_appeal_page_needs_the_login_first(client):
    assert client.get("/appeal/")["Location"] == "/accounts/login/"


def test_admin_report_actions_go_through_the_logged_decision(
    admin_client, chat_report, django_capture_on_commit_callbacks
):
    report, noa, _eve, _rude = chat_report
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/matching/report/",
            {"action": "mark_dismissed", "_selected_action": [str(report.pk)]},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert ModerationDecision.objects.filter(report=report, action="dismiss").exists()
    assert [m.to for m in mail.outbox] == [[noa.user.email]]
    assert admin_client.get(f"/admin/matching/report/{report.pk}/change/").status_code == 200


def test_a_reported_message_deleted_by_both_stays_as_evidence(chat_report):
    report, noa, eve, rude = chat_report
    messaging_services.message_delete(member=eve, message=rude)
    messaging_services.message_delete(member=noa, message=rude)

    assert Message.objects.filter(pk=rude.pk).exists()
    assert rude in report.messages.all()


def test_an_expired_story_under_an_open_report_keeps_its_photo_until_decided(staff_client):
    story = StoryFactory()
    report = reports.report_create(
        reporter=MemberFactory().user,
        reported=story.user,
        reason="explicit",
        evidence=reports.Evidence(story_id=story.pk),
    )
    with time_machine.travel(story.expires_at + timedelta(minutes=1)):
        assert stories_expire() == 0
        story.refresh_from_db()
        assert story.is_active
        assert story.image
        assert staff_client.get(f"/moderation/story/{story.pk}/image/").status_code == 200
        staff_client.post(ACT, {"one": f"dismiss|report:{report.pk}"})
        assert stories_expire() == 1
    assert Story.objects.get(pk=story.pk).is_active is False
