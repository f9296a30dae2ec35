"""Assistant reads (SPEC §12): the visible history with member cards."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import User
from matching.smart import ScoredMatch
from matching.smart.page import SmartMatchCard, cards_for
from profiles.models import Member

from .models import AIConversation, AIMessage

HISTORY_SHOWN = 30


@dataclass(frozen=True)
class ShownMessage:
    message: AIMessage
    cards: list[SmartMatchCard] = field(default_factory=list)

    @property
    def is_user(self) -> bool:
        return self.message.role == AIMessage.Role.USER

    @property
    def is_error(self) -> bool:
        return bool((self.message.metadata or {}).get("error"))


def shown_messages(*, viewer: Member, messages: list[AIMessage]) -> list[ShownMessage]:
    """Messages with their member cards rendered for ``viewer`` in the active language. Cards
    of members now blocked, paused, hidden by incognito or gone are dropped (a fixed number of queries per card message)."""
    from matching.selectors import blocked_user_ids, undiscoverable_user_ids

    hidden = {str(u) for u in blocked_user_ids(user_id=viewer.user_id)}
    card_ids = list(
        {c.get("u") for m in messages for c in (m.metadata or {}).get("cards") or [] if c.get("u")}
    )
    hidden |= undiscoverable_user_ids(viewer_id=viewer.user_id, user_ids=card_ids)
    shown = []
    for message in messages:
        raw = (message.metadata or {}).get("cards") or []
        matches = [ScoredMatch.from_json(c) for c in raw if c.get("u") not in hidden]
        cards = cards_for(viewer=viewer, matches=matches) if matches else []
        shown.append(ShownMessage(message=message, cards=cards))
    return shown


def history_for(*, user: User, limit: int = HISTORY_SHOWN) -> list[AIMessage]:
    """The last ``limit`` messages of the user's active conversation, oldest first. Only the
    user's own conversation is ever read."""
    conversation = (
        AIConversation.objects.filter(user=user, is_active=True).order_by("-updated_at").first()
    )
    if conversation is None:
        return []
    rows = list(
        AIMessage.objects.filter(conversation=conversation).order_by("-created_at", "-id")[:limit]
    )
    rows.reverse()
    return rows
