"""Incognito (premium) "my views are not recorded" (issue 16, rules §7) holds for stories too:
watching a story records no view, so the owner's viewer list does not name an incognito
member who never liked them. When premium lapses views count again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stories import services
from stories.models import StoryView
from tests.factories import MemberFactory
from tests.stories.factories import StoryFactory, make_premium

pytestmark = pytest.mark.django_db


def test_an_incognito_member_watching_a_story_is_not_recorded(client):
    story = StoryFactory()
    watcher = MemberFactory().user
    make_premium(watcher)
    watcher.incognito = True
    watcher.save(update_fields=["incognito"])

    assert services.story_view_record(viewer=watcher, story_id=story.pk) is False
    client.force_login(watcher)
    client.post(f"/stories/{story.pk}/view/")
    assert not StoryView.objects.filter(viewer=watcher).exists()

    watcher.premium_until = timezone.now() - timedelta(minutes=1)  # premium lapsed
    watcher.save(update_fields=["premium_until"])
    assert services.story_view_record(viewer=watcher, story_id=story.pk) is True
