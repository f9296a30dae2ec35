"""Smart-match reasons never quote stop words: a Hebrew + English stop-word list kept as data
(matching/smart/stopwords/*.txt), Hebrew one-letter prefixes included."""

from __future__ import annotations

import pytest
from django.utils import translation

from matching.smart.engine import STOP_WORDS, ScoredMatch, bio_words, is_stop_word
from matching.smart.reasons import reason_for


def test_the_lists_are_data_files_in_both_languages():
    assert {"the", "because", "really", "של", "בדרך", "הבאה", "אוהבת"} <= STOP_WORDS
    assert not any(w.startswith("#") for w in STOP_WORDS)


@pytest.mark.parametrize("word", ["בדרך", "ובדרך", "הבאה", "שהבאה", "והכי", "THE", "Really"])
def test_stop_words_including_hebrew_prefixes(word):
    assert is_stop_word(word)


@pytest.mark.parametrize("word", ["hiking", "sourdough", "טיולים", "בישול", "הים", "ים"])
def test_content_words_are_kept(word):
    assert not is_stop_word(word)


def test_bio_words_leave_out_stop_words():
    words = bio_words("בדרך לים בשבת הבאה, ואני אוהבת מאוד טיולים because hiking really")
    assert words == frozenset({"לים", "בשבת", "טיולים", "hiking"})


def test_a_reason_never_quotes_a_stop_word_even_from_old_cached_facts():
    cached = ScoredMatch(
        user_id="00000000-0000-0000-0000-000000000001",
        score=40,
        parts=(0.0, 0.0, 0.0, 15.0, 0.0),
        facts={"age": 30, "own": 1, "words": ["בדרך", "הבאה", "טיולים"]},
    )
    with translation.override("en"):
        reason = reason_for(cached, {})
    assert "בדרך" not in reason
    assert "הבאה" not in reason
    assert "טיולים" in reason
    only_stop = ScoredMatch(
        user_id=cached.user_id, score=40, parts=cached.parts, facts={"words": ["בדרך", "הבאה"]}
    )
    with translation.override("en"):
        assert "mention" not in reason_for(only_stop, {})
