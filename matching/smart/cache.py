"""The 6-hour smart-match cache (rules §11): one SmartMatchCache row per user.

``match_data`` holds ``{"v": 1, "stats": {...}, "results": [ScoredMatch.to_json(), ...]}`` with
the top :data:`CACHE_TOP_N` results and statistics over every candidate. Facts, not text, are
cached, so reasons are rendered in each viewer's language.

Queries (rules §16): cached 1 (the read); uncached 3 (the read, the scoring, an upsert).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import orjson
from django.db import connection
from django.db.models import Field, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from uuid6 import uuid7

from accounts.models import User
from matching.models import SmartMatchCache
from profiles.models import Member

from .engine import ScoredMatch, SmartMatchStats, score_candidates

CACHE_TTL = timedelta(hours=6)
CACHE_TOP_N = 200
#: 2: the intention factor split from the new life-details factor (issue 18): older rows hold
#: other scores, so they are recomputed instead of read.
CACHE_VERSION = 2


@dataclass(frozen=True)
class SmartMatchSet:
    results: list[ScoredMatch]
    stats: SmartMatchStats
    computed_at: datetime
    from_cache: bool


def smart_match_cache_invalidate(*, user: User | UUID | str | QuerySet) -> int:
    """Drop the cached smart matches of ``user`` (a User, a user id, or a one-column queryset of
    user ids). Call whenever the user's profile, interests or preferences change. Returns the
    number of rows deleted."""
    if isinstance(user, QuerySet):
        rows = SmartMatchCache.objects.filter(user_id__in=user)
    else:
        rows = SmartMatchCache.objects.filter(user_id=user.pk if isinstance(user, User) else user)
    deleted, _ = rows.delete()
    return deleted


def smart_match_cache_invalidate_wanted_by(*, user: User, today: date | None = None) -> int:
    """Drop the cached smart matches of every member ``user``'s preferences now include
    (gender among their preferred genders, age in their range): after ``user`` edits their
    preferences they may belong in those members' results (issue 15, both sides'
    preferences). Members who no longer qualify are dropped when a cached list is read
    (:func:`matching.selectors.discovery.discovery_visible_user_ids`), so no other cache is touched.
    One DELETE; returns the number of rows deleted."""
    from matching.selectors.discovery import dob_latest_for_age

    today = today or timezone.localdate()
    genders = [g for g in user.preferred_gender_list if g in Member.Gender.values]
    wanted = Member.objects.filter(
        gender__in=genders,
        date_of_birth__lte=dob_latest_for_age(user.preferred_age_min, today=today),
        date_of_birth__gt=dob_latest_for_age(user.preferred_age_max + 1, today=today),
        listed=True,
    ).exclude(user_id=user.pk)
    deleted, _ = SmartMatchCache.objects.filter(user_id__in=wanted.values("user_id")).delete()
    return deleted


def _cache_read(*, user_id: UUID, now: datetime) -> SmartMatchSet | None:
    """The cached set of ``user_id`` if younger than :data:`CACHE_TTL`, else None (one query).

    ``match_data`` (about 40 KB for 200 results) is read as text and parsed with orjson:
    the standard library's parser took about half of the cached read's time (rules §16:
    cached <= 5 ms)."""
    row = (
        SmartMatchCache.objects.filter(user_id=user_id, created_at__gt=now - CACHE_TTL)
        .annotate(text=Cast("match_data", TextField()))
        .values_list("text", "created_at")
        .first()
    )
    if row is None:
        return None
    text, created_at = row
    data = orjson.loads(text)  # a JSON column: always valid JSON
    if not isinstance(data, dict) or data.get("v") != CACHE_VERSION:
        return None
    return SmartMatchSet(
        results=[ScoredMatch.from_json(r) for r in data["results"]],
        stats=SmartMatchStats(**data["stats"]),
        computed_at=created_at,
        from_cache=True,
    )


def _column(field: Field) -> str:
    """A concrete field's column name (the stubs type ``Field.column`` Optional for all)."""
    assert field.column is not None
    return field.column


def _cache_write(*, user_id: object, created_at: datetime, match_data: dict) -> None:
    """Insert or replace ``user_id``'s row in one statement (an upsert on the unique ``user``):
    atomic by itself, so two concurrent recomputes leave one row (the later write wins) and
    no transaction or row lock is needed."""
    opts = SmartMatchCache._meta
    values = {
        "id": uuid7(),
        "user": user_id,
        "match_data": match_data,
        "created_at": created_at,
        "updated_at": created_at,
    }
    quote = connection.ops.quote_name
    fields = [f for f in opts.concrete_fields if f.name in values]
    columns = ", ".join(quote(_column(f)) for f in fields)
    replaced = ", ".join(
        f"{quote(_column(f))} = EXCLUDED.{quote(_column(f))}"
        for f in fields
        if f.name in {"match_data", "created_at", "updated_at"}
    )
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    # Raw SQL because bulk_create(update_conflicts=True) wraps the INSERT in a transaction
    # (BEGIN + COMMIT: two more round trips). Only quoted model metadata is interpolated.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(opts.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({quote(opts.get_field('user').column)}) DO UPDATE SET {replaced}",
            params,
        )


def smart_matches_recompute(*, member: Member) -> SmartMatchSet:
    """Score every candidate of ``member`` and replace their cache row (rules §11).

    Two queries: the scoring and an upsert of the one row per user (see :func:`_cache_write`).
    Returns the fresh set (``from_cache=False``).
    """
    now = timezone.now()
    results, stats = score_candidates(member=member, top=CACHE_TOP_N)
    _cache_write(
        user_id=member.user_id,
        created_at=now,
        match_data={
            "v": CACHE_VERSION,
            "stats": stats.to_json(),
            "results": [r.to_json() for r in results],
        },
    )
    return SmartMatchSet(results=results, stats=stats, computed_at=now, from_cache=False)


def smart_matches_for(*, member: Member, refresh: bool = False) -> SmartMatchSet:
    """Smart matches of ``member``: the cached set when younger than 6 h, else recomputed and
    cached (rules §11). One query when cached."""
    if not refresh:
        cached = _cache_read(user_id=member.user_id, now=timezone.now())
        if cached is not None:
            return cached
    return smart_matches_recompute(member=member)
