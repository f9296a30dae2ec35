"""Smart matches weigh dating intention and life details (issue 18, docs/rules.md §11): part 6
gives 6 points for the same intention; part 7 up to 5 for compatible children plans and up to 5
for close religious outlooks; the total is capped at 100 and the reason names them in the
viewer's language."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from matching.smart import interest_labels_for, reason_for
from matching.smart.engine import (
    FACTORS,
    ScoredMatch,
    children_points,
    intention_points,
    life_points,
    outlook_points,
)
from tests.matching.test_smart_engine import TODAY, make_member, score, viewer  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        ("long_term", "long_term", 6.0),
        ("figuring", "figuring", 0.0),
        ("long_term", "short_fun", 0.0),
        ("", "", 0.0),
        ("friends", "friends", 6.0),
    ],
)
def test_intention_points(mine, theirs, expected):
    assert intention_points(mine, theirs) == expected


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        (("", "want"), ("", "want"), (5.0, "want")),
        (("yes", "no"), ("no", "no"), (5.0, "none")),
        (("", "open"), ("", "want"), (3.0, "open")),
        (("", "want"), ("", "open"), (3.0, "open")),
        (("", "open"), ("", "open"), (3.0, "open")),
        (("", "open"), ("", "no"), (2.0, "open")),
        (("", "want"), ("", "no"), (0.0, "")),
        (("yes", ""), ("yes", "want"), (2.0, "parents")),
        (("no", ""), ("yes", ""), (0.0, "")),
        (("", ""), ("", "want"), (0.0, "")),
    ],
)
def test_children_plans_points(mine, theirs, expected):
    assert children_points(*mine, *theirs) == expected


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        ("secular", "secular", (5.0, "same")),
        ("secular", "traditional", (2.5, "near")),
        ("orthodox", "religious", (2.5, "near")),
        ("secular", "religious", (0.0, "")),
        ("traditional", "orthodox", (0.0, "")),
        ("other", "other", (5.0, "same")),
        ("other", "secular", (0.0, "")),
        ("", "secular", (0.0, "")),
    ],
)
def test_religious_outlook_distance_points(mine, theirs, expected):
    assert outlook_points(mine, theirs) == expected


def test_life_details_add_children_and_outlook():
    assert life_points(("", "want", "traditional"), ("yes", "want", "religious")) == (
        7.5,
        "want",
        "near",
    )


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


def test_same_intention_and_life_details_raise_the_score_and_are_named(viewer):  # noqa: F811
    viewer.intention, viewer.observance, viewer.children_want = "long_term", "traditional", "want"
    viewer.save(update_fields=["intention", "observance", "children_want"])
    alike, other = _twins(intention="long_term", observance="traditional", children_want="want")

    results, _stats = score(viewer)
    by_id = {r.user_id: r for r in results}
    matched, plain = by_id[str(alike.user_id)], by_id[str(other.user_id)]
    assert matched.parts[FACTORS.index("intention")] == 6.0
    assert matched.parts[FACTORS.index("life")] == 10.0
    assert plain.parts[FACTORS.index("intention")] == 0.0
    assert plain.parts[FACTORS.index("life")] == 0.0
    assert matched.score == plain.score + 16
    assert matched.facts["intention"] == "long_term"
    assert matched.facts["observance"] == ["same", "traditional"]
    assert matched.facts["children"] == "want"
    assert results[0].user_id == str(alike.user_id)

    labels = interest_labels_for([matched])
    with translation.override("en"):
        reason = reason_for(matched, labels)
        assert "you both want: long-term relationship" in reason
        assert "both traditional · you both want children" in reason
        assert "you both want" not in reason_for(plain, labels)
    with translation.override("he"):
        reason = reason_for(matched, labels)
        assert "שניכם מחפשים: קשר לטווח ארוך" in reason
        assert "שניכם רוצים ילדים" in reason


def test_neighbouring_outlooks_and_open_children_plans_give_partial_points(viewer):  # noqa: F811
    viewer.observance, viewer.children_want = "religious", "open"
    viewer.save(update_fields=["observance", "children_want"])
    near, _other = _twins(observance="orthodox", children_want="no")

    results, _stats = score(viewer)
    matched = {r.user_id: r for r in results}[str(near.user_id)]
    assert matched.parts[FACTORS.index("life")] == 4.5  # 2.5 (one step) + 2 (open / no)
    assert matched.facts["observance"] == ["near", "orthodox"]
    life_only = ScoredMatch(user_id="x", score=50, parts=(0,) * 6 + (4.5,), facts=matched.facts)
    with translation.override("en"):
        assert "close religious outlooks · compatible plans for children" in reason_for(
            life_only, {}
        )
    with translation.override("he"):
        assert "השקפות דתיות קרובות · תוכניות תואמות לגבי ילדים" in reason_for(life_only, {})


def test_a_viewer_without_details_scores_as_before(viewer):  # noqa: F811
    alike, other = _twins(intention="long_term", observance="secular", children_want="want")
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


def test_details_a_member_hid_neither_score_nor_show_in_the_reason(viewer):  # noqa: F811
    # Issue 18: each detail has a "visible on my profile" switch; a hidden one must not leak
    # through a smart-match reason ("you both want: …") or lift the score.
    viewer.intention, viewer.observance, viewer.children_want = "long_term", "traditional", "want"
    viewer.save(update_fields=["intention", "observance", "children_want"])
    hidden, other = _twins(
        intention="long_term",
        observance="traditional",
        children_want="want",
        details_hidden=["intention", "observance", "children_want"],
    )

    results, _stats = score(viewer)
    by_id = {r.user_id: r for r in results}
    matched, plain = by_id[str(hidden.user_id)], by_id[str(other.user_id)]
    assert matched.parts == plain.parts
    assert not matched.facts.get("intention")
    assert not matched.facts.get("observance")
    assert not matched.facts.get("children")
    with translation.override("en"):
        reason = reason_for(matched, interest_labels_for([matched]))
    assert "you both want" not in reason
    assert "traditional" not in reason
