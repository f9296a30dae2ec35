"""Smart matches weigh dating intention and religious outlook (issue 18): part 6 gives 6
points for the same intention and 4 / 2 for the same / a neighbouring outlook, capped at a
total of 100; the reason names a shared intention in the viewer's language."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from matching.smart import interest_labels_for, reason_for
from matching.smart.engine import FACTORS, ScoredMatch, intention_points
from tests.matching.test_smart_engine import TODAY, make_member, score, viewer  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        (("long_term", ""), ("long_term", ""), (6.0, True, "")),
        (("figuring", ""), ("figuring", ""), (0.0, False, "")),
        (("long_term", "traditional"), ("short_fun", "traditional"), (4.0, False, "same")),
        (("", "secular"), ("", "traditional"), (2.0, False, "near")),
        (("", "secular"), ("", "religious"), (0.0, False, "")),
        (("", "other"), ("", "secular"), (0.0, False, "")),
        (("friends", "orthodox"), ("friends", "religious"), (8.0, True, "near")),
    ],
)
def test_intention_points(mine, theirs, expected):
    assert intention_points(*mine, *theirs) == expected


def _twins(**details):
    """Two candidates alike in every scored way but the given details of the first."""
    common = {
        "prefs": ("male", 30, 40),
        "date_of_birth": date(1995, 3, 10),
        "latitude": 32.08,
        "longitude": 34.81,
        "description": "Weekend hiking",
    }
    return make_member(**common, **details), make_member(**common)


def test_same_intention_and_outlook_raise_the_score_and_are_named(viewer):  # noqa: F811
    viewer.intention, viewer.observance = "long_term", "traditional"
    viewer.save(update_fields=["intention", "observance"])
    alike, other = _twins(intention="long_term", observance="traditional")

    results, _stats = score(viewer)
    by_id = {r.user_id: r for r in results}
    matched, plain = by_id[str(alike.user_id)], by_id[str(other.user_id)]
    assert matched.parts[FACTORS.index("intention")] == 10.0
    assert plain.parts[FACTORS.index("intention")] == 0.0
    assert matched.score == plain.score + 10
    assert matched.facts["intention"] == "long_term"
    assert results[0].user_id == str(alike.user_id)

    labels = interest_labels_for([matched])
    with translation.override("en"):
        reason = reason_for(matched, labels)
        assert "you both want: long-term relationship" in reason
        assert "both traditional" in reason
        assert "you both want" not in reason_for(plain, labels)
    with translation.override("he"):
        assert "שניכם מחפשים: קשר לטווח ארוך" in reason_for(matched, labels)


def test_a_viewer_without_details_scores_as_before(viewer):  # noqa: F811
    alike, other = _twins(intention="long_term", observance="secular")
    results, _stats = score(viewer)
    scores = {r.user_id: r.score for r in results}
    assert scores[str(alike.user_id)] == scores[str(other.user_id)]


def test_cached_rows_from_before_the_factor_still_load_and_explain():
    old = ScoredMatch.from_json(
        {"u": "x", "s": 50, "p": [20.0, 10.0, 0.0, 0.0, 0.0], "f": {"age": 30, "own": 0.9}}
    )
    assert len(old.parts) == len(FACTORS)
    with translation.override("en"):
        assert reason_for(old, {}).startswith("30")
