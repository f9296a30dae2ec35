"""Smart matches in bulk (rules §11, §16): the one scoring query, the 3-query uncached path and
the one-row-per-user cache (upsert, unique constraint, concurrent recomputes)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction

from matching.models import Block, SmartMatchCache, UserInteraction
from matching.smart import score_candidates, smart_matches_for, smart_matches_recompute
from profiles.models import Interest, Member
from tests.factories import UserFactory
from tests.matching.test_smart_engine import make_member

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def viewer() -> Member:
    # 35 on TODAY; wants women 25-35; hiking + cooking; 6 content words {enjoy, hiking, trails,
    # jazz, concerts, טיולים} ("and" is a stop word).
    return make_member(
        prefs=("female", 25, 35),
        gender="male",
        date_of_birth=date(1990, 1, 1),
        description="I enjoy hiking trails and jazz concerts, טיולים",
        interests=("hiking", "cooking"),
    )


def fresh(member: Member) -> Member:
    return Member.objects.select_related("user").get(pk=member.pk)


def by_user(results) -> dict:  # type: ignore[no-untyped-def]
    return {r.user_id: r for r in results}


def test_behaviour_sums_both_directions_and_every_interaction(viewer):
    both = make_member(date_of_birth=date(1995, 1, 1))
    incoming = make_member(date_of_birth=date(1995, 1, 1))
    none = make_member(date_of_birth=date(1995, 1, 1))
    UserInteraction.objects.create(user=viewer, target=both, action="like", weight=2.0)
    UserInteraction.objects.create(user=both, target=viewer, action="view", weight=0.5)
    UserInteraction.objects.create(user=both, target=viewer, action="profile_click", weight=1.5)
    UserInteraction.objects.create(user=incoming, target=viewer, action="view", weight=0.5)
    UserInteraction.objects.create(user=incoming, target=none, action="like", weight=2.0)

    results = by_user(score_candidates(member=fresh(viewer), today=TODAY)[0])

    assert results[str(both.user_id)].facts["weight"] == 4.0
    assert results[str(both.user_id)].parts[4] == 12.0  # 15 x 4/5
    assert results[str(incoming.user_id)].facts["weight"] == 0.5
    assert results[str(incoming.user_id)].parts[4] == 1.5
    assert "weight" not in results[str(none.user_id)].facts  # others' interactions don't count
    assert results[str(none.user_id)].parts[4] == 0.0


def test_only_the_viewers_interests_are_shared(viewer):
    three = make_member(interests=("hiking", "cooking", "music"))
    other = make_member(interests=("music", "travel"))

    results = by_user(score_candidates(member=fresh(viewer), today=TODAY)[0])

    ids = sorted(
        Interest.objects.filter(slug__in=("hiking", "cooking")).values_list("pk", flat=True)
    )
    assert results[str(three.user_id)].facts["interests"] == ids
    assert results[str(three.user_id)].parts[2] == 25.0  # 2 of min(2, 4)
    assert "interests" not in results[str(other.user_id)].facts
    assert results[str(other.user_id)].parts[2] == 0.0


def test_viewer_without_interests_scores_no_interest_points():
    viewer = make_member(prefs=("female", 18, 100), gender="male", date_of_birth=date(1990, 1, 1))
    make_member(interests=("hiking",))
    [match], _ = score_candidates(member=fresh(viewer), today=TODAY)
    assert match.parts[2] == 0.0
    assert "interests" not in match.facts


def test_bio_words_count_only_as_whole_words_in_any_script(viewer):
    whole = make_member(description="JAZZ-concerts! Hikingtrails, jazzy; בטיולים, טיולים.")
    part = make_member(description="Hikingtrails and jazzy concertsXL, בטיולים")

    results = by_user(score_candidates(member=fresh(viewer), today=TODAY)[0])

    assert results[str(whole.user_id)].facts["words"] == ["concerts", "jazz", "טיולים"]
    assert results[str(whole.user_id)].parts[3] == 7.5  # 15 x 3/6
    assert "words" not in results[str(part.user_id)].facts
    assert results[str(part.user_id)].parts[3] == 0.0


def test_top_n_is_the_head_of_the_full_ranking(viewer):
    for i in range(14):
        make_member(
            date_of_birth=date(1990 + i % 6, 1, 1),
            latitude=32.0 + i * 0.01,
            city="Haifa" if i % 3 else "Tel Aviv",
            interests=("hiking",) if i % 2 else (),
        )
    everyone, stats = score_candidates(member=fresh(viewer), today=TODAY)
    top5, top_stats = score_candidates(member=fresh(viewer), today=TODAY, top=5)

    assert top5 == everyone[:5]
    assert top_stats == stats
    assert [(-r.score, r.user_id) for r in everyone] == sorted(
        (-r.score, r.user_id) for r in everyone
    )


@pytest.mark.parametrize("count", [3, 40])
def test_uncached_smart_matches_take_three_queries(viewer, count, django_assert_num_queries):
    # Given candidates with shared interests, interactions both ways and blocks either way.
    with time_machine.travel(NOW, tick=False):
        members = [
            make_member(date_of_birth=date(1995, 1, 1), interests=("hiking", "music"))
            for _ in range(count)
        ]
        for m in members[::2]:
            UserInteraction.objects.create(user=m, target=viewer, action="view", weight=0.5)
            UserInteraction.objects.create(user=viewer, target=m, action="like", weight=2.0)
        Block.objects.create(blocker=viewer.user, blocked=members[0].user)
        Block.objects.create(blocker=members[1].user, blocked=viewer.user)
        v = fresh(viewer)

        # When the cache is empty: read (miss), score, upsert.
        with django_assert_num_queries(3):
            result = smart_matches_for(member=v)
        # Then: fresh results, cached in one row; the next read is one query.
        with django_assert_num_queries(1):
            cached = smart_matches_for(member=v)

    assert not result.from_cache
    assert result.stats.total == count - 2
    assert cached.from_cache
    assert cached.results == result.results
    assert cached.stats == result.stats
    assert SmartMatchCache.objects.filter(user=viewer.user).count() == 1


def test_refresh_replaces_the_row_in_two_queries(viewer, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        make_member()
        first = smart_matches_for(member=fresh(viewer))
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        second = make_member()
        v = fresh(viewer)
        with django_assert_num_queries(2):  # score + upsert: no read, delete or lock
            refreshed = smart_matches_for(member=v, refresh=True)

    row = SmartMatchCache.objects.get(user=viewer.user)
    assert row.created_at == NOW + timedelta(minutes=5)
    assert len(row.match_data["results"]) == 2
    assert str(second.user_id) in {r["u"] for r in row.match_data["results"]}
    assert len(first.results) == 1
    assert len(refreshed.results) == 2


def test_one_cache_row_per_user_is_enforced_by_the_database(viewer):
    smart_matches_recompute(member=fresh(viewer))
    with pytest.raises(IntegrityError), transaction.atomic():
        SmartMatchCache.objects.create(user=viewer.user, match_data={})
    assert SmartMatchCache.objects.filter(user=viewer.user).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs DATABASE_URL pointing at PostgreSQL"
)
def test_concurrent_recomputes_leave_one_row(viewer):
    # Given: several candidates; when four threads recompute the same user at once.
    for _ in range(5):
        make_member(date_of_birth=date(1995, 1, 1))
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def recompute() -> None:
        try:
            start.wait(timeout=10)
            smart_matches_recompute(member=fresh(viewer))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recompute) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    # Then: no error, exactly one row, holding a complete result set.
    assert errors == []
    row = SmartMatchCache.objects.get(user=viewer.user)
    assert len(row.match_data["results"]) == 5


def test_viewer_without_content_words_scores_no_bio_points():
    viewer = make_member(gender="male", date_of_birth=date(1990, 1, 1), description="I am so in")
    match_with = make_member(description="I am so in love with hiking")
    [match], _ = score_candidates(member=fresh(viewer), today=TODAY)
    assert match.user_id == str(match_with.user_id)
    assert match.parts[3] == 0.0
    assert "words" not in match.facts


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_the_newest_cache_row_per_user():
    from django.db.migrations.executor import MigrationExecutor

    # Given: the schema before the unique constraint, and duplicate rows for one user.
    before = [("matching", "0002_match_notification")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("matching", "SmartMatchCache")
        one, two = UserFactory(), UserFactory()
        old.objects.create(user_id=one.pk, match_data={"n": 1}, created_at=NOW)
        old.objects.create(user_id=one.pk, match_data={"n": 2}, created_at=NOW + timedelta(hours=1))
        old.objects.create(user_id=two.pk, match_data={"n": 3}, created_at=NOW)
    finally:
        # When: migrating forward (always, so later tests get the current schema).
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    # Then: one row per user, the newest kept.
    rows = dict(SmartMatchCache.objects.values_list("user_id", "match_data"))
    assert rows == {one.pk: {"n": 2}, two.pk: {"n": 3}}
