"""Smart-match engine: known profiles give known scores and reasons (rules §11)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import User
from matching.models import Block, UserInteraction
from matching.smart import SmartMatchStats, interest_labels_for, reason_for, score_candidates
from matching.smart.engine import stats_for
from profiles.models import Interest, Member
from profiles.services import member_user_sync
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 1)


def make_member(*, prefs=("male,female", 18, 100), interests=(), **kwargs) -> Member:
    genders, age_min, age_max = prefs
    user = UserFactory(
        profile_complete=True,
        preferred_genders=genders,
        preferred_age_min=age_min,
        preferred_age_max=age_max,
    )
    member = MemberFactory(user=user, **kwargs)
    if interests:
        member.interests.set(Interest.objects.filter(slug__in=interests))
    return member


@pytest.fixture
def viewer() -> Member:
    # 35 on TODAY; wants women 25–35; Tel Aviv; hiking + cooking.
    return make_member(
        prefs=("female", 25, 35),
        gender="male",
        date_of_birth=date(1990, 1, 1),
        latitude=32.08,
        longitude=34.78,
        city="Tel Aviv",
        description="I enjoy hiking trails and jazz concerts",
        interests=("hiking", "cooking"),
    )


def score(viewer: Member):
    viewer = Member.objects.select_related("user").get(pk=viewer.pk)
    return score_candidates(member=viewer, today=TODAY)


def test_known_profile_gives_hand_computed_score_and_reason(viewer):
    # Given A: 28 (own fit 1 - |28-30|/(5+5) = 0.8 -> 12; V's 35 is in A's 30-40 -> +10 = 22),
    # 0.03° of longitude away at lat 32.08 puts A in the next ~2 km grid cell east: 2.0015 km
    # cell to cell, of 50 -> 20 x (1 - 2.0015/50) = 19.20,
    # shares hiking (1 of min(2, 4)) -> 12.5, A's bio uses 2 of V's 5 content words {enjoy,
    # hiking, trails, jazz, concerts} -> 15 x 2/5 = 6, V liked A (2.0 of 5) -> 6.
    # Total 65.70 -> 66.
    a = make_member(
        prefs=("male", 30, 40),
        date_of_birth=date(1997, 3, 10),
        latitude=32.08,
        longitude=34.81,
        description="Weekend hiking and live jazz",
        interests=("hiking", "music"),
    )
    UserInteraction.objects.create(user=viewer, target=a, action="like", weight=2.0)

    results, stats = score(viewer)

    assert [r.user_id for r in results] == [str(a.user_id)]
    match = results[0]
    assert match.score == 66
    assert match.parts == pytest.approx((22.0, 19.20, 12.5, 6.0, 6.0, 0.0, 0.0), abs=0.01)
    with translation.override("en"):
        labels = interest_labels_for(results)
        assert reason_for(match, labels) == (
            "2 km away · 28 — right in your range · both love hiking"
        )
    assert stats.total == 1
    assert stats.highest == 66
    assert stats.average == 66.0


def test_same_city_without_coordinates_and_weak_factors_left_out(viewer):
    # B: 35 -> own 1 - 5/10 = 0.5 -> 7.5, V (35) in B's 30-40 -> +10 (every candidate wants V
    # back now: issue 15); no coordinates but the same city -> 10; nothing shared.
    # 27.5 -> 28 (rounded half up).
    b = make_member(
        prefs=("male", 30, 40),
        date_of_birth=date(1990, 5, 1),
        latitude=None,
        longitude=None,
        city=" tel aviv",
        description="Quiet evenings",
    )
    results, _ = score(viewer)
    assert [(r.user_id, r.score) for r in results] == [(str(b.user_id), 28)]
    with translation.override("en"):
        # Location is at 50 % and age (17.5 of 25) at 70 %: both are named.
        assert reason_for(results[0], {}) == "35 — in your age range · both in \u2068tel aviv\u2069"


def test_candidates_respect_preferences_blocks_completeness_and_self(viewer):
    inside = make_member(date_of_birth=date(1995, 1, 1))
    make_member(gender="male", date_of_birth=date(1995, 1, 1))  # wrong gender
    make_member(date_of_birth=date(1985, 1, 1))  # 40: too old
    make_member(date_of_birth=date(2000, 6, 2))  # 24 on TODAY (birthday tomorrow): too young
    edge = make_member(date_of_birth=date(2000, 6, 1))  # 25 today: inside
    blocked = make_member(date_of_birth=date(1995, 1, 1))
    blocker = make_member(date_of_birth=date(1995, 1, 1))
    Block.objects.create(blocker=viewer.user, blocked=blocked.user)
    Block.objects.create(blocker=blocker.user, blocked=viewer.user)
    incomplete = make_member(date_of_birth=date(1995, 1, 1))
    incomplete.user.profile_complete = False
    incomplete.user.save()

    results, _ = score(viewer)

    assert {r.user_id for r in results} == {str(inside.user_id), str(edge.user_id)}


def test_equal_scores_are_ordered_by_user_id_and_repeatable(viewer):
    twins = [
        # A fixed bio: the factory's random sentence may share a word with the viewer's.
        make_member(
            date_of_birth=date(1995, 1, 1),
            latitude=None,
            longitude=None,
            city="Haifa",
            description="Quiet evenings",
        )
        for _ in range(4)
    ]
    first, _ = score(viewer)
    second, _ = score(viewer)
    assert [r.user_id for r in first] == sorted(str(t.user_id) for t in twins)
    assert first == second


def test_stats_bands_average_and_highest():
    stats = stats_for([95, 90, 89, 75, 74, 60, 59, 12])
    assert (stats.total, stats.excellent, stats.good, stats.fair) == (8, 2, 2, 2)
    assert stats.average == 69.2  # 554 / 8 = 69.25 -> banker's rounding of the float 69.25
    assert stats.highest == 95
    assert stats_for([]) == SmartMatchStats(0, 0, 0, 0, 0.0, 0)


def test_reason_follows_viewer_language(viewer):
    a = make_member(date_of_birth=date(1995, 1, 1), interests=("hiking",))
    results, _ = score(viewer)
    with translation.override("he"):
        labels = interest_labels_for(results)
        text = reason_for(results[0], labels)
    assert "הליכה בטבע" in text  # the Hebrew catalogue name, rendered at read time
    assert results[0].facts["interests"] == [Interest.objects.get(slug="hiking").pk]
    assert str(a.user_id) == results[0].user_id


@pytest.mark.parametrize("count", [5, 200])
def test_engine_query_count_does_not_grow_with_candidates(
    viewer, count, django_assert_max_num_queries
):
    hiking = Interest.objects.get(slug="hiking")
    members = [make_member(date_of_birth=date(1995, 1, 1)) for _ in range(count)]
    for m in members:
        m.interests.add(hiking)
        UserInteraction.objects.create(user=m, target=viewer, action="view", weight=0.5)
    v = Member.objects.select_related("user").get(pk=viewer.pk)

    with django_assert_max_num_queries(3):
        results, stats = score_candidates(member=v, today=TODAY)

    assert stats.total == count
    assert all(r.facts["interests"] == [hiking.pk] for r in results)


def test_scoring_statement_reads_no_accounts_user(viewer):
    # rules §16: the scoring query reads the member rows alone; each candidate's listing flag
    # and preferred age range are the member's copies, so accounts_user is never joined.
    make_member(date_of_birth=date(1995, 1, 1), prefs=("male", 30, 40), interests=("hiking",))
    v = Member.objects.select_related("user").get(pk=viewer.pk)

    with CaptureQueriesContext(connection) as ctx:
        results, _ = score_candidates(member=v, today=TODAY)

    assert len(results) == 1
    assert results[0].facts["mutual"] is True  # the candidate's copied range holds 35
    assert len(ctx.captured_queries) == 1
    assert "accounts_user" not in ctx.captured_queries[0]["sql"]


def test_candidates_follow_the_member_copies_of_listed_and_range(viewer):
    # A banned candidate (queryset update + sync, as moderation does) drops out; a candidate
    # whose range (18-30) leaves the viewer out is no candidate (issue 15: both sides'
    # preferences) until a queryset update of that range is synced.
    banned = make_member(date_of_birth=date(1995, 1, 1))
    other = make_member(date_of_birth=date(1995, 1, 1), prefs=("male", 18, 30))
    before = {r.user_id: r.facts["mutual"] for r in score(viewer)[0]}  # viewer is 35
    assert before == {str(banned.user_id): True}

    User.objects.filter(pk=banned.user_id).update(is_active=False)
    User.objects.filter(pk=other.user_id).update(preferred_age_max=40)
    member_user_sync(user_ids=[banned.user_id, other.user_id])
    results, _ = score(viewer)

    assert [(r.user_id, r.facts["mutual"]) for r in results] == [(str(other.user_id), True)]
