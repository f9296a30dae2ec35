"""The members list reads ``Member.listed`` and chooses its plan by the count (rules §5, §16):
the flag follows the user through every path that changes it, and the dense plan (ordering
index, no bounding box) returns exactly what the sparse one (bounding box) returns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Block, Report
from matching.selectors import discovery
from matching.selectors.discovery import DiscoverFilters, members_discover
from profiles.models import Interest, Member
from profiles.services import member_complete_profile, member_user_sync
from safety.moderation.services import Item, Kind, moderation_apply
from tests.factories import MemberFactory, UserFactory
from tests.matching.factories import member_at, viewer_member

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def names(page) -> list[str]:
    return [c.member.name for c in page.cards]


def listed(member: Member) -> bool:
    return Member.objects.values_list("listed", flat=True).get(pk=member.pk)


def test_listed_follows_user_saves_of_is_active_and_profile_complete():
    member = MemberFactory()
    assert listed(member)

    member.user.profile_complete = False
    member.user.save()
    assert not listed(member)

    member.user.profile_complete = True
    member.user.save(update_fields=["profile_complete"])
    assert listed(member)

    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    assert not listed(member)


def test_saving_other_user_fields_does_not_touch_members():
    member = MemberFactory()
    member.user.name = "Renamed"
    with CaptureQueriesContext(connection) as ctx:
        member.user.save(update_fields=["name"])
    assert len(ctx.captured_queries) == 1  # the user's UPDATE only


def test_moderation_ban_takes_the_member_off_the_list_at_once():
    me = viewer_member()
    reported = MemberFactory(name="reported")
    staff = UserFactory(is_staff=True, profile_complete=True)
    report = Report.objects.create(
        reporter=me.user, reported=reported.user, reason=Report.Reason.SCAM
    )
    assert names(members_discover(viewer=me.user, filters=DiscoverFilters())) == ["reported"]

    moderation_apply(moderator=staff, action="ban", items=[Item(kind=Kind.REPORT, id=report.pk)])

    assert not listed(reported)
    assert names(members_discover(viewer=me.user, filters=DiscoverFilters())) == []


def test_queryset_update_then_sync_unlists_and_relists():
    member = MemberFactory()
    type(member.user).objects.filter(pk=member.user_id).update(is_active=False)
    assert listed(member)  # an update() bypasses save(): the caller syncs

    assert member_user_sync(user_ids=[member.user_id]) == 1
    assert not listed(member)
    type(member.user).objects.filter(pk=member.user_id).update(is_active=True)
    assert member_user_sync(user_ids=[member.user_id]) == 1
    assert listed(member)
    assert member_user_sync(user_ids=[member.user_id]) == 0  # nothing to change


def test_completing_the_profile_lists_the_new_member():
    user = UserFactory(profile_complete=False)
    member = member_complete_profile(
        user=user,
        name="Noa",
        date_of_birth=date(1995, 1, 1),
        gender=Member.Gender.FEMALE,
        city="Haifa",
        country="Israel",
        description="Hi",
        interests=Interest.objects.all()[:1],
        preferred_genders=["male"],
        preferred_age_min=25,
        preferred_age_max=40,
    )
    assert listed(member)


@pytest.fixture
def small_cap(monkeypatch):
    """COUNT_CAP = 3: four or more matches count as "dense", so the page walks the ordering
    index without the bounding box."""
    monkeypatch.setattr(discovery, "COUNT_CAP", 3)


@pytest.mark.parametrize("order", ["active", "newest"])
def test_dense_plan_returns_what_the_box_plan_returns(small_cap, order):
    me = viewer_member(latitude=32.08, longitude=34.78)
    with time_machine.travel(NOW, tick=False):
        for i in range(6):
            member_at(
                32.08 + i * 0.01, 34.78, name=f"near{i}", last_active_at=NOW - timedelta(hours=i)
            )
        member_at(32.5, 34.78, name="47km", boosted_until=NOW + timedelta(hours=1))
        member_at(33.0, 34.78, name="102km")  # outside 50 km
        member_at(None, None, name="nowhere")  # no location: out when a distance applies
        blocked = member_at(32.08, 34.78, name="blocked")
        Block.objects.create(blocker=blocked.user, blocked=me.user)
        hidden = member_at(32.08, 34.78, name="hidden")
        hidden.user.is_active = False
        hidden.user.save(update_fields=["is_active"])

        dense, cursor, seen = None, None, []
        while True:
            dense = members_discover(
                viewer=me.user,
                filters=DiscoverFilters(distance_km=50, order=order),
                viewer_member=me,
                page_size=3,
                cursor=cursor,
            )
            seen.extend(names(dense))
            cursor = dense.next_cursor
            if not cursor:
                break
    assert dense.total_is_capped is True
    assert seen[0] == "47km"  # boosted first
    assert sorted(seen) == sorted(["47km", *(f"near{i}" for i in range(6))])
    if order == "active":
        assert seen[1:] == [f"near{i}" for i in range(6)]


def test_dense_plan_with_a_viewer_without_location_lists_everyone(small_cap):
    me = viewer_member(latitude=None, longitude=None)
    for i in range(5):
        member_at(32.08, 34.78, name=f"m{i}")
    member_at(None, None, name="nowhere")

    page = members_discover(viewer=me.user, filters=DiscoverFilters(distance_km=50))

    assert page.total_is_capped
    assert sorted(names(page)) == ["m0", "m1", "m2", "m3", "m4", "nowhere"]


def test_members_page_query_count(client):
    """Besides the session's (which depend on the session store): user, own member, capped
    count, the page (boosted members, then the rest: one query each on PostgreSQL, where the
    key-NULL segment rides along in a UNION ALL; one per segment elsewhere), the unread badge,
    the stories strip."""
    me = viewer_member()
    for _ in range(15):
        MemberFactory()
    client.force_login(me.user)
    client.get("/members/?distance=any")  # warm: last-active write, session refresh
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/members/?distance=any")
    assert response.status_code == 200
    assert response.content.count(b'class="member-card') == 12
    queries = [q["sql"] for q in ctx.captured_queries if "django_session" not in q["sql"]]
    assert len(queries) == (7 if connection.vendor == "postgresql" else 8), queries
