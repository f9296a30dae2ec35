"""The members list's capped count is kept a minute per viewer and filters (issue 20,
``matching.selectors.discovery._capped_count``): the next page view skips the COUNT query, and
other filters are counted on their own."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _counts(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    capped = 'SELECT COUNT(*) FROM (SELECT "profiles_member"."id"'  # the list's capped count
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(capped)]


def test_the_capped_count_is_kept_per_viewer_and_filters(client, settings):
    settings.DISCOVER_COUNT_CACHE_SECONDS = 60
    cache.clear()
    viewer = MemberFactory()
    for _ in range(3):
        MemberFactory()
    client.force_login(viewer.user)
    client.get("/members/")  # last-active write and the like out of the way

    cache.clear()
    # (the page may count twice: its area, and without the distance for "widen your search")
    assert _counts(client, "/members/?age_max=60")
    assert _counts(client, "/members/?age_max=60") == []  # kept
    assert _counts(client, "/members/?age_max=59")  # other filters: counted

    other = MemberFactory()
    client.force_login(other.user)
    assert _counts(client, "/members/?age_max=60")  # another viewer: counted


def test_off_counts_every_time(client, settings):
    settings.DISCOVER_COUNT_CACHE_SECONDS = 0
    viewer = MemberFactory()
    client.force_login(viewer.user)
    client.get("/members/")
    first = _counts(client, "/members/")
    assert first
    assert len(_counts(client, "/members/")) == len(first)
