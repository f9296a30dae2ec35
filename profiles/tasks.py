"""Background jobs of profiles (docs/rules.md §0): the daily trust-score refresh."""

from __future__ import annotations

from celery import shared_task

from accounts.models import User

from .trust import trust_score_recompute


@shared_task(name="profiles.tasks.trust_scores_refresh")
def trust_scores_refresh() -> int:
    """Daily: recompute every trust score (account age moves on its own). Returns the count of
    users processed."""
    count = 0
    for user in User.objects.filter(is_active=True).iterator(chunk_size=500):
        trust_score_recompute(user=user)
        count += 1
    return count
