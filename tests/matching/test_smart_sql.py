"""The smart-match score computed in the database (issue 20) gives the same scores as before:
on fixed, seeded data the SQL formula matches (1) a frozen copy of the per-candidate formula of
the parts that existed before it (age, location, interests, bio, behaviour, intention: commit
2c084be), part for part, and (2) the engine's Python loop, result for result (scores, order,
parts, facts and statistics), in one scoring query."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import UserInteraction
from matching.smart.engine import (
    FACTORS,
    bio_words,
    life_points,
    score_candidates,
    score_in_python,
)
from miel.geo import grid_distance_km
from profiles.models import Interest, Member, age_on
from tests.matching.test_smart_engine import TODAY, make_member

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs DATABASE_URL pointing at PostgreSQL"
    ),
]

WORDS = [
    "hiking",
    "coffee",
    "jazz",
    "beach",
    "running",
    "yoga",
    "וטיולים",
    "טיולים",
    "ים",
    "music",
    "the",
    "and",
    "art",
    "dogs",
]
INTENTIONS = ["", "long_term", "short_fun", "figuring", "friends"]
OUTLOOKS = ["", "secular", "traditional", "religious", "orthodox", "other"]
HAVE = ["", "no", "yes"]
WANT = ["", "want", "open", "no"]


def reference_parts(viewer: Member, c: Member, shared: int, my_count: int, weight: float):
    """Parts 1-6 as the engine of commit 2c084be computed them, one candidate at a time."""
    user = viewer.user
    lo, hi = user.preferred_age_min, user.preferred_age_max
    age = age_on(c.date_of_birth, TODAY)
    own = 1 - abs(age - (lo + hi) / 2) / ((hi - lo) / 2 + 5)
    mutual = c.preferred_age_min <= age_on(viewer.date_of_birth, TODAY) <= c.preferred_age_max
    age_pts = 15.0 * own + (10.0 if mutual else 0.0)
    if None not in (viewer.latitude, viewer.longitude, c.latitude, c.longitude):
        km = grid_distance_km(viewer.latitude, viewer.longitude, c.latitude, c.longitude)
        closeness = 1 - km / float(viewer.max_distance or 50)
        loc = 20.0 * closeness if closeness > 0 else 0.0
    else:
        mine = (viewer.city or "").strip().casefold()
        loc = 10.0 if mine and (c.city or "").strip().casefold() == mine else 0.0
    den = min(my_count, 4)
    interests = 25.0 * min(1.0, shared / den) if shared and den else 0.0
    my_words = bio_words(viewer.description or "")
    common = my_words & bio_words(c.description or "")
    bio = 15.0 * min(1.0, len(common) / min(len(my_words), 8)) if common else 0.0
    behaviour = 15.0 * min(1.0, weight / 5.0) if weight else 0.0
    same = viewer.intention not in ("", "figuring") and c.intention == viewer.intention
    return [age_pts, loc, interests, bio, behaviour, 6.0 if same else 0.0]


@pytest.fixture
def seeded() -> Member:
    rng = random.Random(20)
    slugs = list(Interest.objects.values_list("slug", flat=True)[:12])
    viewer = make_member(
        prefs=("female", 24, 41),
        gender="male",
        date_of_birth=date(1991, 2, 28),
        latitude=32.0853,
        longitude=34.7818,
        city="Tel Aviv",
        description="Coffee, jazz and hiking by the beach; טיולים בים and yoga",
        interests=slugs[:5],
        intention="long_term",
        observance="traditional",
        children_have="no",
        children_want="open",
    )
    viewer.max_distance = 40
    viewer.save(update_fields=["max_distance"])
    for i in range(80):
        located = i % 9 != 0
        member = make_member(
            prefs=("male", rng.randint(20, 30), rng.randint(34, 60)),
            gender="female",
            date_of_birth=date(1984 + rng.randint(0, 16), rng.randint(1, 12), rng.randint(1, 28)),
            latitude=32.0853 + rng.uniform(-0.6, 0.6) if located else None,
            longitude=34.7818 + rng.uniform(-0.4, 0.4) if located else None,
            city=rng.choice(["Tel Aviv", " tel aviv ", "Haifa", ""]),
            description=" ".join(rng.sample(WORDS, rng.randint(0, 6))),
            interests=rng.sample(slugs, rng.randint(0, 6)),
            intention=rng.choice(INTENTIONS),
            observance=rng.choice(OUTLOOKS),
            children_have=rng.choice(HAVE),
            children_want=rng.choice(WANT),
        )
        if i % 7 == 0:
            UserInteraction.objects.create(
                user=viewer, target=member, action="like", weight=rng.choice([0.5, 2.0, 3.0])
            )
        if i % 11 == 0:
            UserInteraction.objects.create(user=member, target=viewer, action="view", weight=0.7)
    return Member.objects.select_related("user").get(pk=viewer.pk)


def test_sql_scores_match_the_formula_of_before_part_for_part(seeded):
    results, _stats = score_candidates(member=seeded, today=TODAY)
    assert len(results) > 40
    mine = set(seeded.interests.values_list("pk", flat=True))
    life = (seeded.children_have, seeded.children_want, seeded.observance)
    for result in results:
        c = Member.objects.get(user_id=result.user_id)
        shared = len(mine & set(c.interests.values_list("pk", flat=True)))
        weight = sum(
            i.weight
            for i in UserInteraction.objects.filter(user=seeded, target=c)
            | UserInteraction.objects.filter(user=c, target=seeded)
        )
        old = reference_parts(seeded, c, shared, len(mine), weight)
        new = life_points(life, (c.children_have, c.children_want, c.observance))[0]
        assert list(result.parts[:6]) == pytest.approx([round(p, 2) for p in old], abs=1e-9)
        assert result.parts[FACTORS.index("life")] == new
        assert result.score == min(100, math.floor(sum(old) + new + 0.5))


def test_sql_and_python_loop_give_identical_results(seeded):
    sql, sql_stats = score_candidates(member=seeded, today=TODAY)
    py, py_stats = score_in_python(member=seeded, today=TODAY)
    assert [r.to_json() for r in sql] == [r.to_json() for r in py]
    assert sql_stats == py_stats
    top, top_stats = score_candidates(member=seeded, today=TODAY, top=7)
    assert top == sql[:7]
    assert top_stats == sql_stats


def test_scoring_is_one_statement(seeded):
    with CaptureQueriesContext(connection) as ctx:
        score_candidates(member=seeded, today=TODAY, top=200)
    assert len(ctx.captured_queries) == 1


def test_a_viewer_with_no_candidates_gets_empty_statistics(seeded):
    seeded.user.preferred_age_min, seeded.user.preferred_age_max = 90, 99
    results, stats = score_candidates(member=seeded, today=TODAY)
    assert results == []
    assert stats.total == 0
    assert stats.highest == 0
