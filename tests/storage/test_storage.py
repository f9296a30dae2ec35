"""Storage backends over real HTTP: Cloudinary (fake API) for photos/stories, S3 (moto server)
for videos, and stored files following their rows on delete (rules §1, §4)."""

from __future__ import annotations

import urllib.request

import pytest
from django.core.files.base import ContentFile

from miel.storage import CloudinaryStorage, cloudinary_options
from profiles import services as photo_services
from profiles import video_services
from profiles.models import Photo, Video
from stories.models import Story
from tests.factories import MemberFactory, image_upload
from tests.storage.servers import fixture_bytes

pytestmark = pytest.mark.django_db


# --- Cloudinary --------------------------------------------------------------------------------


def test_cloudinary_options_parse_url_and_query():
    options = cloudinary_options("cloudinary://k:s@cloud?upload_prefix=http://127.0.0.1:9")
    assert options["cloud_name"] == "cloud"
    assert options["api_key"] == "k"
    assert options["api_secret"] == "s"
    assert options["upload_prefix"] == "http://127.0.0.1:9"


def test_photo_add_uploads_to_cloudinary_with_signed_request(cloudinary_fake, member):
    photo = photo_services.photo_add(member=member, upload=image_upload())

    public_id = f"photos/{member.pk}/{photo.pk}"
    assert photo.file.name == f"{public_id}.jpg"
    assert cloudinary_fake.assets[public_id][:3] == b"\xff\xd8\xff"  # the re-encoded JPEG
    upload = cloudinary_fake.requests[-1]
    assert upload["action"] == "upload"
    assert upload["resource_type"] == "image"
    # Private on Cloudinary; pages link the site's permission-checked URL (issue 13 item 7).
    assert upload["fields"]["type"] == "private"
    assert photo.url == f"/media/{public_id}.jpg"


def test_cloudinary_rejects_a_wrong_secret(cloudinary_fake):
    wrong = CloudinaryStorage(
        cloudinary_url=cloudinary_fake.cloudinary_url.replace(":s3cr3t@", ":nope@")
    )
    with pytest.raises(Exception, match="Invalid Signature"):
        wrong.save("photos/x/y.jpg", ContentFile(b"data"))
    assert cloudinary_fake.assets == {}


def test_photo_delete_destroys_the_cloudinary_asset(
    cloudinary_fake, member, django_capture_on_commit_callbacks
):
    photo = photo_services.photo_add(member=member, upload=image_upload())
    public_id = photo.file.name.rsplit(".", 1)[0]

    with django_capture_on_commit_callbacks(execute=True):
        photo_services.photo_delete(member=member, photo_id=photo.pk)

    assert public_id not in cloudinary_fake.assets
    assert any(
        r["action"] == "destroy" and r["fields"]["public_id"] == public_id
        for r in cloudinary_fake.requests
    )


def test_story_rows_deleted_in_bulk_destroy_their_cloudinary_assets(
    cloudinary_fake, member, django_capture_on_commit_callbacks
):
    story = Story(user=member.user)
    story.image.save("s.jpg", ContentFile(b"\xff\xd8\xffstory"), save=True)
    public_id = story.image.name.rsplit(".", 1)[0]
    assert public_id in cloudinary_fake.assets

    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.filter(user=member.user).delete()  # a QuerySet delete, no service

    assert cloudinary_fake.assets == {}


def test_rolled_back_delete_keeps_the_file(
    cloudinary_fake, member, django_capture_on_commit_callbacks
):
    from django.db import transaction

    photo = photo_services.photo_add(member=member, upload=image_upload())

    def delete_then_fail() -> None:
        with transaction.atomic():
            Photo.objects.filter(pk=photo.pk).delete()
            raise RuntimeError("roll back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        delete_then_fail()
    assert callbacks == []  # the file deletion was dropped with the savepoint
    assert photo.file.name.rsplit(".", 1)[0] in cloudinary_fake.assets


# --- S3 (moto server over HTTP) ----------------------------------------------------------------


def _upload(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, fixture_bytes(name), content_type="video/mp4")


def test_video_add_stores_the_file_in_s3(s3, member):
    video = video_services.video_add(member=member, upload=_upload("short.mp4"))

    key = f"videos/{member.pk}/{video.pk}.mp4"
    poster = f"videos/{member.pk}/{video.pk}.poster.jpg"
    assert s3.keys() == [key, poster]
    stored = s3.get(key)
    assert b"ftyp" in stored[:12]  # an MP4 (remuxed)
    assert video.duration == 3
    # The playback URL is a presigned URL on the S3 endpoint that really serves the file.
    assert video.url.startswith(f"{s3.endpoint}/miel-videos-test/{key}?")
    assert "X-Amz-Signature=" in video.url
    assert "X-Amz-Signature=" in video.poster_url
    with urllib.request.urlopen(video.url) as response:  # noqa: S310 - local test server
        assert response.read() == stored
    with urllib.request.urlopen(video.poster_url) as response:  # noqa: S310 - local test server
        assert response.read().startswith(b"\xff\xd8")  # JPEG


def test_presigned_post_then_confirm_creates_a_pending_video(s3, member):
    import requests

    direct = video_services.video_direct_upload_start(
        member=member, content_type="video/webm", size=len(fixture_bytes("short.webm"))
    )
    assert direct.upload.url.startswith(s3.endpoint)
    response = requests.post(
        direct.upload.url,
        data=direct.upload.fields,
        files={"file": ("clip.webm", fixture_bytes("short.webm"), "video/webm")},
        timeout=10,
    )
    assert response.status_code in (200, 201, 204), response.text

    video = video_services.video_direct_upload_confirm(member=member, token=direct.token)

    assert video.is_approved is False
    assert video.duration == 3
    assert video.file.name.endswith(".webm")
    # The browser's object was replaced by the metadata-free remux, with its poster beside it.
    assert s3.keys() == sorted([video.file.name, video.poster.name])
    assert s3.get(video.file.name) != fixture_bytes("short.webm")
    # Confirming twice is harmless.
    again = video_services.video_direct_upload_confirm(member=member, token=direct.token)
    assert again.pk == video.pk
    assert Video.objects.count() == 1


def test_presigned_upload_of_a_non_video_is_rejected_and_deleted(s3, member):
    import requests

    direct = video_services.video_direct_upload_start(
        member=member, content_type="video/mp4", size=100
    )
    requests.post(
        direct.upload.url,
        data=direct.upload.fields,
        files={"file": ("x.mp4", b"not a video at all" * 5, "video/mp4")},
        timeout=10,
    ).raise_for_status()
    assert len(s3.keys()) == 1

    with pytest.raises(video_services.VideoRejected) as exc:
        video_services.video_direct_upload_confirm(member=member, token=direct.token)

    assert exc.value.status == 415
    assert s3.keys() == []
    assert Video.objects.count() == 0


def test_oversized_direct_upload_is_limited_by_policy_and_refused_at_confirm(s3, member, settings):
    import base64
    import json

    import requests

    settings.VIDEO_MAX_BYTES = 1000
    direct = video_services.video_direct_upload_start(
        member=member, content_type="video/mp4", size=900
    )
    policy = json.loads(base64.b64decode(direct.upload.fields["policy"]))
    assert ["content-length-range", 1, 1000] in policy["conditions"]  # real S3 enforces it
    # moto does not enforce the policy's size range, so the confirm step is the backstop.
    requests.post(
        direct.upload.url,
        data=direct.upload.fields,
        files={"file": ("big.mp4", b"0" * 5000, "video/mp4")},
        timeout=10,
    ).raise_for_status()

    with pytest.raises(video_services.VideoRejected) as exc:
        video_services.video_direct_upload_confirm(member=member, token=direct.token)

    assert exc.value.status == 413
    assert s3.keys() == []


def test_confirm_with_another_members_token_is_refused(s3, member):
    direct = video_services.video_direct_upload_start(
        member=member, content_type="video/mp4", size=100
    )
    other = MemberFactory()
    with pytest.raises(video_services.VideoRejected) as exc:
        video_services.video_direct_upload_confirm(member=other, token=direct.token)
    assert exc.value.code == "bad_token"
    with pytest.raises(video_services.VideoRejected):
        video_services.video_direct_upload_confirm(member=member, token=direct.token + "x")


def test_direct_upload_is_unavailable_on_local_storage(member):
    assert video_services.video_direct_upload_available() is False
    with pytest.raises(video_services.VideoRejected) as exc:
        video_services.video_direct_upload_start(member=member, content_type="video/mp4", size=1)
    assert exc.value.status == 409


def test_video_delete_removes_the_s3_object(s3, member, django_capture_on_commit_callbacks):
    video = video_services.video_add(member=member, upload=_upload("short.mp4"))
    assert s3.keys()

    with django_capture_on_commit_callbacks(execute=True):
        video_services.video_delete(member=member, video_id=video.pk)

    assert s3.keys() == []


def test_deleting_the_user_cascades_to_s3_objects(s3, member, django_capture_on_commit_callbacks):
    video_services.video_add(member=member, upload=_upload("short.mp4"))

    with django_capture_on_commit_callbacks(execute=True):
        member.user.delete()

    assert s3.keys() == []


def test_local_default_photo_file_is_removed_on_cascade(
    member, settings, django_capture_on_commit_callbacks
):
    from pathlib import Path

    photo = photo_services.photo_add(member=member, upload=image_upload())
    path = Path(settings.MEDIA_ROOT) / photo.file.name
    assert path.is_file()

    with django_capture_on_commit_callbacks(execute=True):
        member.delete()

    assert not path.exists()
