"""Background jobs of smart matches (rules §11). Imported by ``matching.tasks`` so Celery's
autodiscovery registers them."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from profiles.models import Member

#: Warm caches of users active this recently, when their cache is older than this.
WARM_ACTIVE_WITHIN = timedelta(hours=24)
WARM_WHEN_OLDER_THAN = timedelta(hours=5)


@shared_task(name="matching.smart_tasks.smart_matches_warm")
def smart_matches_warm(user_id: str) -> int:
    """Recompute and cache one user's smart matches. Returns the candidate count (0 when the
    user has no member profile)."""
    from matching.smart import smart_matches_recompute

    member = Member.objects.select_related("user").filter(user_id=user_id).first()
    if member is None:
        return 0
    return smart_matches_recompute(member=member).stats.total


@shared_task(name="matching.smart_tasks.smart_matches_warm_active")
def smart_matches_warm_active() -> int:
    """Queue a warm-up for every recently active member whose cache is missing or older than
    5 h, so /smart-matches/ is served from the cache. Returns how many were queued."""
    from matching.models import SmartMatchCache

    now = timezone.now()
    fresh = SmartMatchCache.objects.filter(created_at__gt=now - WARM_WHEN_OLDER_THAN).values(
        "user_id"
    )
    user_ids = list(
        Member.objects.filter(
            user__is_active=True,
            user__profile_complete=True,
            last_active_at__gte=now - WARM_ACTIVE_WITHIN,
        )
        .exclude(user_id__in=fresh)
        .values_list("user_id", flat=True)
    )
    for user_id in user_ids:
        smart_matches_warm.delay(str(user_id))
    return len(user_ids)
