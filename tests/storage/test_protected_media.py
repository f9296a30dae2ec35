"""Issue 13 item 7: ``/media/`` is served by a view applying the page rules (owner sees their
own pending files; others only approved ones; nobody across a block; staff everything), with
``X-Accel-Redirect`` to nginx's internal location when a proxy is configured, the file itself
otherwise, and expiring signed URLs on Cloudinary / S3."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from matching.services import block_create, like_toggle
from profiles import services as photo_services
from profiles import video_services
from profiles.visibility.services import member_visibility_update
from stories.models import Story
from tests.factories import MemberFactory, UserFactory, image_upload
from tests.storage.servers import fixture_bytes
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def owner():
    return MemberFactory()


@pytest.fixture
def other():
    return MemberFactory()


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def test_media_urls_are_served_through_the_view(owner):
    photo = photo_services.photo_add(member=owner, upload=image_upload())
    assert photo.url == f"/media/{photo.file.name}"
    response = _client(owner.user).get(photo.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=300"
    with photo.file.open("rb") as handle:
        assert _body(response) == handle.read()  # streamed by Django without a proxy


def test_pending_photo_is_404_to_others_and_200_to_its_owner_and_staff(owner, other, staff):
    photo = photo_services.photo_add(member=owner, upload=image_upload())

    assert _client(other.user).get(photo.url).status_code == 404
    assert _client().get(photo.url).status_code == 404  # anonymous
    assert _client(owner.user).get(photo.url).status_code == 200
    assert _client(staff).get(photo.url).status_code == 200

    photo_services.photo_approve(photo=photo)

    assert _client(other.user).get(photo.url).status_code == 200
    assert _client().get(photo.url).status_code == 404  # pages need a login too


def test_rejected_photo_is_404_to_everyone_but_staff(
    owner, other, staff, django_capture_on_commit_callbacks
):
    photo = photo_services.photo_add(member=owner, upload=image_upload())
    url = photo.url

    with django_capture_on_commit_callbacks(execute=True):
        photo_services.photo_reject(photo=photo)

    # Rejecting deletes the row and, after the commit, the file: nothing is left to serve.
    assert not photo.file.storage.exists(photo.file.name)
    for user in (owner.user, other.user, staff):
        assert _client(user).get(url).status_code == 404


@pytest.mark.parametrize("who_blocks", ["owner", "viewer"])
def test_blocked_pair_gets_404_either_way(owner, other, who_blocks):
    photo = photo_services.photo_add(member=owner, upload=image_upload())
    photo_services.photo_approve(photo=photo)
    assert _client(other.user).get(photo.url).status_code == 200

    if who_blocks == "owner":
        block_create(blocker=owner.user, blocked=other.user)
    else:
        block_create(blocker=other.user, blocked=owner.user)

    assert _client(other.user).get(photo.url).status_code == 404
    assert _client(owner.user).get(photo.url).status_code == 200  # still their own


def test_pending_video_and_its_poster_follow_the_same_rules(owner, other, staff):
    video = video_services.video_add(
        member=owner,
        upload=SimpleUploadedFile("a.mp4", fixture_bytes("short.mp4"), "video/mp4"),
    )
    urls = [video.url, video.poster_url]
    assert all(url.startswith("/media/videos/") for url in urls)

    for url in urls:
        assert _client(other.user).get(url).status_code == 404
        assert _client(owner.user).get(url).status_code == 200
        assert _client(staff).get(url).status_code == 200

    video_services.video_approve(video=video)
    for url in urls:
        assert _client(other.user).get(url).status_code == 200


def test_story_image_follows_the_story_rules(owner, other):
    story = StoryFactory(user=owner.user, privacy=Story.Privacy.PRIVATE)  # matches only
    url = story.image.url

    assert _client(owner.user).get(url).status_code == 200
    assert _client(other.user).get(url).status_code == 404

    Story.objects.filter(pk=story.pk).update(privacy=Story.Privacy.PUBLIC)
    assert _client(other.user).get(url).status_code == 200
    block_create(blocker=owner.user, blocked=other.user)
    assert _client(other.user).get(url).status_code == 404


def test_x_accel_redirect_hands_the_file_to_the_proxy_when_enabled(owner, other, settings):
    settings.MEDIA_ACCEL_REDIRECT = True
    photo = photo_services.photo_add(member=owner, upload=image_upload())

    response = _client(owner.user).get(photo.url)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.file.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == b""  # nginx sends the bytes from its internal location
    denied = _client(other.user).get(photo.url)
    assert denied.status_code == 404
    assert "X-Accel-Redirect" not in denied


def test_without_a_proxy_setting_the_file_is_streamed(owner, settings):
    settings.MEDIA_ACCEL_REDIRECT = False
    photo = photo_services.photo_add(member=owner, upload=image_upload())

    response = _client(owner.user).get(photo.url)

    assert response.streaming
    assert "X-Accel-Redirect" not in response
    assert _body(response)[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    "path",
    [
        "/media/../miel/settings.py",
        "/media/photos/../../miel/settings.py",
        "/media/photos//x.jpg",
        "/media/nothing/here.jpg",
    ],
)
def test_unknown_or_crafted_paths_are_404(owner, staff, path):
    photo_services.photo_add(member=owner, upload=image_upload())
    assert _client(staff).get(path).status_code == 404


def test_cloudinary_files_are_private_and_reached_through_expiring_signed_urls(
    cloudinary_fake, owner, other
):
    photo = photo_services.photo_add(member=owner, upload=image_upload())
    public_id = photo.file.name.rsplit(".", 1)[0]
    assert cloudinary_fake.types[public_id] == "private"  # no public delivery URL works

    assert _client(other.user).get(photo.url).status_code == 404
    response = _client(owner.user).get(photo.url)
    assert response.status_code == 302
    signed = response["Location"]
    assert signed.startswith(cloudinary_fake.url)
    params = parse_qs(urlsplit(signed).query)
    assert "signature" in params
    assert "expires_at" in params
    fetched = requests.get(signed, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == cloudinary_fake.assets[public_id]
    # A tampered or expired link is refused by Cloudinary.
    expired = signed.replace(f"expires_at={params['expires_at'][0]}", "expires_at=1")
    assert requests.get(expired, timeout=10).status_code == 401


def test_s3_video_urls_are_presigned_and_expire(s3, owner, other, settings):
    settings.MEDIA_SIGNED_URL_SECONDS = 120
    video = video_services.video_add(
        member=owner,
        upload=SimpleUploadedFile("a.mp4", fixture_bytes("short.mp4"), "video/mp4"),
    )
    for url in (video.url, video.poster_url):
        params = parse_qs(urlsplit(url).query)
        assert "X-Amz-Signature" in params
        assert "X-Amz-Expires" in params
        assert requests.get(url, timeout=10).status_code == 200
    # The object itself is not public.
    bare = video.url.split("?", 1)[0]
    assert requests.get(bare, timeout=10).status_code == 403

    # /media/ names of S3 files redirect to a short-lived presigned URL after the check.
    media = f"/media/{video.file.name}"
    assert _client(other.user).get(media).status_code == 404
    response = _client(owner.user).get(media)
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["X-Amz-Expires"] == ["120"]


def test_a_paused_members_photo_is_404_to_strangers_and_served_to_those_they_know(
    owner, other, staff
):
    """A paused member is hidden from strangers everywhere, their files too (not only their
    pages): the URL of a photo seen before the pause no longer works for a stranger, while a
    member they liked (a match's chat goes on) and staff still get it."""
    photo = photo_services.photo_add(member=owner, upload=image_upload())
    photo_services.photo_approve(photo=photo)
    liked = MemberFactory()
    like_toggle(source=owner, target=liked, like=True)
    assert _client(other.user).get(photo.url).status_code == 200

    member_visibility_update(member=owner, paused=True, incognito=False, show_distance=True)

    assert _client(other.user).get(photo.url).status_code == 404
    assert _client(liked.user).get(photo.url).status_code == 200
    assert _client(owner.user).get(photo.url).status_code == 200
    assert _client(staff).get(photo.url).status_code == 200

    member_visibility_update(member=owner, paused=False, incognito=False, show_distance=True)
    assert _client(other.user).get(photo.url).status_code == 200
