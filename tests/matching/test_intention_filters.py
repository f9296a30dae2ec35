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


def _family():
    MemberFactory(name="wants-tall", children_want="want", height_cm=185, smoking="never")
    MemberFactory(name="wants-short", children_want="want", height_cm=160, smoking="often")
    MemberFactory(name="no-kids", children_want="no", children_have="yes", height_cm=175)
    MemberFactory(
        name="hides-plans", children_want="want", height_cm=180, details_hidden=["children_want"]
    )
    MemberFactory(name="unsaid")


def _premium(me):
    me.user.premium_until = timezone.now() + timedelta(days=3)
    me.user.save()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (DiscoverFilters(children_want=("want",), distance_km=None), ["wants-short", "wants-tall"]),
        (DiscoverFilters(children_have=("yes",), distance_km=None), ["no-kids"]),
        (DiscoverFilters(smoking=("never",), distance_km=None), ["wants-tall"]),
        (
            DiscoverFilters(height_min=170, height_max=182, distance_km=None),
            ["hides-plans", "no-kids"],
        ),
        (DiscoverFilters(height_min=181, distance_km=None), ["wants-tall"]),
    ],
)
def test_children_smoking_and_height_filters_return_exactly_those_members(filters, expected):
    me = viewer_member()
    _family()
    assert len(names(discover(me, filters))) == 5  # premium only: ignored for free members
    _premium(me)
    assert sorted(names(discover(me, filters))) == expected


def test_a_hidden_detail_never_matches_a_filter():
    me = viewer_member()
    MemberFactory(name="shows", intention="long_term")
    MemberFactory(name="hides", intention="long_term", details_hidden=["intention"])
    page = discover(me, DiscoverFilters(intentions=("long_term",), distance_km=None))
    assert names(page) == ["shows"]


def test_members_page_and_deck_keep_the_premium_detail_filters(client):
    me = viewer_member()
    _premium(me)
    _family()
    client.force_login(me.user)
    query = {"children_want": "want", "height_min": "170", "distance": "any"}
    body = client.get("/members/", query).content.decode()
    assert "wants-tall" in body
    assert "wants-short" not in body
    assert "hides-plans" not in body
    assert 'name="children_want" value="want" checked' in body
    assert 'name="height_min" min="120" max="230" inputmode="numeric" value="170"' in body
    assert "children_want=want" in body
    assert "height_min=170" in body
