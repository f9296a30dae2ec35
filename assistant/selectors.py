"""Assistant reads (rules §12): the visible history with member cards, and the intent of a
typed message."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from accounts.models import User
from matching.selectors.discovery import discovery_visible_user_ids
from matching.smart import ScoredMatch
from matching.smart.page import SmartMatchCard, cards_for
from profiles.models import Member

from . import intent_rules
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

    @property
    def is_refunded(self) -> bool:
        return bool((self.message.metadata or {}).get("refunded"))

    @property
    def is_refundable(self) -> bool:
        """An assistant answer that counted against the quota and can get "Not what I asked"."""
        meta = self.message.metadata or {}
        return (
            not self.is_user
            and not meta.get("error")
            and not meta.get("refunded")
            and bool(meta.get("usage_log"))
        )


def shown_messages(*, viewer: Member, messages: list[AIMessage]) -> list[ShownMessage]:
    """Messages with their member cards rendered for ``viewer`` in the active language. Cards
    of members the viewer may no longer meet in discovery (blocked either way, paused, hidden by
    incognito, unmatched, passed on, not wanting the viewer, gone) are dropped: the one rule of
    :func:`matching.selectors.discovery.discovery_visible_user_ids` (one query, plus a fixed number per
    card message)."""

    card_ids = list(
        {c.get("u") for m in messages for c in (m.metadata or {}).get("cards") or [] if c.get("u")}
    )
    visible = discovery_visible_user_ids(viewer_member=viewer, user_ids=card_ids)
    hidden = set(card_ids) - visible
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


# --- intents ----------------------------------------------------------------------------------

#: Intents the classifier can return: the quick actions, plus ``smalltalk`` (greetings,
#: thanks) and ``help`` (what can you do, or anything outside the assistant's skills).
CLASSIFIED_INTENTS = intent_rules.PRIORITY
_HEBREW_PREFIX = "[והבלמשכ]{0,2}"
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_NOT_WORD = re.compile(r"[^\w']+")


def normalise_text(text: str) -> str:
    """Lower case, Hebrew vowel points and cantillation removed, curly apostrophes straightened,
    letters repeated 3+ times folded to one, punctuation turned into single spaces."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = "".join(ch for ch in text if not ("\u0591" <= ch <= "\u05c7"))
    text = text.replace("\u2019", "'").replace("\u05f3", "'").replace("\u05f4", '"')
    text = _REPEATS.sub(r"\1", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    stem = pattern.endswith("*")
    body = re.escape(pattern.rstrip("*")).replace("\\ ", r"\s+")
    hebrew = "\u05d0" <= pattern[0] <= "\u05ea"
    start = rf"(?<![^\W_]){_HEBREW_PREFIX if hebrew else ''}"
    end = "" if stem else r"(?:s|es|ים|ות)?(?![^\W_])"
    return re.compile(start + body + end)


@cache
def _compiled_rules() -> tuple[tuple[str, tuple[tuple[re.Pattern[str], int], ...]], ...]:
    return tuple(
        (intent, tuple((_pattern_regex(p), w) for p, w in intent_rules.RULES[intent]))
        for intent in intent_rules.PRIORITY
    )


def intent_scores(text: str) -> dict[str, int]:
    """Total rule weight per intent for ``text`` (intents with no match left out)."""
    normalised = normalise_text(text)
    scores: dict[str, int] = {}
    for intent, rules in _compiled_rules():
        total = sum(weight for regex, weight in rules if regex.search(normalised))
        if total:
            scores[intent] = total
    return scores


def classify_intent(text: str, *, quick_action: str | None = None) -> str:
    """The assistant skill a message asks for, in Hebrew or English (rules in
    :mod:`assistant.intent_rules`).

    A quick-action button (``quick_action`` one of the quick intents) is a shortcut and wins.
    Otherwise the intent with the highest rule weight, ties broken by
    :data:`assistant.intent_rules.PRIORITY`; ``help`` when nothing matched (a question outside
    the assistant's skills). Returns one of :data:`CLASSIFIED_INTENTS`.
    """
    if quick_action in CLASSIFIED_INTENTS:
        return quick_action
    scores = intent_scores(text)
    if not scores:
        return "help"
    order = {intent: i for i, intent in enumerate(intent_rules.PRIORITY)}
    return min(scores, key=lambda intent: (-scores[intent], order[intent]))
