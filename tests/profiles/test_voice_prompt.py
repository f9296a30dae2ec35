"""Issue 18, voice prompt: one prompt answered with a recording (mp3 / m4a / ogg / webm / wav,
up to 30 s), checked by decoding it, stored as a stream copy without any tag, pending until
staff approve it in the moderation queue, then played on the profile and the deck card."""

from __future__ import annotations

import io

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profiles.models import Member, Prompt, VoicePrompt
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

VOICE = "/members/edit/voice/"
ACT = "/moderation/act/"
SECRETS = (b"Dana Levi", b"Rothschild", b"iPhone 15 Pro", b"32.0853")
TAGS = {
    "title": "Dana Levi at Rothschild 12",
    "artist": "Dana Levi",
    "comment": "recorded at Rothschild 12",
    "location": "+32.0853+034.7818/",
    "encoder": "iPhone 15 Pro",
}

# extension -> (muxer, codec, sample rate, muxer options)
FORMATS = {
    "mp3": ("mp3", "libmp3lame", 44100, {}),
    "m4a": ("ipod", "aac", 44100, {}),
    "ogg": ("ogg", "libopus", 48000, {}),  # what Firefox records
    "webm": ("webm", "libopus", 48000, {}),
    "wav": ("wav", "pcm_s16le", 16000, {}),
}


def tagged_audio(extension: str, seconds: float = 2.0) -> bytes:
    """A real recording (silence, mono) carrying name, place and device tags on the
    container and on its stream, like a phone's voice memo."""
    muxer, codec, rate, options = FORMATS[extension]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=muxer, options=options) as out:
        out.metadata.update(TAGS)
        stream = out.add_stream(codec, rate=rate, layout="mono")
        stream.metadata.update(TAGS)
        size = stream.codec_context.frame_size or 1024
        for i in range(int(seconds * rate) // size):
            frame = av.AudioFrame(
                format=stream.codec_context.format.name, layout="mono", samples=size
            )
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.sample_rate, frame.pts = rate, i * size
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return buffer.getvalue()


def _tags(data: bytes) -> dict[str, str]:
    with av.open(io.BytesIO(data)) as container:
        tags = {k.lower(): v for k, v in container.metadata.items()}
        for stream in container.streams:
            tags.update({f"{stream.type}:{k.lower()}": v for k, v in stream.metadata.items()})
    return tags


def _leaks(data: bytes) -> list[str]:
    tags = _tags(data)
    private = ("title", "artist", "comment", "location")
    return [k for k, v in tags.items() if any(p in k for p in private) or "Dana" in v] + [
        s.decode() for s in SECRETS if s in data
    ]


def _decoded_seconds(data: bytes) -> float:
    with av.open(io.BytesIO(data)) as container:
        return sum(f.samples / f.sample_rate for f in container.decode(audio=0))


def _post(client, data: bytes, name: str, prompt: Prompt | None = None, transcript: str = ""):
    prompt = prompt or Prompt.objects.first()
    return client.post(
        VOICE,
        {
            "prompt": prompt.pk,
            "transcript": transcript,
            "file": SimpleUploadedFile(name, data, "application/octet-stream"),
        },
    )


@pytest.mark.parametrize("extension", list(FORMATS))
def test_uploaded_recording_is_stored_without_tags_and_pending(member_client, extension):
    original = tagged_audio(extension)
    assert _leaks(original), "the test file must carry the tags it looks for"

    response = _post(member_client, original, f"memo.{extension}")

    assert response.status_code == 302, response.content.decode()[:2000]
    voice = VoicePrompt.objects.get(member=member_client.member)
    assert not voice.is_approved
    assert voice.file.name.startswith(f"videos/voice/{member_client.member.pk}/")
    assert voice.file.name.endswith(f".{extension}")
    with voice.file.open("rb") as handle:
        stored = handle.read()
    assert _leaks(stored) == []
    # The sound is the same length: a stream copy, not a cut.
    assert _decoded_seconds(stored) == pytest.approx(_decoded_seconds(original), abs=0.1)
    assert voice.duration == 2


def test_a_recording_longer_than_30_seconds_is_refused(member_client):
    response = _post(member_client, tagged_audio("wav", seconds=32), "long.wav")
    assert response.status_code == 422
    assert "too long" in response.content.decode()
    assert not VoicePrompt.objects.exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"ID3\x03\x00\x00\x00not really an mp3 at all" * 20, "fake.mp3"), (b"hello", "a.wav")],
)
def test_a_file_that_does_not_decode_as_audio_is_refused(member_client, data, name):
    response = _post(member_client, data, name)
    assert response.status_code == 415
    assert not VoicePrompt.objects.exists()


def test_a_video_file_is_not_a_voice_prompt(member_client):
    from tests.storage.test_video_metadata_removed import _tagged_video

    response = _post(member_client, _tagged_video("mp4"), "clip.m4a")
    assert response.status_code == 415


def test_staff_approve_it_then_others_hear_it_with_its_transcript(member_client, client):
    owner: Member = member_client.member
    prompt = Prompt.objects.get(slug="perfect-saturday")
    _post(member_client, tagged_audio("webm"), "rec.webm", prompt, transcript="Sea, then hummus")
    voice = VoicePrompt.objects.get(member=owner)
    viewer = MemberFactory()
    profile = reverse("profiles:member_detail", args=[owner.user_id])

    client.force_login(viewer.user)
    client.cookies["django_language"] = "en"
    assert voice.url.encode() not in client.get(profile).content  # pending: not shown
    assert client.get(voice.url).status_code == 404  # nor served

    staff = MemberFactory(user__is_staff=True)
    client.force_login(staff.user)
    queue = client.get("/moderation/").content.decode()
    assert f"voice:{voice.pk}" in queue
    assert voice.url in queue
    assert client.post(ACT, {"one": f"approve|voice:{voice.pk}"}).status_code == 302
    voice.refresh_from_db()
    assert voice.is_approved

    client.force_login(viewer.user)
    page = client.get(profile).content.decode()
    assert f'src="{voice.url}"' in page
    assert 'aria-label="Play the voice answer to “A perfect Saturday”"' in page
    assert "Sea, then hummus" in page
    assert client.get(voice.url).status_code == 200


def test_owner_edits_the_transcript_and_deletes_the_recording(
    member_client, client, django_capture_on_commit_callbacks
):
    _post(member_client, tagged_audio("ogg"), "rec.ogg")
    voice = VoicePrompt.objects.get(member=member_client.member)
    url = reverse("profiles:voice_transcript", args=[voice.pk])
    assert member_client.post(url, {"transcript": "Hi!"}).status_code == 302
    voice.refresh_from_db()
    assert voice.transcript == "Hi!"
    assert member_client.post(url, {"transcript": "x" * 501}).status_code == 400

    other = MemberFactory()
    client.force_login(other.user)
    assert client.post(reverse("profiles:voice_delete", args=[voice.pk])).status_code == 404

    member_client.force_login(member_client.member.user)
    storage, name = voice.file.storage, voice.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("profiles:voice_delete", args=[voice.pk]))
    assert response.status_code == 302
    assert not VoicePrompt.objects.exists()
    assert not storage.exists(name)


def test_account_deletion_removes_the_audio_file(member, django_capture_on_commit_callbacks):
    from profiles import voice_services

    upload = SimpleUploadedFile("v.wav", tagged_audio("wav"), "audio/wav")
    voice = voice_services.voice_add(member=member, prompt=Prompt.objects.first(), upload=upload)
    storage, name = voice.file.storage, voice.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        member.user.delete()
    assert not storage.exists(name)


def test_the_approved_recording_plays_on_the_deck_card_and_the_log_says_so(client):
    from profiles import voice_services
    from safety.moderation.selectors import moderation_log_rows
    from safety.moderation.services import Item, Kind, moderation_apply
    from tests.matching.factories import viewer_member

    me = viewer_member()
    other = MemberFactory(name="Singer")
    upload = SimpleUploadedFile("v.mp3", tagged_audio("mp3"), "audio/mpeg")
    voice = voice_services.voice_add(member=other, prompt=Prompt.objects.first(), upload=upload)
    staff = MemberFactory(user__is_staff=True)
    moderation_apply(
        moderator=staff.user, action="approve", items=[Item(kind=Kind.VOICE, id=voice.pk)]
    )
    client.force_login(me.user)
    client.cookies["django_language"] = "en"
    html = client.get("/discover/", {"first": other.user_id, "distance": "any"}).content.decode()
    assert f'src="{voice.url}"' in html
    assert "Voice prompt approved" in [row.what for row in moderation_log_rows()]
