"""Matching background jobs (rules §6)."""

from __future__ import annotations

from uuid import UUID

from celery import shared_task

from miel.mail import EMAIL_TASK_OPTIONS

from .services.likes import match_email_send_once


@shared_task(**EMAIL_TASK_OPTIONS)
def send_match_email(self, user_id: str, other_id: str) -> bool:
    """E-mail ``user_id`` that they matched with ``other_id`` (User UUID strings).

    Safe to run twice: :func:`matching.services.match_email_send_once` marks the pair's
    notification sent only after the send succeeded, under a row lock. A failed send (the mail
    server down or refusing) is retried with exponential backoff (``EMAIL_TASK_OPTIONS``)."""
    return match_email_send_once(user_id=UUID(str(user_id)), other_id=UUID(str(other_id)))
