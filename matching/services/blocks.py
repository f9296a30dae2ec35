"""The "Blocked members" settings page: whom I blocked, and lifting a block (rules §6 safety).

Blocking itself is ``matching.services.block_create`` (hides both members from each other
everywhere and deletes the likes between them). Unblocking only removes the Block row: both
members see each other again, but the deleted likes, and so a previous match, stay deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import transaction

from accounts.models import User
from matching.models import Block
from matching.smart.cache import smart_match_cache_invalidate
from profiles.models import Member


@dataclass(frozen=True)
class BlockedMember:
    """What the page shows of someone I blocked: no more than a name and the main photo."""

    user_id: UUID
    name: str
    image: str
    blocked_at: datetime


def blocked_members(*, blocker: User) -> list[BlockedMember]:
    """The members ``blocker`` blocked, newest block first (2 queries whatever the count).

    A blocked account without a dating profile shows its account name (or nothing: the
    template says "A member")."""
    blocks = list(
        Block.objects.filter(blocker=blocker)
        .select_related("blocked")
        .only("blocked_id", "created_at", "blocked__name")
        .order_by("-created_at", "-id")
    )
    members = {
        m.user_id: m
        for m in Member.objects.filter(user_id__in=[b.blocked_id for b in blocks]).only(
            "user_id", "name", "image"
        )
    }
    result = []
    for b in blocks:
        member = members.get(b.blocked_id)
        result.append(
            BlockedMember(
                user_id=b.blocked_id,
                name=(member.name if member else "") or b.blocked.name,
                image=(member.image if member else "") or "",
                blocked_at=b.created_at,
            )
        )
    return result


@transaction.atomic
def block_lift(*, blocker: User, blocked_id: UUID) -> bool:
    """Lift the block ``blocker`` made on ``blocked_id`` (a User id). Only the blocker's own
    block is ever touched (a block the other member made on them stays). Both members' cached
    smart matches are dropped so each shows up in the other's again. Likes deleted by the block
    are not restored. Returns False when ``blocker`` had not blocked ``blocked_id``."""
    deleted, _rows = Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()
    if not deleted:
        return False
    smart_match_cache_invalidate(user=blocker)
    smart_match_cache_invalidate(user=blocked_id)
    return True
