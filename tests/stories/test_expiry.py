"""Exactly 24 hours of visibility, with or without the cleanup job (rules §10)."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stories.models import Story
from stories.selectors import visible_stories
from stories.services import story_publish
from stories.tasks import expire_stories
from tests.factories import MemberFactory, image_upload

pytestmark = pytest.mark.django_db

JERUSALEM = ZoneInfo("Asia/Jerusalem")


def _visible_everywhere(story, viewer) -> bool:
    client = Client()
    client.force_login(viewer)
    json_ok = client.get(reverse("stories:detail", args=[story.pk]), {"format": "json"})
    image_ok = client.get(reverse("stories:image", args=[story.pk]))
    in_selector = visible_stories(viewer=viewer).filter(pk=story.pk).exists()
    assert (json_ok.status_code == 200) == (image_ok.status_code == 200) == in_selector
    return in_selector


def test_story_visible_at_23h59_hidden_at_24h01_without_any_job():
    owner, viewer = MemberFactory(), MemberFactory()
    start = datetime(2026, 5, 4, 10, 0, tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(start, tick=False):
        story = story_publish(user=owner.user, upload=image_upload())
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        assert _visible_everywhere(story, viewer.user)
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        assert not _visible_everywhere(story, viewer.user)
        story.refresh_from_db()
        assert story.is_active  # no job ran, yet it is hidden


def test_24_hours_are_real_hours_across_the_jerusalem_dst_change(settings):
    """Created Saturday 24 Oct 2026 12:00 IDT (UTC+3); DST ends Sunday 25 Oct 02:00 (clocks go
    back to 01:00, UTC+2). 24 real hours later is 25 Oct 11:00 local, not 12:00."""
    settings.TIME_ZONE = "Asia/Jerusalem"
    owner = MemberFactory(user__time_zone="Asia/Jerusalem")
    viewer = MemberFactory(user__time_zone="Asia/Jerusalem")
    created = datetime(2026, 10, 24, 12, 0, tzinfo=JERUSALEM)
    assert created.utcoffset() == timedelta(hours=3)
    with time_machine.travel(created, tick=False):
        story = story_publish(user=owner.user, upload=image_upload())
    assert story.expires_at == datetime(2026, 10, 25, 11, 0, tzinfo=JERUSALEM)
    assert story.expires_at.astimezone(JERUSALEM).utcoffset() == timedelta(hours=2)

    with time_machine.travel(datetime(2026, 10, 25, 10, 59, tzinfo=JERUSALEM), tick=False):
        assert _visible_everywhere(story, viewer.user)  # 23 h 59 min real time
    with time_machine.travel(datetime(2026, 10, 25, 11, 1, tzinfo=JERUSALEM), tick=False):
        assert not _visible_everywhere(story, viewer.user)  # 24 h 01 min
    # Same wall-clock time the next day is 25 real hours later: long gone.
    with time_machine.travel(datetime(2026, 10, 25, 11, 59, tzinfo=JERUSALEM), tick=False):
        assert not _visible_everywhere(story, viewer.user)


def test_free_daily_limit_across_the_dst_change_uses_the_local_calendar_day(settings):
    settings.TIME_ZONE = "Asia/Jerusalem"
    from stories.services import StoryLimitReached

    owner = MemberFactory(user__time_zone="Asia/Jerusalem")
    with time_machine.travel(datetime(2026, 10, 25, 0, 30, tzinfo=JERUSALEM), tick=False):
        story_publish(user=owner.user, upload=image_upload())
    # 25 Oct is 25 hours long in Jerusalem; 23:30 is still the same day.
    with (
        time_machine.travel(datetime(2026, 10, 25, 23, 30, tzinfo=JERUSALEM), tick=False),
        pytest.raises(StoryLimitReached),
    ):
        story_publish(user=owner.user, upload=image_upload())
    with time_machine.travel(datetime(2026, 10, 26, 0, 1, tzinfo=JERUSALEM), tick=False):
        story_publish(user=owner.user, upload=image_upload())


def _story_file_exists(story) -> bool:
    return story.image.storage.exists(story.image.name)


def test_expire_task_deactivates_expired_stories_and_deletes_their_media(
    django_capture_on_commit_callbacks,
):
    old_owner, new_owner = MemberFactory(), MemberFactory()
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=25), tick=False):
        old = story_publish(user=old_owner.user, upload=image_upload())
    fresh = story_publish(user=new_owner.user, upload=image_upload())
    old_name = old.image.name
    assert old.image.storage.exists(old_name)

    with django_capture_on_commit_callbacks(execute=True):
        assert expire_stories.delay().get() == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not old.is_active
    assert old.image.name == ""
    assert not fresh.image.storage.exists(old_name)
    assert fresh.is_active
    assert _story_file_exists(fresh)
    # Idempotent: a second run finds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_stories.delay().get() == 0


def test_expire_stories_command_dry_run_changes_nothing_then_real_run_expires(
    django_capture_on_commit_callbacks,
):
    owner = MemberFactory()
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        story = story_publish(user=owner.user, upload=image_upload())
    out = StringIO()
    call_command("expire_stories", "--dry-run", stdout=out)
    assert "1 expired stories would be deactivated" in out.getvalue()
    story.refresh_from_db()
    assert story.is_active
    assert _story_file_exists(story)

    out = StringIO()
    name = story.image.name
    storage = story.image.storage
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_stories", stdout=out)
    assert "Expired 1 stories" in out.getvalue()
    assert not Story.objects.get(pk=story.pk).is_active
    assert not storage.exists(name)
