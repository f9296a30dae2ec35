"""Members-list filters by dating intention (free) and religious outlook (premium, like the
interests filter) return exactly the matching members (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.selectors.discovery import DiscoverFilters
from tests.factories import MemberFactory
from tests.matching.factories import viewer_member
from tests.matching.test_discover import discover, names

pytestmark = pytest.mark.django_db


def _people():
    MemberFactory(name="long-secular", intention="long_term", observance="secular")
    MemberFactory(name="long-religious", intention="long_term", observance="religious")
    MemberFactory(name="fun-secular", intention="short_fun", observance="secular")
    MemberFactory(name="unsaid")


def test_intention_filter_returns_exactly_those_members_for_everyone():
    me = viewer_member()
    _people()
    page = discover(me, DiscoverFilters(intentions=("long_term",), distance_km=None))
    assert sorted(names(page)) == ["long-religious", "long-secular"]
    page = discover(me, DiscoverFilters(intentions=("long_term", "short_fun"), distance_km=None))
    assert sorted(names(page)) == ["fun-secular", "long-religious", "long-secular"]


def test_observance_filter_is_premium_only():
    me = viewer_member()
    _people()
    filters = DiscoverFilters(observances=("secular",), distance_km=None)
    free = discover(me, filters)
    assert len(names(free)) == 4
    me.user.premium_until = timezone.now() + timedelta(days=3)
    me.user.save()
    premium = discover(me, filters)
    assert sorted(names(premium)) == ["fun-secular", "long-secular"]


def test_members_page_parses_and_keeps_the_filters(client):
    me = viewer_member()
    _people()
    client.force_login(me.user)
    body = client.get(
        "/members/", {"intention": "short_fun,nonsense", "distance": "any"}
    ).content.decode()
    assert "fun-secular" in body
    assert "long-secular" not in body
    assert 'name="intention" value="short_fun" checked' in body
    assert "Filtering by religious outlook is a premium feature." in body
