"""Read-side rules of matching shared by every app (SPEC §6): blocks and matches."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q

from .models import Block, Like


def is_blocked_pair(*, user_id: UUID | str, other_id: UUID | str) -> bool:
    """True when either user (User ids) blocked the other (SPEC §6: hides both ways)."""
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_id) | Q(blocker_id=other_id, blocked_id=user_id)
    ).exists()


def blocked_user_ids(*, user_id: UUID | str) -> set[UUID]:
    """User ids hidden from ``user_id`` because of a block in either direction."""
    rows = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list(
        "blocker_id", "blocked_id"
    )
    return {other for pair in rows for other in pair} - {UUID(str(user_id))}


def is_mutual_match(*, user_id: UUID | str, other_id: UUID | str) -> bool:
    """True when the two users (User ids) liked each other."""
    return (
        Like.objects.filter(
            Q(source__user_id=user_id, target__user_id=other_id)
            | Q(source__user_id=other_id, target__user_id=user_id)
        ).count()
        == 2
    )
