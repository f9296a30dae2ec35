"""Issue 13 item 3: an uploaded video is stored remuxed without its metadata (place, camera,
comments), its picture and sound intact, with a poster frame for the player."""

from __future__ import annotations

import io
import math

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from profiles import video_services
from profiles.models import Video
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

UPLOAD = "/members/edit/video/upload/"
JSON = {"HTTP_ACCEPT": "application/json"}
ISO6709 = "+32.0853+034.7818+012.345/"
COMMENT = "Dana's flat, Rothschild 12"
SECRETS = (b"32.0853", b"034.7818", b"Rothschild", b"iPhone 15 Pro", b"Dana's")

# extension -> (muxer, video encoder, audio encoder, muxer options)
FORMATS = {
    # Apple writes its keys in an mdta atom; use_metadata_tags makes FFmpeg do the same.
    "mov": ("mov", "mpeg4", "aac", {"movflags": "use_metadata_tags"}),
    "mp4": ("mp4", "mpeg4", "aac", {}),
    "webm": ("webm", "libvpx", "libopus", {}),
}


def _tagged_video(extension: str, seconds: float = 2.0) -> bytes:
    """A small real video (10 fps, 64x48, mono sound) carrying location, camera and comment
    tags on the container and on its streams, like a phone's recording."""
    muxer, vcodec, acodec, options = FORMATS[extension]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=muxer, options=options) as out:
        out.metadata.update(
            {
                "location": ISO6709,
                "com.apple.quicktime.location.ISO6709": ISO6709,
                "com.apple.quicktime.make": "Apple",
                "com.apple.quicktime.model": "iPhone 15 Pro",
                "comment": COMMENT,
                "title": "Dana's flat",
            }
        )
        video = out.add_stream(vcodec, rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        video.metadata.update({"location": ISO6709, "comment": COMMENT})
        audio = out.add_stream(acodec, rate=48000, layout="mono")
        audio.metadata.update({"handler_name": "iPhone 15 Pro", "comment": COMMENT})
        for i in range(int(seconds * 10)):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (200, 40 + i * 5, 90)))
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode())
        size = audio.codec_context.frame_size or 1024
        for i in range(int(seconds * 48000) // size):
            samples = av.AudioFrame(
                format=audio.codec_context.format.name, layout="mono", samples=size
            )
            for plane in samples.planes:
                plane.update(bytes(plane.buffer_size))
            samples.sample_rate, samples.pts = 48000, i * size
            out.mux(audio.encode(samples))
        out.mux(audio.encode())
    return buffer.getvalue()


def _tags(data: bytes) -> dict[str, str]:
    """Every metadata tag FFmpeg reads back, container and streams, keys lower-cased."""
    with av.open(io.BytesIO(data)) as container:
        tags = {k.lower(): v for k, v in container.metadata.items()}
        for stream in container.streams:
            tags.update({f"{stream.type}:{k.lower()}": v for k, v in stream.metadata.items()})
    return tags


def _streams(data: bytes) -> list[tuple[str, str, int]]:
    """(kind, codec, decoded frames) per stream: proves picture and sound still decode."""
    result = []
    with av.open(io.BytesIO(data)) as container:
        for stream in container.streams:
            frames = sum(1 for _ in container.decode(stream))
            container.seek(0)
            result.append((stream.type, stream.codec_context.name, frames))
    return result


def _leaks(tags: dict[str, str]) -> list[str]:
    private = ("location", "iso6709", "comment", "make", "model", "title")
    return [k for k, v in tags.items() if any(p in k for p in private) or "Dana" in v]


@pytest.mark.parametrize("extension", ["mov", "mp4", "webm"])
def test_uploaded_video_is_stored_without_location_camera_or_comments(
    member_client, client, extension
):
    original = _tagged_video(extension)
    # The file really carries the tags this test looks for.
    assert _leaks(_tags(original))
    assert any(secret in original for secret in SECRETS)

    response = member_client.post(
        UPLOAD,
        {"file": SimpleUploadedFile(f"clip.{extension}", original, "video/mp4")},
        **JSON,
    )

    assert response.status_code == 201, response.content
    video = Video.objects.get(member=member_client.member)
    assert video.file.name.endswith(f".{extension}")
    with video.file.open("rb") as handle:
        stored = handle.read()
    assert stored != original
    assert _leaks(_tags(stored)) == []
    for secret in SECRETS:
        assert secret not in stored
    # Same picture and sound: the same streams, codecs and decodable frames (a copy, not a
    # re-encode), and the same length.
    assert _streams(stored) == _streams(original)
    with av.open(io.BytesIO(original)) as container:
        assert video.duration == math.ceil(container.duration / av.time_base)

    # A poster frame (JPEG) for the player, shown with the video.
    assert video.poster.name
    with video.poster.open("rb") as handle:
        poster = Image.open(io.BytesIO(handle.read()))
        assert poster.format == "JPEG"
        assert poster.size == (64, 48)
        assert not poster.getexif()
    video_services.video_approve(video=video)
    viewer = MemberFactory()
    client.force_login(viewer.user)
    page = client.get(reverse("profiles:member_detail", args=[member_client.member.user_id]))
    assert f'poster="{video.poster_url}"'.encode() in page.content


def test_videos_stored_before_remuxing_are_cleaned_by_the_command(
    member, django_capture_on_commit_callbacks
):
    """``manage.py clean_stored_videos`` cleans the videos stored byte for byte before."""
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    original = _tagged_video("mov")
    legacy = Video(member=member, is_approved=True, duration=2)
    legacy.file.save("intro.mov", ContentFile(original), save=True)
    old_name = legacy.file.name

    with django_capture_on_commit_callbacks(execute=True):
        call_command("clean_stored_videos", stdout=io.StringIO())

    legacy.refresh_from_db()
    assert legacy.file.name != old_name
    assert not legacy.file.storage.exists(old_name)
    with legacy.file.open("rb") as handle:
        stored = handle.read()
    assert _leaks(_tags(stored)) == []
    assert _streams(stored) == _streams(original)
    assert legacy.poster.name
    assert legacy.poster.storage.exists(legacy.poster.name)
