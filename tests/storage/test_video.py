"""Video intro upload through the site: limits checked from the file itself, pending until
approved, then played on the profile (rules §4)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profiles import video_services
from profiles.models import Member, Video
from tests.factories import MemberFactory, image_bytes
from tests.storage.servers import fixture_bytes

pytestmark = pytest.mark.django_db

UPLOAD = "/members/edit/video/upload/"
JSON = {"HTTP_ACCEPT": "application/json"}


def _file(name: str, data: bytes | None = None, content_type: str = "video/mp4"):
    return SimpleUploadedFile(name, fixture_bytes(name) if data is None else data, content_type)


@pytest.mark.parametrize(
    ("name", "extension", "seconds"),
    [("short.mp4", "mp4", 3), ("short.mov", "mov", 3), ("short.webm", "webm", 3)],
)
def test_upload_accepts_mp4_mov_webm_and_keeps_it_pending(member_client, name, extension, seconds):
    response = member_client.post(UPLOAD, {"file": _file(name)}, **JSON)

    assert response.status_code == 201, response.content
    video = Video.objects.get(member=member_client.member)
    assert video.is_approved is False
    assert video.duration == seconds
    assert video.file.name.endswith(f".{extension}")
    assert response.json()["video"]["is_approved"] is False


def test_extension_comes_from_the_content_not_the_name(member_client):
    response = member_client.post(
        UPLOAD, {"file": _file("short.webm", fixture_bytes("short.webm"))}, **JSON
    )
    assert response.status_code == 201
    renamed = SimpleUploadedFile("holiday.mp4", fixture_bytes("short.webm"), "video/mp4")
    response = member_client.post(UPLOAD, {"file": renamed}, **JSON)
    assert response.status_code == 201
    assert Video.objects.get(member=member_client.member).file.name.endswith(".webm")


@pytest.mark.parametrize("name", ["long.mp4", "long.webm"])
def test_upload_over_60_seconds_is_refused_with_422(member_client, name):
    response = member_client.post(UPLOAD, {"file": _file(name)}, **JSON)

    assert response.status_code == 422
    assert response.json()["code"] == "too_long"
    assert "60" in response.json()["error"]
    assert not Video.objects.exists()


def test_upload_over_the_size_limit_is_refused_with_413(member_client, settings):
    settings.VIDEO_MAX_BYTES = 1000  # short.mp4 is 1 735 bytes

    response = member_client.post(UPLOAD, {"file": _file("short.mp4")}, **JSON)

    assert response.status_code == 413
    assert "MB" in response.json()["error"]
    assert not Video.objects.exists()


def test_oversized_request_body_is_refused_before_parsing(member_client, settings):
    settings.VIDEO_MAX_BYTES = 10
    big = b"x" * (2 * 1024 * 1024)
    response = member_client.post(
        UPLOAD, {"file": SimpleUploadedFile("a.mp4", big, "video/mp4")}, **JSON
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.mp4", image_bytes()),  # a JPEG named .mp4
        ("notes.webm", b"hello, this is not a video" * 20),
        ("audio_only.m4a", None),  # an MP4 container without a video track
    ],
)
def test_non_videos_are_refused_with_415(member_client, name, data):
    response = member_client.post(UPLOAD, {"file": _file(name, data)}, **JSON)

    assert response.status_code == 415
    assert response.json()["code"] == "not_video"
    assert not Video.objects.exists()


def test_missing_file_and_anonymous(client, member_client):
    assert member_client.post(UPLOAD, {}, **JSON).status_code == 400
    client.logout()
    response = client.post(UPLOAD, {"file": _file("short.mp4")})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_plain_form_post_without_javascript(member_client):
    response = member_client.post(UPLOAD, {"file": _file("short.mp4")})
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:video_manage")
    page = member_client.get(reverse("profiles:video_manage"))
    assert "Pending approval" in page.content.decode() or "ממתין" in page.content.decode()

    response = member_client.post(UPLOAD, {"file": _file("long.mp4")})
    assert response.status_code == 422
    assert b"60" in response.content


def test_new_upload_replaces_the_pending_one(member_client):
    member_client.post(UPLOAD, {"file": _file("short.mp4")}, **JSON)
    first = Video.objects.get()
    member_client.post(UPLOAD, {"file": _file("short.webm")}, **JSON)
    assert list(Video.objects.values_list("file", flat=True)) != [first.file.name]
    assert Video.objects.count() == 1


def test_pending_video_is_hidden_from_others_until_approved(member_client, client):
    owner = member_client.member
    member_client.post(UPLOAD, {"file": _file("short.mp4")}, **JSON)
    video = Video.objects.get(member=owner)
    viewer = MemberFactory()
    client.force_login(viewer.user)
    profile = reverse("profiles:member_detail", args=[owner.user_id])
    play = reverse("profiles:video_play", args=[owner.user_id])

    assert video.url not in client.get(profile).content.decode()
    assert client.get(play).status_code == 404

    video_services.video_approve(video=video)

    assert video.url in client.get(profile).content.decode()
    response = client.get(play)
    assert response.status_code == 302
    assert response["Location"] == video.url
    owner.refresh_from_db()
    assert owner.video_url == play


def test_approving_a_new_video_replaces_the_old_approved_one(
    member, django_capture_on_commit_callbacks
):
    old = video_services.video_add(member=member, upload=_file("short.mp4"))
    video_services.video_approve(video=old)
    new = video_services.video_add(member=member, upload=_file("short.webm"))
    # The approved one keeps playing while the new one waits.
    assert set(Video.objects.values_list("pk", flat=True)) == {old.pk, new.pk}

    with django_capture_on_commit_callbacks(execute=True):
        video_services.video_approve(video=new)

    assert list(Video.objects.values_list("pk", flat=True)) == [new.pk]
    assert not old.file.storage.exists(old.file.name)


def test_owner_can_delete_only_their_own_video(member_client, django_capture_on_commit_callbacks):
    other = MemberFactory()
    theirs = video_services.video_add(member=other, upload=_file("short.mp4"))
    url = reverse("profiles:video_delete", args=[theirs.pk])
    assert member_client.post(url).status_code == 404
    assert Video.objects.filter(pk=theirs.pk).exists()

    mine = video_services.video_add(member=member_client.member, upload=_file("short.mp4"))
    video_services.video_approve(video=mine)
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("profiles:video_delete", args=[mine.pk]))
    assert response.status_code == 302
    assert not Video.objects.filter(pk=mine.pk).exists()
    assert not mine.file.storage.exists(mine.file.name)
    assert Member.objects.get(pk=member_client.member.pk).video_url == ""


def test_manage_page_renders(member_client):
    response = member_client.get(reverse("profiles:video_manage"))
    assert response.status_code == 200
    assert b'id="video-upload-form"' in response.content
    assert b'data-direct=""' in response.content  # local storage: upload through the site


def test_direct_upload_endpoints_over_s3(s3, member_client):
    import requests

    response = member_client.post(
        reverse("profiles:video_direct_start"),
        {"content_type": "video/quicktime", "size": len(fixture_bytes("short.mov"))},
    )
    assert response.status_code == 200
    issued = response.json()
    requests.post(
        issued["url"],
        data=issued["fields"],
        files={"file": ("c.mov", fixture_bytes("short.mov"), "video/quicktime")},
        timeout=10,
    ).raise_for_status()

    response = member_client.post(
        reverse("profiles:video_direct_confirm"), {"token": issued["token"]}
    )

    assert response.status_code == 201
    video = Video.objects.get(member=member_client.member)
    assert s3.keys() == sorted([video.file.name, video.poster.name])
    assert (
        member_client.get(reverse("profiles:video_manage")).content.count(b'data-direct="1"') == 1
    )


def test_direct_upload_start_checks_type_and_size(s3, member_client, settings):
    url = reverse("profiles:video_direct_start")
    bad_type = member_client.post(url, {"content_type": "image/png", "size": 10})
    assert bad_type.status_code == 415
    too_big = member_client.post(
        url, {"content_type": "video/mp4", "size": settings.VIDEO_MAX_BYTES + 1}
    )
    assert too_big.status_code == 413
    assert member_client.post(url, {"content_type": "video/mp4"}).status_code == 400
