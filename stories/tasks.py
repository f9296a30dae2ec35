"""Background jobs of stories (rules §10)."""

from __future__ import annotations

from celery import shared_task

from .services import stories_expire


@shared_task(name="stories.tasks.expire_stories", acks_late=True)
def expire_stories() -> int:
    """Beat job: deactivate stories past their 24 hours and delete their media. Idempotent;
    returns how many stories it expired."""
    return stories_expire()
