"""Matching background jobs (SPEC §6)."""

from __future__ import annotations

from celery import shared_task

from .services import match_email_send_once


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_match_email(self, user_id: str, other_id: str) -> bool:  # type: ignore[no-untyped-def]
    """E-mail ``user_id`` that they matched with ``other_id`` (User UUID strings).

    Safe to run twice: :func:`matching.services.match_email_send_once` claims the pair's
    notification row first. Retries when the mail server is unreachable."""
    try:
        return match_email_send_once(user_id=user_id, other_id=other_id)
    except OSError as exc:
        raise self.retry(exc=exc) from exc
