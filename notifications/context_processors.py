"""The bell's unread count in the top bar (issue 19)."""

from __future__ import annotations

from django.http import HttpRequest


class _LazyCount:
    """Reads the count (cache, else one COUNT) only when a template reads it, once per request."""

    def __init__(self, user_id) -> None:
        self.user_id = user_id
        self.value: int | None = None

    def __call__(self) -> int:
        if self.value is None:
            from .selectors import unread_count_cached

            self.value = unread_count_cached(user_id=self.user_id)
        return self.value


def unread_notifications(request: HttpRequest) -> dict:
    """``unread_notification_count`` for signed-in members (a callable the template calls)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.profile_complete:
        return {"unread_notification_count": 0}
    return {"unread_notification_count": _LazyCount(user.pk)}
