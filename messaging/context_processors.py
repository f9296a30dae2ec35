"""The unread-messages badge in the navigation (rules §8)."""

from __future__ import annotations

from django.http import HttpRequest


class _LazyCount:
    """Runs its one query only when a template reads it, at most once per request."""

    def __init__(self, user_id) -> None:
        self.user_id = user_id
        self.value: int | None = None

    def __call__(self) -> int:
        if self.value is None:
            from .selectors import unread_count

            self.value = unread_count(user_id=self.user_id)
        return self.value


def unread_messages(request: HttpRequest) -> dict:
    """``unread_message_count`` for signed-in members: one cheap query, only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.profile_complete:
        return {"unread_message_count": 0}
    return {"unread_message_count": _LazyCount(user.pk)}
