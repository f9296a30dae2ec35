"""Periodic clean-up of the notification centre (issue 19)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def notifications_prune() -> int:
    """Beat task: delete notifications older than 30 days; returns how many went."""
    return services.notifications_prune()


@shared_task
def push_send(
    user_id: str, kind: str, key: str, actor_id: str | None, message_id: str | None
) -> int:
    """Send one Web Push event to a member's browsers, once (idempotent on ``key``); returns
    how many push services accepted it (see :func:`notifications.push.push_deliver`)."""
    from .push import push_deliver

    return push_deliver(
        user_id=user_id, kind=kind, key=key, actor_id=actor_id, message_id=message_id
    )


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_story_reply_email(self, notification_id: str) -> bool:
    """E-mail a story reply once (see :func:`services.story_reply_email_send_once`); retries
    while the mail server is unreachable."""
    try:
        return services.story_reply_email_send_once(notification_id=notification_id)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def like_digest() -> int:
    """Beat task (daily): the "someone liked me" digest e-mails; how many were sent."""
    return services.like_digest_send()


@shared_task
def held_flush() -> int:
    """Beat task (every 5 minutes): send the one summary push / e-mail of what was held
    during members' quiet hours or Shabbat mode; see :func:`notifications.quiet.held_flush`."""
    from . import quiet

    return quiet.held_flush()


@shared_task
def shabbat_windows() -> int:
    """Beat task (hourly): move Shabbat-mode members to their next candle-lighting →
    havdalah window (:func:`notifications.quiet.shabbat_windows_refresh`)."""
    from . import quiet

    return quiet.shabbat_windows_refresh()
