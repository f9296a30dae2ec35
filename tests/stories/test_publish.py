"""Posting a story: validation, EXIF removal and the daily limit (rules §10)."""

from __future__ import annotations

import io
import threading
from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stories.models import Story
from stories.services import StoryError, StoryLimitReached, story_publish
from tests.factories import MemberFactory, image_upload
from tests.stories.factories import make_match, make_premium

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), "blue")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif.get_ifd(0x8825)[1] = "N"  # GPS IFD: latitude ref
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(buf.getvalue())).getexif()  # the input really has EXIF
    return SimpleUploadedFile("me.jpg", buf.getvalue(), content_type="image/jpeg")


def test_story_publish_stores_reencoded_photo_without_exif():
    member = MemberFactory()

    story = story_publish(
        user=member.user,
        upload=_jpeg_with_gps(),
        text_overlay="  Hello from the beach ",
        text_x=0.2,
        text_y=0.8,
        filter="warm",
        privacy=Story.Privacy.PRIVATE,
    )

    story.refresh_from_db()
    assert story.text_overlay == "Hello from the beach"
    assert (story.text_x, story.text_y) == (0.2, 0.8)
    assert story.filter == "warm"
    assert story.privacy == "PRIVATE"
    assert (story.expires_at - story.created_at).total_seconds() == 24 * 3600
    with story.image.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert stored.format == "JPEG"
        assert stored.size == (40, 30)
        assert not stored.getexif()


def test_story_publish_text_without_position_is_centred_and_no_text_has_no_position():
    member = MemberFactory()
    make_premium(member.user)
    with_text = story_publish(user=member.user, upload=image_upload(), text_overlay="Hi")
    without = story_publish(user=member.user, upload=image_upload(), text_x=0.1, text_y=0.1)
    assert (with_text.text_x, with_text.text_y) == (0.5, 0.5)
    assert (without.text_x, without.text_y) == (None, None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text_overlay": "x" * 101}, "at most 100"),
        ({"text_overlay": "hi", "text_x": 1.5}, "between 0 and 1"),
        ({"text_overlay": "hi", "text_y": -0.1}, "between 0 and 1"),
        ({"text_overlay": "hi", "text_x": float("nan")}, "between 0 and 1"),
        ({"filter": "sparkles"}, "Unknown filter"),
        ({"privacy": "FRIENDS"}, "who can see"),
    ],
)
def test_story_publish_rejects_bad_input(kwargs, message):
    member = MemberFactory()
    with pytest.raises(StoryError, match=message) as exc:
        story_publish(user=member.user, upload=image_upload(), **kwargs)
    assert exc.value.status == 400
    assert not Story.objects.exists()


def test_story_publish_accepts_exactly_100_characters():
    member = MemberFactory()
    story = story_publish(user=member.user, upload=image_upload(), text_overlay="é" * 100)
    assert len(story.text_overlay) == 100


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg"),
        SimpleUploadedFile(
            "x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"
        ),
    ],
)
def test_story_publish_rejects_non_photos(upload):
    member = MemberFactory()
    with pytest.raises(StoryError):
        story_publish(user=member.user, upload=upload)
    assert not Story.objects.exists()


def test_story_publish_rejects_decompression_bomb(settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100
    member = MemberFactory()
    with pytest.raises(StoryError) as exc:
        story_publish(user=member.user, upload=image_upload(size=(200, 200)))
    assert exc.value.status == 400


# --- daily limit ------------------------------------------------------------------------------


def _at(y, mo, d, h, mi, tz="UTC"):
    from zoneinfo import ZoneInfo

    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz))


def test_free_member_second_story_same_local_day_refused_next_local_day_allowed():
    member = MemberFactory(user__time_zone="America/New_York")
    user = member.user
    # 23:30 in New York on 10 March = 03:30 UTC on 11 March.
    with time_machine.travel(_at(2026, 3, 10, 23, 30, "America/New_York"), tick=False):
        story_publish(user=user, upload=image_upload())
    # 23:50 New York: the UTC date changed, the member's calendar day did not.
    with (
        time_machine.travel(_at(2026, 3, 10, 23, 50, "America/New_York"), tick=False),
        pytest.raises(StoryLimitReached) as exc,
    ):
        story_publish(user=user, upload=image_upload())
    assert exc.value.status == 429
    assert "one story a day" in exc.value.message
    # 00:05 the next local day: allowed again.
    with time_machine.travel(_at(2026, 3, 11, 0, 5, "America/New_York"), tick=False):
        story_publish(user=user, upload=image_upload())
    assert Story.objects.filter(user=user).count() == 2


def test_daily_limit_uses_the_members_own_time_zone_not_utc():
    # 23:30 UTC on 1 June is already 2 June 02:30 in Jerusalem (UTC+3).
    member = MemberFactory(user__time_zone="Asia/Jerusalem")
    with time_machine.travel(_at(2026, 6, 1, 20, 0), tick=False):  # 23:00 Jerusalem, 1 June
        story_publish(user=member.user, upload=image_upload())
    with time_machine.travel(_at(2026, 6, 1, 21, 30), tick=False):  # 00:30 Jerusalem, 2 June
        story_publish(user=member.user, upload=image_upload())
    assert Story.objects.filter(user=member.user).count() == 2


def test_deleting_todays_story_does_not_reset_the_free_limit():
    from stories.services import story_delete

    member = MemberFactory()
    story = story_publish(user=member.user, upload=image_upload())
    story_delete(owner=member.user, story_id=story.pk)
    with pytest.raises(StoryLimitReached):
        story_publish(user=member.user, upload=image_upload())


def test_premium_member_posts_unlimited_stories():
    member = MemberFactory()
    make_premium(member.user)
    for _ in range(4):
        story_publish(user=member.user, upload=image_upload())
    assert Story.objects.filter(user=member.user).count() == 4


def test_story_publish_notifies_matches_who_may_see_it(django_capture_on_commit_callbacks, pushes):
    owner = MemberFactory()
    free_match, premium_match, stranger = MemberFactory(), MemberFactory(), MemberFactory()
    make_match(owner.user, free_match.user)
    make_match(owner.user, premium_match.user)
    make_premium(premium_match.user)
    make_premium(owner.user)

    with django_capture_on_commit_callbacks(execute=True):
        public = story_publish(user=owner.user, upload=image_upload())
    with django_capture_on_commit_callbacks(execute=True):
        story_publish(user=owner.user, upload=image_upload(), privacy=Story.Privacy.PREMIUM)

    public_targets = {uid for uid, e in pushes if e["story_id"] == str(public.pk)}
    assert public_targets == {str(free_match.user.pk), str(premium_match.user.pk)}
    premium_targets = {uid for uid, e in pushes if e["story_id"] != str(public.pk)}
    assert premium_targets == {str(premium_match.user.pk)}
    assert all(e["type"] == "story.new" for _, e in pushes)
    assert str(stranger.user.pk) not in {uid for uid, _ in pushes}


@pytest.mark.django_db(transaction=True)
def test_concurrent_free_posts_only_one_passes(postgresql_only):
    member = MemberFactory()
    barrier = threading.Barrier(4)
    results: list[str] = []

    def post():
        from django.db import connection

        barrier.wait()
        try:
            story_publish(user=member.user, upload=image_upload())
            results.append("ok")
        except StoryLimitReached:
            results.append("limit")
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["limit", "limit", "limit", "ok"]
    assert Story.objects.filter(user=member.user).count() == 1


def test_compose_page_posts_story_then_refuses_second_free_story_with_429(client):
    member = MemberFactory()
    client.force_login(member.user)
    url = "/stories/new/"
    assert client.get(url).status_code == 200

    resp = client.post(
        url,
        {"photo": image_upload(), "text_overlay": "Hi", "filter": "mono", "privacy": "PUBLIC"},
    )
    assert resp.status_code == 302
    assert resp["Location"] == "/stories/mine/"
    story = Story.objects.get()
    assert story.filter == "mono"

    resp = client.post(url, {"photo": image_upload(), "privacy": "PUBLIC"})
    assert resp.status_code == 429
    assert "one story a day" in resp.content.decode()

    resp = client.post(
        url,
        {"photo": image_upload(), "privacy": "PUBLIC"},
        HTTP_ACCEPT="application/json",
    )
    assert resp.status_code == 429


def test_compose_page_rejects_a_non_image_with_400(client):
    member = MemberFactory()
    client.force_login(member.user)
    resp = client.post(
        "/stories/new/",
        {"photo": SimpleUploadedFile("x.jpg", b"nope"), "privacy": "PUBLIC"},
    )
    assert resp.status_code == 400
    assert not Story.objects.exists()


def test_compose_page_empty_preview_picks_the_photo(client):
    """On a phone the file field is below the tall preview: the empty preview itself is the
    label of the photo field, so tapping it opens the picker."""
    member = MemberFactory()
    client.force_login(member.user)
    page = client.get("/stories/new/").content.decode()
    assert 'for="id_photo" class="story-preview-empty" data-preview-empty' in page
    assert 'id="id_photo"' in page
