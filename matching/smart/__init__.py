"""Smart matches (rules §11): the scoring engine, its 6-hour cache and reason rendering.

See :mod:`matching.smart.engine` for the exact formula.
"""

from .cache import (
    CACHE_TOP_N,
    CACHE_TTL,
    SmartMatchSet,
    smart_match_cache_invalidate,
    smart_matches_for,
    smart_matches_recompute,
)
from .engine import FACTORS, ScoredMatch, SmartMatchStats, candidate_queryset, score_candidates
from .reasons import interest_labels_for, reason_for

__all__ = [
    "CACHE_TOP_N",
    "CACHE_TTL",
    "FACTORS",
    "ScoredMatch",
    "SmartMatchSet",
    "SmartMatchStats",
    "candidate_queryset",
    "interest_labels_for",
    "reason_for",
    "score_candidates",
    "smart_match_cache_invalidate",
    "smart_matches_for",
    "smart_matches_recompute",
]
