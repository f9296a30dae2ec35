"""Read side of the Discover deck (issue 15): one member at a time, with the photos, bio and
interests the members-list cards leave out.

The deck walks the members list's own selector (:func:`matching.selectors.discovery.members_discover`:
same filters, both sides' preferences, passes, blocks, boosted first then the chosen order),
minus members the viewer already liked; this module adds what a large card shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db.models import Prefetch
from django.utils import timezone

from matching.selectors.discovery import DiscoverCard, _distance, discover_cards, wants_viewer_q
from matching.selectors.relations import discoverable, not_blocked, not_unmatched_by
from profiles.models import Interest, Member, Photo, PromptAnswer, VoicePrompt
from profiles.selectors import detail_chips
from profiles.services import DETAIL_FIELDS

#: Cards the server renders per batch: the one shown and the next ones, prefetched.
DECK_BATCH = 6


@dataclass
class DeckCard:
    """One deck card: the members-list card plus photos, bio and interests."""

    card: DiscoverCard
    photos: list[str] = field(default_factory=list)  # approved photo URLs, main first
    #: The member's description of each photo in ``photos`` ("" = the default alt), issue 17.
    photo_alts: list[str] = field(default_factory=list)
    description: str = ""
    interests: list[Interest] = field(default_factory=list)
    is_verified: bool = False
    prompts: list[PromptAnswer] = field(default_factory=list)  # in the member's order
    chips: list[tuple[str, str]] = field(default_factory=list)  # (icon, label), issue 18
    voice: VoicePrompt | None = None  # the approved voice prompt, issue 18

    @property
    def member(self) -> Member:
        return self.card.member

    @property
    def photo_items(self) -> list[tuple[str, str]]:
        """(URL, the member's description or "") for each photo, main first (issue 17)."""
        alts = self.photo_alts + [""] * (len(self.photos) - len(self.photo_alts))
        return list(zip(self.photos, alts, strict=False))

    @property
    def prompt_rows(self) -> list[tuple[PromptAnswer, str]]:
        """Each prompt answer with the photo shown after it ("" for none): the member's 2nd,
        3rd… photos, so the card reads photo, prompt, photo, prompt (issue 18)."""
        return [
            (a, self.photos[i + 1] if i + 1 < len(self.photos) else "")
            for i, a in enumerate(self.prompts)
        ]


def deck_cards(cards: list[DiscoverCard]) -> list[DeckCard]:
    """Decorate members-list cards for the deck: approved photos (oldest first, as on the
    profile page), description and interests; the verified badge is the card's (the one
    rule, :func:`profiles.selectors.is_verified`), prompt answers and life-detail chips
    (issue 18) and the approved voice prompt. Five queries for the batch."""
    if not cards:
        return []
    ids = [c.member.pk for c in cards]
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in=ids)
        .only("id", "description", "image", *DETAIL_FIELDS, "details_hidden")
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=Photo.objects.filter(is_approved=True).order_by("created_at", "id"),
                to_attr="approved_photos",
            ),
            Prefetch("interests", queryset=Interest.objects.order_by("category", "slug")),
            Prefetch(
                "prompt_answers",
                queryset=PromptAnswer.objects.select_related("prompt").order_by("position"),
                to_attr="answers",
            ),
            Prefetch(
                "voice_prompts",
                queryset=VoicePrompt.objects.filter(is_approved=True)
                .select_related("prompt")
                .order_by("-created_at"),
                to_attr="voices",
            ),
        )
    }
    result = []
    for card in cards:
        full = members.get(card.member.pk)
        if full is None:
            continue
        photos = [p.url for p in full.approved_photos]
        photo_alts = [p.alt_text for p in full.approved_photos]
        if not photos and full.image:
            photos, photo_alts = [full.image], [""]
        result.append(
            DeckCard(
                card=card,
                photos=photos,
                photo_alts=photo_alts,
                description=full.description,
                interests=list(full.interests.all()),
                is_verified=card.is_verified,
                prompts=full.answers,
                chips=detail_chips(full),
                voice=full.voices[0] if full.voices else None,
            )
        )
    return result


def deck_card_for(
    *, viewer_member: Member, member_pk: UUID, now: datetime | None = None
) -> DeckCard | None:
    """The deck card of one member (the one an undo brings back, or ``?first=``), or None
    when the deck's rules would not show them: not listed any more, paused or hidden by
    incognito, a block between the two, an unmatch by them, their preferences leaving the
    viewer out (issue 15), or the viewer themself. One query plus :func:`deck_cards`'."""
    now = now or timezone.now()
    member = (
        Member.objects.filter(
            not_blocked(user_id=viewer_member.user_id),
            discoverable(viewer_id=viewer_member.user_id),
            not_unmatched_by(user_id=viewer_member.user_id),
            wants_viewer_q(viewer_member=viewer_member, today=timezone.localdate(now)),
            pk=member_pk,
            listed=True,
        )
        .exclude(pk=viewer_member.pk)
        .annotate(distance_km=_distance(viewer_member))
        .first()
    )
    if member is None:
        return None
    cards = deck_cards(discover_cards([member], now=now))
    return cards[0] if cards else None
