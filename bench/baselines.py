"""In-process baselines of ``make bench`` (rules §16) that are not pages: smart matches scored
with one query per candidate, as the original app did (it loaded each candidate's interests and
interactions separately). The HTTP baselines are in ``bench/views.py``."""

from __future__ import annotations

from django.db import connection

from matching.smart.engine import candidate_queryset
from profiles.models import Member

_PER_CANDIDATE_SQL = """
SELECT
    ARRAY(SELECT interest_id FROM profiles_member_interests WHERE member_id = %s),
    COALESCE((
        SELECT SUM(weight) FROM matching_userinteraction
        WHERE (user_id = %s AND target_id = %s) OR (user_id = %s AND target_id = %s)
    ), 0)
"""


def smart_one_query_per_candidate(*, member: Member) -> int:
    """Score ``member``'s candidates (shared interests and behaviour parts) with one query for
    the candidate list plus one query per candidate; returns the number of queries run."""
    mine = set(
        Member.interests.through.objects.filter(member_id=member.pk).values_list(
            "interest_id", flat=True
        )
    )
    ids = list(candidate_queryset(member=member).values_list("pk", flat=True))
    queries = 2
    scores = []
    with connection.cursor() as cursor:
        for pk in ids:
            cursor.execute(_PER_CANDIDATE_SQL, [pk, member.pk, pk, pk, member.pk])
            interests, weight = cursor.fetchone()
            queries += 1
            shared = len(mine.intersection(interests or ()))
            scores.append(25 * min(1.0, shared / max(1, min(len(mine), 4))) + min(15.0, 3 * weight))
    scores.sort(reverse=True)
    return queries
