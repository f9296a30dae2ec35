"""The 6-hour smart-match cache (SPEC §11): one SmartMatchCache row per user.

``match_data`` holds ``{"v": 1, "stats": {...}, "results": [ScoredMatch.to_json(), ...]}`` with
the top :data:`CACHE_TOP_N` results and statistics over every candidate. Facts, not text, are
cached, so reasons are rendered in each viewer's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from matching.models import SmartMatchCache
from profiles.models import Member

from .engine import ScoredMatch, SmartMatchStats, score_candidates

CACHE_TTL = timedelta(hours=6)
CACHE_TOP_N = 200
CACHE_VERSION = 1


@dataclass(frozen=True)
class SmartMatchSet:
    results: list[ScoredMatch]
    stats: SmartMatchStats
    computed_at: datetime
    from_cache: bool


def smart_match_cache_invalidate(*, user: User | object) -> int:
    """Drop the cached smart matches of ``user`` (a User or a user id). Call whenever the user's
    profile, interests or preferences change. Returns the number of rows deleted."""
    user_id = getattr(user, "pk", user)
    deleted, _ = SmartMatchCache.objects.filter(user_id=user_id).delete()
    return deleted


def _cache_read(*, user_id: object, now: datetime) -> SmartMatchSet | None:
    row = (
        SmartMatchCache.objects.filter(user_id=user_id, created_at__gt=now - CACHE_TTL)
        .order_by("-created_at")
        .values_list("match_data", "created_at")
        .first()
    )
    if row is None:
        return None
    data, created_at = row
    if not isinstance(data, dict) or data.get("v") != CACHE_VERSION:
        return None
    return SmartMatchSet(
        results=[ScoredMatch.from_json(r) for r in data["results"]],
        stats=SmartMatchStats(**data["stats"]),
        computed_at=created_at,
        from_cache=True,
    )


@transaction.atomic
def smart_matches_recompute(*, member: Member) -> SmartMatchSet:
    """Score every candidate of ``member`` and replace their cache row (SPEC §11).

    Holds the user's row lock while replacing the cache so concurrent warm-ups leave exactly
    one row. Returns the fresh set (``from_cache=False``).
    """
    now = timezone.now()
    results, stats = score_candidates(member=member, top=CACHE_TOP_N)
    User.objects.select_for_update().filter(pk=member.user_id).values_list("pk").first()
    SmartMatchCache.objects.filter(user_id=member.user_id).delete()
    SmartMatchCache.objects.create(
        user_id=member.user_id,
        created_at=now,
        match_data={
            "v": CACHE_VERSION,
            "stats": stats.to_json(),
            "results": [r.to_json() for r in results[:CACHE_TOP_N]],
        },
    )
    return SmartMatchSet(
        results=results[:CACHE_TOP_N], stats=stats, computed_at=now, from_cache=False
    )


def smart_matches_for(*, member: Member, refresh: bool = False) -> SmartMatchSet:
    """Smart matches of ``member``: the cached set when younger than 6 h, else recomputed and
    cached (SPEC §11). One query when cached."""
    if not refresh:
        cached = _cache_read(user_id=member.user_id, now=timezone.now())
        if cached is not None:
            return cached
    return smart_matches_recompute(member=member)
