"""The staff moderation queue (rules §14): staff only, previews, approve / reject (deleting the
media), bulk actions, reports with the reporter's reason, every decision in the admin log."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from matching.models import Report
from profiles import services as photo_services
from profiles import video_services
from profiles.models import Member, Photo, Video
from tests.factories import MemberFactory, UserFactory, image_upload
from tests.storage.servers import fixture_bytes

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"
ACT = "/moderation/act/"


def _pending_photo(member: Member) -> Photo:
    return photo_services.photo_add(member=member, upload=image_upload())


def _pending_video(member: Member) -> Video:
    upload = SimpleUploadedFile("v.mp4", fixture_bytes("short.mp4"), "video/mp4")
    return video_services.video_add(member=member, upload=upload)


def test_anonymous_goes_to_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(ACT, {"one": "approve|photo:x"}).status_code == 302


def test_members_get_404_and_cannot_act(member_client):
    photo = _pending_photo(MemberFactory())
    assert member_client.get(QUEUE).status_code == 404
    response = member_client.post(ACT, {"one": f"approve|photo:{photo.pk}"})
    assert response.status_code == 404
    photo.refresh_from_db()
    assert photo.is_approved is False


def test_queue_shows_pending_media_and_open_reports_with_reason(staff_client):
    member = MemberFactory(name="Dana")
    photo = _pending_photo(member)
    video = _pending_video(member)
    approved = photo_services.photo_add(member=member, upload=image_upload())
    photo_services.photo_approve(photo=approved)
    reporter = MemberFactory(name="Noa")
    open_report = Report.objects.create(
        reporter=reporter.user, reported=member.user, reason="fake", text="Stolen <b>photos</b>"
    )
    settled = Report.objects.create(
        reporter=reporter.user, reported=member.user, reason="scam", status="dismissed"
    )

    response = staff_client.get(QUEUE)

    html = response.content.decode()
    assert response.status_code == 200
    assert photo.url in html
    assert f"photo:{photo.pk}" in html
    assert f"photo:{approved.pk}" not in html  # approved photos are not in the queue
    assert video.url in html
    assert f"video:{video.pk}" in html
    assert "Stolen &lt;b&gt;photos&lt;/b&gt;" in html  # the reporter's text, escaped
    assert f"report:{open_report.pk}" in html
    assert f"report:{settled.pk}" not in html  # settled reports leave the queue
    assert "Noa" in html


def test_approving_a_first_photo_makes_it_the_main_photo_and_logs_it(staff_client):
    member = MemberFactory()
    photo = _pending_photo(member)

    response = staff_client.post(ACT, {"one": f"approve|photo:{photo.pk}"})

    assert response.status_code == 302
    photo.refresh_from_db()
    member.refresh_from_db()
    assert photo.is_approved is True
    assert member.image == photo.url
    entry = LogEntry.objects.get(object_id=str(photo.pk))
    assert entry.user == staff_client.staff
    assert entry.action_flag == CHANGE
    assert entry.action_time is not None


def test_rejecting_deletes_the_row_and_the_file(
    staff_client, settings, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    photo = _pending_photo(member)
    video = _pending_video(member)
    files = [
        Path(settings.MEDIA_ROOT) / photo.file.name,
        Path(settings.MEDIA_ROOT) / video.file.name,
    ]
    assert all(f.is_file() for f in files)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(ACT, {"one": f"reject|photo:{photo.pk}"})
        staff_client.post(ACT, {"one": f"reject|video:{video.pk}"})

    assert not Photo.objects.exists()
    assert not Video.objects.exists()
    assert not any(f.exists() for f in files)
    flags = set(LogEntry.objects.values_list("object_id", "action_flag"))
    assert flags == {(str(photo.pk), DELETION), (str(video.pk), DELETION)}


def test_bulk_approve_mixed_items_skips_what_does_not_apply(staff_client):
    member = MemberFactory()
    photos = [_pending_photo(member) for _ in range(3)]
    video = _pending_video(member)
    report = Report.objects.create(
        reporter=MemberFactory().user, reported=member.user, reason="other"
    )
    items = [f"photo:{p.pk}" for p in photos] + [f"video:{video.pk}", f"report:{report.pk}"]

    response = staff_client.post(ACT, {"action": "approve", "item": items}, follow=True)

    assert Photo.objects.filter(is_approved=True).count() == 3
    video.refresh_from_db()
    assert video.is_approved is True
    member.refresh_from_db()
    assert member.image == photos[0].url  # the first approved photo is the main one
    assert member.video_url == f"/members/{member.user_id}/video/"
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN  # "approve" does not apply to reports
    text = response.content.decode()
    assert "4 items done." in text
    assert "1 item skipped" in text
    assert LogEntry.objects.filter(user=staff_client.staff).count() == 4


def test_second_moderator_on_the_same_item_is_skipped(staff_client):
    photo = _pending_photo(MemberFactory())
    staff_client.post(ACT, {"one": f"reject|photo:{photo.pk}"})
    staff_client.post(ACT, {"one": f"approve|photo:{photo.pk}"})
    assert not Photo.objects.exists()
    assert LogEntry.objects.count() == 1


def test_report_dismiss_and_ban(staff_client):
    bad = MemberFactory()
    reporter_a, reporter_b = MemberFactory(), MemberFactory()
    first = Report.objects.create(reporter=reporter_a.user, reported=bad.user, reason="scam")
    second = Report.objects.create(reporter=reporter_b.user, reported=bad.user, reason="fake")
    other = Report.objects.create(
        reporter=reporter_a.user, reported=reporter_b.user, reason="other"
    )

    staff_client.post(ACT, {"one": f"dismiss|report:{other.pk}"})
    staff_client.post(ACT, {"one": f"ban|report:{first.pk}"})

    other.refresh_from_db()
    assert other.status == Report.Status.DISMISSED
    assert other.reviewed_by == staff_client.staff
    assert other.reviewed_at is not None
    bad.user.refresh_from_db()
    assert bad.user.is_active is False
    # Banning settles every open report about that account.
    assert set(Report.objects.filter(reported=bad.user).values_list("status", flat=True)) == {
        Report.Status.ACTIONED
    }
    second.refresh_from_db()
    assert second.reviewed_by == staff_client.staff
    assert LogEntry.objects.filter(
        object_id=str(bad.user.pk), change_message__contains="Banned"
    ).exists()


def test_staff_cannot_be_banned_from_a_report(staff_client):
    other_staff = MemberFactory(user__is_staff=True)
    report = Report.objects.create(
        reporter=MemberFactory().user, reported=other_staff.user, reason="other"
    )
    staff_client.post(ACT, {"one": f"ban|report:{report.pk}"})
    other_staff.user.refresh_from_db()
    assert other_staff.user.is_active is True


def test_bad_input_is_refused_with_a_message(staff_client):
    response = staff_client.post(ACT, {"action": "explode", "item": ["photo:nope"]}, follow=True)
    assert response.status_code == 200
    assert LogEntry.objects.count() == 0


def test_empty_queue_has_a_friendly_empty_state(staff_client):
    response = staff_client.get(QUEUE)
    assert response.status_code == 200
    assert b'class="empty"' in response.content


def test_inactive_staff_account_is_refused(client):
    staff = UserFactory(is_staff=True, is_active=False, profile_complete=True)
    client.force_login(staff)
    assert client.get(QUEUE).status_code in (302, 404)


def test_logentry_admin_lists_moderation_decisions(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    photo = _pending_photo(MemberFactory())
    from safety.moderation.services import Item, moderation_apply

    moderation_apply(
        moderator=admin_user, action="approve", items=[Item.parse(f"photo:{photo.pk}")]
    )
    response = client.get("/admin/admin/logentry/")
    assert response.status_code == 200
    assert b"Approved (moderation)" in response.content
