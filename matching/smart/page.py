"""Read side of /smart-matches/ (rules §11): filter, page and decorate cached results."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Like
from matching.selectors import blocked_user_ids
from matching.selectors.discovery import discovery_visible_user_ids, not_passed_q, wants_viewer_q
from profiles.models import Member
from profiles.selectors import is_verified

from .cache import smart_matches_for
from .engine import ScoredMatch, SmartMatchStats
from .reasons import distance_label, interest_labels_for, reason_for

PAGE_SIZE = 8
SCORE_FILTERS = (0, 80, 90, 95)


def score_band(score: int) -> tuple[str, str]:
    """(css class, label) of the badge for ``score``."""
    if score >= 95:
        return "band-perfect", str(_("Perfect match"))
    if score >= 90:
        return "band-excellent", str(_("Excellent match"))
    if score >= 75:
        return "band-great", str(_("Great match"))
    if score >= 60:
        return "band-good", str(_("Good match"))
    return "band-fair", str(_("Possible match"))


@dataclass(frozen=True)
class SmartMatchCard:
    member: Member
    match: ScoredMatch
    reason: str
    band_class: str
    band_label: str
    distance: str | None
    verified: bool
    liked: bool


@dataclass(frozen=True)
class SmartMatchPage:
    cards: list[SmartMatchCard]
    stats: SmartMatchStats
    page: int
    has_next: bool
    has_previous: bool
    total_shown: int
    min_score: int
    computed_at: object


def parse_min_score(raw: str | None) -> int:
    """The score filter from the query string; anything unknown means "all"."""
    try:
        value = int(raw or 0)
    except ValueError:
        return 0
    return value if value in SCORE_FILTERS else 0


def parse_page(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def without_distance(match: ScoredMatch) -> ScoredMatch:
    """``match`` without its distance fact (for a member who turned "Show my distance" off):
    the score stays, the reason and the card name no km."""
    if "km" not in match.facts:
        return match
    facts = {k: v for k, v in match.facts.items() if k != "km"}
    return ScoredMatch(user_id=match.user_id, score=match.score, parts=match.parts, facts=facts)


def visible_matches(*, viewer: Member, matches: list[ScoredMatch]) -> list[ScoredMatch]:
    """``matches`` (possibly cached hours ago) as ``viewer`` may see them now: members that
    :func:`matching.selectors.discovery.discovery_visible_user_ids` leaves out (paused, incognito,
    unlisted, blocked, passed on, or whose preferences no longer hold the viewer) are
    dropped, and members who turned "Show my distance" off lose their distance fact. Two
    queries."""
    # Paused, incognito, unlisted, blocked, passed on, or wanting someone else (issue 15):
    # one query over the cached ids.
    visible = discovery_visible_user_ids(
        viewer_member=viewer, user_ids=[m.user_id for m in matches]
    )
    kept = [m for m in matches if m.user_id in visible]
    if not kept:
        return kept
    no_distance = {
        str(u)
        for u in Member.objects.filter(
            user_id__in=[m.user_id for m in kept], show_distance=False
        ).values_list("user_id", flat=True)
    }
    return [without_distance(m) if m.user_id in no_distance else m for m in kept]


def cards_for(*, viewer: Member, matches: list[ScoredMatch]) -> list[SmartMatchCard]:
    """Cards (member + reason in the active language + whether ``viewer`` liked them) for
    ``matches``, in the given order. Members no longer discoverable are dropped, as are members
    the viewer passed on since and members whose preferences no longer hold the viewer (issue
    15: the cache may be older than their edit). At most 5 queries whatever the count (the
    verified flag is a member column)."""
    ids = [m.user_id for m in matches]
    members = {
        str(m.user_id): m
        for m in Member.objects.select_related("user").filter(
            not_passed_q(viewer_member=viewer, now=timezone.now()),
            wants_viewer_q(viewer_member=viewer, today=timezone.localdate()),
            user_id__in=ids,
            user__is_active=True,
            user__profile_complete=True,
        )
    }
    labels = interest_labels_for(matches)
    liked = {
        str(u)
        for u in Like.objects.filter(source=viewer, target__user_id__in=list(members)).values_list(
            "target__user_id", flat=True
        )
    }
    cards = []
    for match in matches:
        member = members.get(match.user_id)
        if member is None:
            continue
        if not member.show_distance:
            match = without_distance(match)
        band_class, band_label = score_band(match.score)
        km = match.facts.get("km")
        cards.append(
            SmartMatchCard(
                member=member,
                match=match,
                reason=reason_for(match, labels),
                band_class=band_class,
                band_label=band_label,
                distance=distance_label(km) if km is not None else None,
                verified=is_verified(member),
                liked=match.user_id in liked,
            )
        )
    return cards


def smart_match_page(*, member: Member, min_score: int = 0, page: int = 1) -> SmartMatchPage:
    """One page (8 cards) of ``member``'s smart matches with score >= ``min_score``.

    Uses the 6-hour cache; members blocked, paused or gone incognito since the cache was built
    are left out, and distances follow each member's "Show my distance" now.
    """
    result = smart_matches_for(member=member)
    hidden = {str(u) for u in blocked_user_ids(user_id=member.user_id)}
    matches = visible_matches(
        viewer=member,
        matches=[m for m in result.results if m.score >= min_score and m.user_id not in hidden],
    )
    start = (page - 1) * PAGE_SIZE
    page_matches = matches[start : start + PAGE_SIZE]
    return SmartMatchPage(
        cards=cards_for(viewer=member, matches=page_matches),
        stats=result.stats,
        page=page,
        has_next=len(matches) > start + PAGE_SIZE,
        has_previous=page > 1,
        total_shown=len(matches),
        min_score=min_score,
        computed_at=result.computed_at,
    )
