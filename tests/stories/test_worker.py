"""The expiry job run by a real Celery worker (Redis broker, PostgreSQL) removes the media of
expired stories (rules §10). Skipped locally without PostgreSQL/Redis; fails in CI instead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stories.models import Story
from stories.tasks import expire_stories
from tests.celery_worker import celery_worker
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.integration


def test_real_worker_expires_stories_and_deletes_media(transactional_db, redis_url):
    now = timezone.now()
    expired = StoryFactory(
        created_at=now - timedelta(hours=25), expires_at=now - timedelta(hours=1)
    )
    live = StoryFactory()
    storage = expired.image.storage
    expired_name, live_name = expired.image.name, live.image.name
    assert storage.exists(expired_name)

    with celery_worker() as worker:
        result = expire_stories.delay()
        worker.wait_for(lambda: not Story.objects.get(pk=expired.pk).is_active)
        worker.wait_for(lambda: not storage.exists(expired_name))
        assert "stories.tasks.expire_stories" in worker.log()
        assert result.id

    assert Story.objects.get(pk=live.pk).is_active
    assert storage.exists(live_name)
