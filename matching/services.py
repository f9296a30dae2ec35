"""Write services of matching (SPEC §6, §7, §11)."""

from __future__ import annotations

from profiles.models import Member

from .models import UserInteraction

#: SPEC §11 interaction weights (views are computed from their duration).
ACTION_WEIGHTS = {
    UserInteraction.Action.LIKE: 2.0,
    UserInteraction.Action.MESSAGE: 3.0,
    UserInteraction.Action.PROFILE_CLICK: 1.5,
}


def interaction_weight(*, action: str, duration: int | None = None) -> float:
    """Weight of one interaction (SPEC §11).

    ``view``: 0.5 + min(duration / 60, 5) x 0.1, capped at 1.0 (``duration`` in seconds);
    like 2.0, message 3.0, profile_click 1.5.
    """
    if action == UserInteraction.Action.VIEW:
        minutes = min((duration or 0) / 60, 5)
        return min(0.5 + minutes * 0.1, 1.0)
    return ACTION_WEIGHTS[UserInteraction.Action(action)]


def interaction_record(
    *, user: Member, target: Member, action: str, duration: int | None = None
) -> UserInteraction | None:
    """Record that ``user`` did ``action`` on ``target`` (SPEC §11). Self-interactions are
    ignored (returns None). ``duration`` is in seconds (views only)."""
    if user.pk == target.pk:
        return None
    return UserInteraction.objects.create(
        user=user,
        target=target,
        action=action,
        duration=duration,
        weight=interaction_weight(action=action, duration=duration),
    )
