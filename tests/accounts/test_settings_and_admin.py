"""Account settings page and the admin (rules §3, §14)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from accounts.models import User
from profiles.models import Photo
from tests.factories import MemberFactory, UserFactory, image_upload

pytestmark = pytest.mark.django_db


def test_settings_page_saves_notifications_and_time_zone(member_client):
    response = member_client.post(
        "/settings/",
        {"notify_new_match": "on", "notify_story_reply": "on", "time_zone": "Europe/London"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=member_client.member.user_id)
    assert user.email_notifications == {
        "new_match": True,
        "new_message": False,
        "new_like": False,
        "story_reply": True,
    }
    assert user.time_zone == "Europe/London"


def test_settings_page_rejects_unknown_time_zone(member_client):
    response = member_client.post("/settings/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert User.objects.get(pk=member_client.member.user_id).time_zone == "Asia/Jerusalem"


def test_settings_page_links_to_password_change_and_shows_current_values(member_client):
    body = member_client.get("/settings/").content.decode()
    assert "/accounts/password/change/" in body
    assert 'name="notify_new_message" id="id_notify_new_message" checked' in body
    assert '<option value="Asia/Jerusalem" selected>' in body


def test_settings_needs_login(client):
    assert client.get("/settings/").status_code == 302


@pytest.fixture
def admin_client_(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_changelists_render(admin_client_):
    member = MemberFactory()
    Photo.objects.create(member=member, file=image_upload())
    for url in [
        "/admin/accounts/user/",
        "/admin/accounts/user/?premium=yes&q=example",
        "/admin/profiles/member/?q=Tel",
        "/admin/profiles/photo/?is_approved__exact=0",
        "/admin/profiles/video/",
        "/admin/profiles/interest/?category=outdoor",
        f"/admin/accounts/user/{member.user_id}/change/",
        f"/admin/profiles/member/{member.pk}/change/",
    ]:
        assert admin_client_.get(url).status_code == 200, url


def test_admin_approve_action_sets_first_approved_photo_as_main(admin_client_):
    member = MemberFactory(image="")
    first = Photo.objects.create(member=member, file=image_upload())
    second = Photo.objects.create(member=member, file=image_upload())
    response = admin_client_.post(
        "/admin/profiles/photo/",
        {"action": "approve_photos", "_selected_action": [str(second.pk), str(first.pk)]},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert set(Photo.objects.values_list("is_approved", flat=True)) == {True}
    assert member.image == first.url
    assert LogEntry.objects.filter(object_id=str(first.pk)).exists()


def test_admin_reject_action_deletes_photo_and_file(
    admin_client_, django_capture_on_commit_callbacks
):
    photo = Photo.objects.create(member=MemberFactory(), file=image_upload())
    name = photo.file.name
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            "/admin/profiles/photo/",
            {"action": "reject_photos", "_selected_action": [str(photo.pk)]},
        )
    assert not Photo.objects.exists()
    assert not photo.file.storage.exists(name)


def test_pages_render_times_in_the_users_time_zone(client):
    from django.utils import timezone

    seen: dict[str, str] = {}
    from django.test.signals import template_rendered

    def grab(sender, template, context, **kwargs):
        seen.setdefault("tz", timezone.get_current_timezone_name())

    user = UserFactory(time_zone="America/New_York", profile_complete=False)
    client.force_login(user)
    template_rendered.connect(grab)
    try:
        client.get("/settings/")
    finally:
        template_rendered.disconnect(grab)
    assert seen["tz"] == "America/New_York"
    assert timezone.get_current_timezone_name() != "America/New_York"  # reset after the request
