"""Location privacy (rules §5, issue 13 item 6): positions meet other members only as ~2 km grid
cells, so moving one's own location and probing the members list (distance filter, shown and
ordered distance) cannot locate anyone to better than 1 km; own location changes are limited
per hour; the members-list cursor carries no precise distance."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing

from matching.models import LocationChange
from matching.selectors.discovery import CURSOR_SALT, DiscoverFilters, members_discover
from miel.geo import haversine_km
from profiles.models import Member
from tests.matching.factories import member_at, viewer_member

pytestmark = pytest.mark.django_db

KM_PER_DEG_LAT = 111.195


def _offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    return (
        lat + north_km / KM_PER_DEG_LAT,
        lon + east_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat))),
    )


def _observe(attacker: Member, filters: DiscoverFilters) -> dict[str, object]:
    """Everything the list tells the attacker, every page: member -> precise distance the
    server computed (the strongest observation; the page shows less)."""
    seen: dict[str, object] = {}
    cursor = None
    while True:
        page = members_discover(
            viewer=attacker.user,
            filters=filters,
            viewer_member=attacker,
            cursor=cursor,
            page_size=12,
        )
        for card in page.cards:
            seen[card.member.name] = round(card.distance_km, 9)
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


# Centres of the old 0.01° cells: before the 2 km grid, the attacker pinned these people to
# within ~0.7 km.
@pytest.mark.parametrize("target", [(32.08, 34.78), (31.77, 35.21)])
def test_probing_from_many_own_positions_cannot_narrow_anyone_below_1_km(target):
    lat, lon = target
    member_at(lat, lon, name="target")
    # Places the target could be instead, 1.0 and 1.2 km away in 16 directions.
    candidates = {}
    for i in range(16):
        angle = 2 * math.pi * i / 16
        for radius in (1.0, 1.2):
            name = f"c{i}-{radius}"
            point = _offset(lat, lon, radius * math.cos(angle), radius * math.sin(angle))
            member_at(*point, name=name)
            candidates[name] = point
    attacker = viewer_member(name="attacker", latitude=lat, longitude=lon)

    # The attacker walks a 5 x 5 lattice of own positions (1.5 km apart) around the target and,
    # from each, reads the list ordered by distance and probes the distance filter at 1-3 km.
    observations: dict[str, list[object]] = {}
    steps = (-3.0, -1.5, 0.0, 1.5, 3.0)
    for north in steps:
        for east in steps:
            attacker.latitude, attacker.longitude = _offset(lat, lon, north, east)
            Member.objects.filter(pk=attacker.pk).update(
                latitude=attacker.latitude, longitude=attacker.longitude
            )
            probes = [_observe(attacker, DiscoverFilters(order="distance", distance_km=None))]
            probes += [
                _observe(attacker, DiscoverFilters(order="distance", distance_km=km))
                for km in (1, 2, 3)
            ]
            for probe in probes:
                for name in ["target", *candidates]:
                    observations.setdefault(name, []).append(probe.get(name))

    # The probes do tell something (the target is inside some radii, outside others) ...
    filtered = observations["target"][1:]
    assert any(v is None for v in filtered)
    assert any(v is not None for v in filtered)
    # ... but never enough: a place at least 1 km from the target answers every probe
    # exactly as the target does, so the target is known to no better than 1 km.
    twins = [n for n, point in candidates.items() if observations[n] == observations["target"]]
    assert twins, "every place 1 km away was told apart from the target"
    assert max(haversine_km(lat, lon, *candidates[n]) for n in twins) >= 1.0


# --- at most N location changes an hour ---------------------------------------------------------


def test_the_eleventh_location_change_in_an_hour_is_refused(client, settings):
    settings.LANGUAGE_CODE = "en"
    me = viewer_member(latitude=32.0, longitude=34.8)
    client.force_login(me.user)
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    with time_machine.travel(start, tick=False) as clock:
        for i in range(1, 11):
            response = client.post("/location/", {"latitude": 32.0 + i / 100, "longitude": 34.8})
            assert response.status_code == 200, i
            clock.shift(timedelta(minutes=5))
        refused = client.post("/location/", {"latitude": 31.5, "longitude": 34.8})
        # The same position again is no change and is not refused.
        same = client.post("/location/", {"latitude": 32.1, "longitude": 34.8})

        assert refused.status_code == 429
        assert "10 times in the last hour" in refused.json()["error"]
        assert same.status_code == 200
        me.refresh_from_db()
        assert me.latitude == pytest.approx(32.1)  # the refused move was not stored

        # Once the first change is an hour old, one more is allowed.
        clock.move_to(start + timedelta(hours=1, seconds=1))
        assert client.post("/location/", {"latitude": 31.5, "longitude": 34.8}).status_code == 200
    assert LocationChange.objects.filter(member=me).count() <= 10


def test_profile_edit_and_city_choice_count_towards_the_same_limit(client, settings):
    from matching.cities import city_search
    from profiles.forms import ProfileForm

    settings.LOCATION_CHANGES_PER_HOUR = 2
    me = viewer_member(latitude=32.0, longitude=34.8)
    client.force_login(me.user)
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        assert client.post("/location/", {"latitude": 32.1, "longitude": 34.8}).status_code == 200
        assert client.post("/location/", {"latitude": 32.2, "longitude": 34.8}).status_code == 200

        haifa = city_search("Haifa")[0]
        city = client.post("/location/city/", {"city": haifa.geonameid}, HTTP_HX_REQUEST="true")
        initial = ProfileForm.initial_for(Member.objects.get(pk=me.pk))
        data = {k: v for k, v in initial.items() if v is not None}
        data["interests"] = [i.pk for i in initial.get("interests", [])]
        data.update(latitude="31.0", longitude="35.0")
        edit = client.post("/members/edit/", data)

    assert city.status_code == 429
    assert edit.status_code == 429
    assert "times in the last hour" in edit.content.decode()
    assert Member.objects.get(pk=me.pk).latitude == pytest.approx(32.2)


# --- the cursor -------------------------------------------------------------------------------


def test_distance_cursor_carries_no_precise_distance():
    me = viewer_member(latitude=32.0, longitude=34.8)
    for i in range(5):
        member_at(32.0 + 0.0371 * i, 34.8 + 0.0123 * i, name=f"m{i}")

    page = members_discover(
        viewer=me.user,
        filters=DiscoverFilters(order="distance", distance_km=None),
        viewer_member=me,
        page_size=3,
    )

    assert page.next_cursor
    state = signing.loads(page.next_cursor, salt=CURSOR_SALT)  # signed, but readable
    last = page.cards[-1]
    assert state["k"] == round(last.distance_km)  # whole km, the number the card shows
    assert float(state["k"]).is_integer()
    assert repr(last.distance_km) not in page.next_cursor
    # and paging with it still gives every member once, in order
    rest = members_discover(
        viewer=me.user,
        filters=DiscoverFilters(order="distance", distance_km=None),
        viewer_member=me,
        page_size=3,
        cursor=page.next_cursor,
    )
    shown = [c.member.name for c in page.cards + rest.cards]
    assert sorted(shown) == [f"m{i}" for i in range(5)]
    assert [round(c.distance_km) for c in page.cards + rest.cards] == sorted(
        round(c.distance_km) for c in page.cards + rest.cards
    )
