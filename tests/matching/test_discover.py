"""Members list: filters, orders, distance, paging (rules §5). Run on PostgreSQL in CI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching.models import Block
from matching.selectors.discovery import (
    COUNT_CAP,
    DiscoverFilters,
    InvalidCursor,
    members_discover,
)
from miel.geo import bounding_boxes
from profiles.models import Interest, age_on
from tests.factories import MemberFactory
from tests.matching.factories import member_at, viewer_member

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
ALL = DiscoverFilters(genders=(), age_min=18, age_max=100, distance_km=None)


def names(page) -> list[str]:
    return [c.member.name for c in page.cards]


def discover(viewer, filters=ALL, **kwargs):
    return members_discover(viewer=viewer.user, filters=filters, viewer_member=viewer, **kwargs)


def all_pages(viewer, filters, page_size=3):
    seen, cursor = [], None
    while True:
        page = discover(viewer, filters, cursor=cursor, page_size=page_size)
        seen.extend(c.member.name for c in page.cards)
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


def test_excludes_viewer_incomplete_and_blocked_both_ways():
    me = viewer_member(name="me")
    member_at(32.08, 34.78, name="visible")
    hidden_incomplete = member_at(32.08, 34.78, name="incomplete")
    hidden_incomplete.user.profile_complete = False
    hidden_incomplete.user.save()
    i_blocked = member_at(32.08, 34.78, name="i-blocked")
    blocked_me = member_at(32.08, 34.78, name="blocked-me")
    Block.objects.create(blocker=me.user, blocked=i_blocked.user)
    Block.objects.create(blocker=blocked_me.user, blocked=me.user)

    assert names(discover(me)) == ["visible"]


def test_gender_filter_takes_a_list():
    me = viewer_member()
    MemberFactory(name="f", gender="female")
    MemberFactory(name="m", gender="male")
    MemberFactory(name="o", gender="other")

    page = discover(me, DiscoverFilters(genders=("male", "other"), distance_km=None))

    assert sorted(names(page)) == ["m", "o"]


@pytest.mark.parametrize(
    ("today", "included"),
    [(date(2022, 2, 28), False), (date(2022, 3, 1), True)],
)
def test_age_filter_agrees_with_display_for_29_february(today, included):
    me = viewer_member()
    leapling = MemberFactory(name="leap", date_of_birth=date(2004, 2, 29))
    with time_machine.travel(datetime(today.year, today.month, today.day, 12, tzinfo=UTC)):
        page = discover(me, DiscoverFilters(age_min=18, age_max=18, distance_km=None))
        assert age_on(leapling.date_of_birth, timezone.localdate()) == (18 if included else 17)
    assert (names(page) == ["leap"]) is included
    if included:
        assert page.cards[0].age == 18


def test_age_range_bounds_are_inclusive():
    me = viewer_member()
    with time_machine.travel(NOW):
        MemberFactory(name="25", date_of_birth=date(2000, 6, 15))  # 25 today
        MemberFactory(name="24", date_of_birth=date(2000, 6, 16))  # 24 until tomorrow
        MemberFactory(name="31", date_of_birth=date(1994, 1, 1))
        page = discover(me, DiscoverFilters(age_min=25, age_max=30, distance_km=None))
    assert names(page) == ["25"]


def test_with_photo_and_online_filters():
    me = viewer_member()
    with time_machine.travel(NOW, tick=False):
        MemberFactory(name="photo-online", image="/media/a.jpg", last_active_at=NOW)
        MemberFactory(
            name="photo-away", image="/media/b.jpg", last_active_at=NOW - timedelta(minutes=16)
        )
        MemberFactory(name="nophoto-online", image="", last_active_at=NOW - timedelta(minutes=14))
        photo = discover(me, DiscoverFilters(with_photo=True, distance_km=None))
        online = discover(me, DiscoverFilters(online=True, distance_km=None))
    assert sorted(names(photo)) == ["photo-away", "photo-online"]
    assert sorted(names(online)) == ["nophoto-online", "photo-online"]
    assert {c.member.name: c.is_online for c in online.cards}["photo-online"] is True


def test_interests_filter_is_premium_only():
    me = viewer_member()
    hiking, cooking = Interest.objects.all()[:2]
    a = MemberFactory(name="hiker")
    a.interests.add(hiking)
    b = MemberFactory(name="cook")
    b.interests.add(cooking)
    filters = DiscoverFilters(interest_ids=(hiking.pk,), distance_km=None)

    free = discover(me, filters)
    me.user.premium_until = timezone.now() + timedelta(days=3)
    me.user.save()
    premium = discover(me, filters)

    assert sorted(names(free)) == ["cook", "hiker"]
    assert free.interests_allowed is False
    assert names(premium) == ["hiker"]


def test_order_active_newest_and_distance():
    me = viewer_member(latitude=32.0, longitude=34.8)
    with time_machine.travel(NOW, tick=False):
        member_at(
            32.3, 34.8, name="far-new-idle", created=NOW, last_active_at=NOW - timedelta(hours=5)
        )
        member_at(
            32.1, 34.8, name="mid-old-active", created=NOW - timedelta(days=9), last_active_at=NOW
        )
        member_at(
            32.0,
            34.8,
            name="near-mid",
            created=NOW - timedelta(days=1),
            last_active_at=NOW - timedelta(hours=1),
        )
        active = discover(me, DiscoverFilters(order="active", distance_km=None))
        newest = discover(me, DiscoverFilters(order="newest", distance_km=None))
        nearest = discover(me, DiscoverFilters(order="distance", distance_km=None))
    assert names(active) == ["mid-old-active", "near-mid", "far-new-idle"]
    assert names(newest) == ["far-new-idle", "near-mid", "mid-old-active"]
    assert names(nearest) == ["near-mid", "mid-old-active", "far-new-idle"]
    # Between ~2 km grid cells (miel.geo): 12.0 and 34.0 km.
    assert [c.distance_label for c in nearest.cards] == ["less than 1 km", "12 km", "34 km"]


def test_boosted_members_rank_first_in_every_order():
    me = viewer_member(latitude=32.0, longitude=34.8)
    with time_machine.travel(NOW, tick=False):
        member_at(32.0, 34.8, name="plain", last_active_at=NOW, created=NOW)
        member_at(
            32.4,
            34.8,
            name="boosted",
            last_active_at=NOW - timedelta(days=3),
            created=NOW - timedelta(days=30),
            boosted_until=NOW + timedelta(hours=2),
        )
        member_at(
            32.0,
            34.8,
            name="expired-boost",
            last_active_at=NOW - timedelta(days=1),
            created=NOW - timedelta(days=1),
            boosted_until=NOW - timedelta(minutes=1),
        )
        for order in ("active", "newest", "distance"):
            page = discover(me, DiscoverFilters(order=order, distance_km=None))
            assert names(page)[0] == "boosted", order
            assert names(page)[-1] == "expired-boost" or order != "active"
            assert page.cards[0].is_boosted


def test_distance_filter_defaults_and_excludes_members_without_location():
    me = viewer_member(latitude=32.08, longitude=34.78)
    member_at(32.08, 34.78, name="here")
    member_at(32.5, 34.78, name="47km")
    member_at(33.0, 34.78, name="102km")
    member_at(None, None, name="nowhere")

    within_50 = discover(me, DiscoverFilters(distance_km=50))
    no_limit = discover(me, DiscoverFilters(distance_km=None, order="distance"))

    assert sorted(names(within_50)) == ["47km", "here"]
    # Without a limit the member without a location is listed, last, and never as "0 km".
    assert names(no_limit) == ["here", "47km", "102km", "nowhere"]
    assert no_limit.cards[-1].distance_km is None
    assert no_limit.cards[-1].distance_label == ""


def test_identical_coordinates_give_zero_km_not_an_error():
    me = viewer_member(latitude=48.8566, longitude=2.3522)
    member_at(48.8566, 2.3522, name="twin")

    page = discover(me, DiscoverFilters(distance_km=1, order="distance"))

    assert names(page) == ["twin"]
    assert page.cards[0].distance_km == pytest.approx(0.0, abs=1e-6)
    assert page.cards[0].distance_label == "less than 1 km"


def test_pair_across_the_180th_meridian_find_each_other():
    west = viewer_member(name="west", latitude=-16.8, longitude=179.95)
    east = viewer_member(name="east", latitude=-16.8, longitude=-179.85)

    from_west = discover(west, DiscoverFilters(distance_km=25))
    from_east = discover(east, DiscoverFilters(distance_km=25))
    too_far = discover(west, DiscoverFilters(distance_km=19))

    assert names(from_west) == ["east"]
    assert names(from_east) == ["west"]
    assert from_west.cards[0].distance_km == pytest.approx(20.0, abs=0.2)  # cell to cell
    assert from_west.cards[0].distance_label == "20 km"
    assert names(too_far) == []


def test_near_the_pole_every_longitude_is_searched():
    me = viewer_member(latitude=89.9, longitude=0.0)
    member_at(89.9, 180.0, name="other-side")  # ~22 km across the pole

    page = discover(me, DiscoverFilters(distance_km=30))

    assert names(page) == ["other-side"]
    assert page.cards[0].distance_km == pytest.approx(22.2, abs=0.5)


def test_bounding_box_splits_at_the_meridian_and_opens_at_the_pole():
    (_lat, lons) = bounding_boxes(latitude=-16.8, longitude=179.95, km=25)
    assert lons is not None
    assert len(lons) == 2
    assert lons[0][1] == 180.0
    assert lons[1][0] == -180.0
    assert bounding_boxes(latitude=89.9, longitude=0, km=30)[1] is None


@pytest.mark.parametrize("order", ["active", "newest", "distance"])
def test_paging_25_members_with_equal_keys_returns_each_exactly_once(order):
    me = viewer_member(latitude=32.08, longitude=34.78)
    with time_machine.travel(NOW, tick=False):
        for i in range(25):
            member_at(32.08, 34.78, name=f"m{i:02d}", created=NOW, last_active_at=NOW)
        member_at(32.08, 34.78, name="boosted", boosted_until=NOW + timedelta(hours=1))
        seen = all_pages(me, DiscoverFilters(order=order, distance_km=50), page_size=3)
    assert seen[0] == "boosted"
    assert sorted(seen[1:]) == [f"m{i:02d}" for i in range(25)]
    assert len(seen) == 26


def test_showing_counts_and_cursor_positions():
    me = viewer_member()
    for _ in range(7):
        MemberFactory()
    first = discover(me, page_size=6)
    second = discover(me, cursor=first.next_cursor, page_size=6)
    assert (first.first_index, first.last_index, first.total) == (1, 6, 7)
    assert (second.first_index, second.last_index, second.next_cursor) == (7, 7, None)


def test_count_is_capped(settings):
    import matching.selectors.discovery as sel

    me = viewer_member()
    for _ in range(5):
        MemberFactory()
    original = sel.COUNT_CAP
    sel.COUNT_CAP = 3
    try:
        page = discover(me, page_size=3)
    finally:
        sel.COUNT_CAP = original
    assert page.total == 4
    assert page.total_is_capped
    assert COUNT_CAP == 1000


def test_tampered_cursor_is_rejected():
    me = viewer_member()
    with pytest.raises(InvalidCursor):
        discover(me, cursor="not-a-cursor")


def test_members_page_renders_cards_without_anyones_coordinates(client):
    me = viewer_member(latitude=32.0853, longitude=34.7818)
    member_at(31.7683, 35.2137, name="Dana", image="/media/dana.jpg")
    client.force_login(me.user)

    response = client.get("/members/?distance=any&order=distance")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Dana" in html
    for digits in ("31.76", "35.21", "32.08", "34.78", "31,76", "35,21"):
        assert digits not in html


def test_members_page_without_location_offers_to_set_one(client):
    me = viewer_member(latitude=None, longitude=None)
    client.force_login(me.user)
    response = client.get("/members/")
    assert response.status_code == 200
    assert b"data-geolocate" in response.content
    assert b'id="city-search"' in response.content


def test_load_more_with_htmx_returns_next_cards_and_rel_next_link(client):
    me = viewer_member()
    for i in range(5):
        MemberFactory(name=f"p{i}")
    client.force_login(me.user)
    first = client.get("/members/?size=3&distance=any")
    assert b'rel="next"' in first.content
    next_url = first.context["next_url"]

    more = client.get("/members/" + next_url, headers={"HX-Request": "true"})

    assert more.status_code == 200
    assert more.content.count(b'class="member-card') == 2
    assert b"<html" not in more.content


def test_bad_cursor_in_url_gives_400(client):
    me = viewer_member()
    client.force_login(me.user)
    assert client.get("/members/?cursor=abc").status_code == 400


@pytest.mark.parametrize("path", ["/members/?distance=any&size={n}", "/lists/?type=source"])
def test_query_count_does_not_grow_with_cards(client, path):
    from matching.models import Like

    me = viewer_member()
    client.force_login(me.user)
    others = [MemberFactory() for _ in range(15)]

    def count(n: int) -> int:
        Like.objects.filter(source=me).delete()
        for other in others[:n]:
            Like.objects.create(source=me, target=other)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path.format(n=n))
        assert response.status_code == 200
        return len(ctx)

    client.get("/members/")  # warm up session / last-active writes
    assert count(3) == count(12)


def test_distance_field_left_empty_means_any_distance_and_shows_no_english_word(client):
    """The filter panel's distance field: empty means any distance (it used to ask Hebrew
    members to type the English word "any"); a missing parameter is the member's maximum."""
    from django.http import QueryDict

    from matching.forms import discover_filters_from_query

    me = viewer_member(latitude=32.08, longitude=34.78)
    me.max_distance = 25
    me.save(update_fields=["max_distance"])

    def distance(qs: str):
        filters, _size = discover_filters_from_query(QueryDict(qs), user=me.user, member=me)
        return filters.distance_km

    assert distance("distance=") is None
    assert distance("distance=any") is None
    assert distance("distance=40") == 40
    assert distance("") == 25
    client.force_login(me.user)
    page = client.get("/members/?distance=any&filters=open").content.decode()
    # A select whose "any" choice has a translated label (nothing to type).
    assert '<option value="any" selected>' in page
    assert "“any”" not in page
