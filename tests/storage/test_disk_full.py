"""Issue 13 item 10: a full disk during a photo, video or story upload leaves no partial file
and no row, and answers 507 with a translated message (JSON for JSON clients, the styled page
or the inline error for HTML)."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from profiles.models import Photo, Video
from stories.models import Story
from tests.factories import UserFactory, image_upload
from tests.storage.servers import fixture_bytes

pytestmark = pytest.mark.django_db

EN = "There is no room to store files right now, so nothing was saved."
HE = "אין כרגע מקום לשמור קבצים"


@pytest.fixture
def disk_full(monkeypatch):
    """Local storage writes half of a file, then the disk is full (``OSError(ENOSPC)``), as a
    real full disk does. ``after`` successful saves go through first (e.g. the video, then
    its poster fails). Returns the list of names whose write failed."""
    real_save = FileSystemStorage._save
    failed: list[str] = []
    state = {"after": 0}

    def save(self, name, content):  # type: ignore[no-untyped-def]
        if state["after"] > 0:
            state["after"] -= 1
            return real_save(self, name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        content.seek(0)
        data = content.read()
        with open(path, "wb") as handle:
            handle.write(data[: max(1, len(data) // 2)])
        failed.append(name)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(FileSystemStorage, "_save", save)

    def succeed_first(n: int) -> None:
        state["after"] = n

    return SimpleNamespace(failed=failed, succeed_first=succeed_first)


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_photo_upload_htmx_gets_the_inline_error_with_507(member_client, disk_full, settings):
    response = member_client.post(
        "/members/edit/photos/",
        {"photo": image_upload()},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 507
    assert EN in response.content.decode()
    assert disk_full.failed  # the write really started
    assert _stored_files(settings) == []
    assert not Photo.objects.exists()


def test_photo_upload_without_javascript_gets_the_styled_507_page_in_hebrew(
    member_client, disk_full, settings
):
    response = member_client.post(
        "/members/edit/photos/", {"photo": image_upload()}, HTTP_ACCEPT_LANGUAGE="he"
    )

    assert response.status_code == 507
    body = response.content.decode()
    assert HE in body
    assert 'class="card error-page"' in body
    assert _stored_files(settings) == []
    assert not Photo.objects.exists()


def test_video_upload_json_gets_507_json_and_keeps_nothing(member_client, disk_full, settings):
    response = member_client.post(
        "/members/edit/video/upload/",
        {"file": SimpleUploadedFile("a.mp4", fixture_bytes("short.mp4"), "video/mp4")},
        HTTP_ACCEPT="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 507
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "storage_full"
    assert EN in response.json()["error"]
    assert _stored_files(settings) == []
    assert not Video.objects.exists()


def test_video_whose_poster_cannot_be_written_leaves_neither_file(
    member_client, disk_full, settings
):
    disk_full.succeed_first(1)  # the video is written, then the disk fills up on the poster

    response = member_client.post(
        "/members/edit/video/upload/",
        {"file": SimpleUploadedFile("a.webm", fixture_bytes("short.webm"), "video/webm")},
        HTTP_ACCEPT_LANGUAGE="he",
    )

    assert response.status_code == 507
    assert HE in response.content.decode()
    assert 'id="video-upload-form"' in response.content.decode()  # the page, error inline
    assert disk_full.failed[0].endswith(".poster.jpg")
    assert _stored_files(settings) == []
    assert not Video.objects.exists()


def test_story_upload_gets_507_and_keeps_nothing(member_client, disk_full, settings):
    page = member_client.post(
        "/stories/new/",
        {"photo": image_upload(), "privacy": "PUBLIC"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 507
    assert EN in page.content.decode()
    assert b"story-form" in page.content  # the compose form, error inline

    api = member_client.post(
        "/stories/new/",
        {"photo": image_upload(), "privacy": "PUBLIC"},
        HTTP_ACCEPT="application/json",
        HTTP_ACCEPT_LANGUAGE="he",
    )
    assert api.status_code == 507
    assert HE in api.json()["error"]

    assert _stored_files(settings) == []
    assert not Story.objects.exists()


def test_onboarding_with_photos_keeps_no_member_and_no_file(client, disk_full, settings):
    from tests.profiles.test_onboarding import answers

    user = UserFactory(profile_complete=False)
    client.force_login(user)
    disk_full.succeed_first(1)  # the first photo is written, the second one fills the disk
    data = answers()
    data["photos"] = [image_upload(), image_upload()]

    response = client.post("/complete-profile/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 507
    assert EN in response.content.decode()
    assert _stored_files(settings) == []
    assert not Photo.objects.exists()
    user.refresh_from_db()
    assert not user.profile_complete


def test_full_disk_while_the_upload_is_spooled_answers_507_json(
    member_client, monkeypatch, settings
):
    """The disk can also fill while Django writes the upload to its temporary file, before any
    view code runs: still 507 (JSON for a JSON client), never a 500."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # every upload goes to a temporary file

    def full(self, raw_data, start):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", full)

    response = member_client.post(
        "/members/edit/video/upload/",
        {"file": SimpleUploadedFile("a.mp4", fixture_bytes("short.mp4"), "video/mp4")},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 507
    assert response.json()["code"] == "storage_full"
    assert not Video.objects.exists()


def test_full_disk_while_remuxing_answers_507_and_leaves_no_temporary_file(
    member_client, monkeypatch, settings, tmp_path
):
    """FFmpeg reports a full disk as an OSError with ENOSPC while it writes the clean copy."""
    from profiles import video_services

    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()

    def remux(*, source, destination, extension):  # type: ignore[no-untyped-def]
        Path(destination).write_bytes(b"\x00" * 512)  # part of the clean copy
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(video_services, "video_remux", remux)

    response = member_client.post(
        "/members/edit/video/upload/",
        {"file": SimpleUploadedFile("a.mp4", fixture_bytes("short.mp4"), "video/mp4")},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 507
    assert list((tmp_path / "spool").iterdir()) == []
    assert _stored_files(settings) == []
    assert not Video.objects.exists()
