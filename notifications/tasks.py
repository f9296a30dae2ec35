"""Periodic clean-up of the notification centre (issue 19)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def notifications_prune() -> int:
    """Beat task: delete notifications older than 30 days; returns how many went."""
    return services.notifications_prune()
