"""The strip (rules §10): own first, then unviewed, then the rest; bounded queries; the page
markup and viewer data never carry the raw media URL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stories.models import StoryView
from stories.selectors import stories_strip
from tests.factories import MemberFactory
from tests.stories.factories import StoryFactory, make_match, make_premium

pytestmark = pytest.mark.django_db


def test_strip_order_own_first_then_unviewed_then_viewed_newest_first():
    me = MemberFactory().user
    now = timezone.now()
    seen_recent = StoryFactory(created_at=now - timedelta(minutes=5))
    unseen_old = StoryFactory(created_at=now - timedelta(hours=5))
    unseen_new = StoryFactory(created_at=now - timedelta(hours=1))
    seen_old = StoryFactory(created_at=now - timedelta(hours=8))
    mine = StoryFactory(user=me, created_at=now - timedelta(hours=10))
    StoryView.objects.create(story=seen_recent, viewer=me)
    StoryView.objects.create(story=seen_old, viewer=me)

    groups = stories_strip(viewer=me)

    assert [g.user_id for g in groups] == [
        mine.user_id,
        unseen_new.user_id,
        unseen_old.user_id,
        seen_recent.user_id,
        seen_old.user_id,
    ]
    assert groups[0].is_own
    assert [g.has_unviewed for g in groups] == [False, True, True, False, False]


def test_strip_groups_stories_per_member_oldest_first_and_partly_viewed_counts_as_unviewed():
    me = MemberFactory().user
    author = MemberFactory().user
    make_premium(author)
    now = timezone.now()
    first = StoryFactory(user=author, created_at=now - timedelta(hours=3))
    second = StoryFactory(user=author, created_at=now - timedelta(hours=1))
    StoryView.objects.create(story=first, viewer=me)

    (group,) = stories_strip(viewer=me)
    assert [s.pk for s in group.stories] == [first.pk, second.pk]
    assert [s.viewed for s in group.stories] == [True, False]
    assert group.has_unviewed


def test_strip_query_count_does_not_grow_with_stories():
    me = MemberFactory().user
    StoryFactory(user=me)
    for _ in range(3):
        StoryFactory()
    with CaptureQueriesContext(connection) as small:
        stories_strip(viewer=me)
    for _ in range(12):
        other = StoryFactory()
        make_match(me, other.user)
    with CaptureQueriesContext(connection) as big:
        groups = stories_strip(viewer=me)
    assert len(groups) == 16
    assert len(big.captured_queries) == len(small.captured_queries) <= 3


def test_strip_partial_renders_bubbles_and_viewer_data_without_media_urls():
    me = MemberFactory().user
    story = StoryFactory(text_overlay="<script>alert(1)</script>")
    request = RequestFactory().get("/members/")
    request.user = me
    html = render_to_string("stories/_strip.html", {"request": request})
    assert 'data-story-group="0"' in html
    assert "<script>alert(1)</script>" not in html  # escaped in the JSON
    payload = html.split('id="stories-data" type="application/json">')[1].split("</script>")[0]
    data = json.loads(payload)
    assert data["groups"][0]["stories"][0]["image_url"] == reverse("stories:image", args=[story.pk])
    assert "/media/" not in html


def test_strip_partial_is_empty_for_anonymous():
    from django.contrib.auth.models import AnonymousUser

    StoryFactory()
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert render_to_string("stories/_strip.html", {"request": request}).strip() == ""
