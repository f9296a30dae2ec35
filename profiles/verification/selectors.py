"""Reads of selfie verification (rules §4): the member's own state and the staff queue.
Selfies are only ever read here for their owner (state, never the image) and for staff."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch

from profiles.models import Member, Photo, Selfie

from . import POSES

QUEUE_LIMIT = 40


@dataclass(frozen=True)
class Pose:
    key: str
    name: str
    instruction: str

    @property
    def image(self) -> str:
        """Static path of the illustration."""
        return f"img/poses/{self.key}.svg"


def pose(key: str) -> Pose:
    """The pose ``key`` with its texts in the active language (unknown keys: the first pose)."""
    if key not in POSES:
        key = next(iter(POSES))
    name, instruction = POSES[key]
    return Pose(key=key, name=str(name), instruction=str(instruction))


@dataclass(frozen=True)
class VerificationState:
    """What the member's verification page shows: ``verified``, the attempt in progress
    (open: waiting for the photo; pending: waiting for staff), the last rejection."""

    verified: bool
    current: Selfie | None
    last_rejected: Selfie | None
    pose: Pose | None = None


def verification_state(*, member: Member) -> VerificationState:
    """The member's own verification state (two queries at most)."""
    attempts = list(Selfie.objects.filter(member=member).order_by("-created_at", "-id")[:5])
    current = next(
        (s for s in attempts if s.status in (Selfie.Status.OPEN, Selfie.Status.PENDING)), None
    )
    rejected = next((s for s in attempts if s.status == Selfie.Status.REJECTED), None)
    return VerificationState(
        verified=member.verified,
        current=current,
        last_rejected=rejected if current is None else None,
        pose=pose(current.pose) if current else None,
    )


@dataclass(frozen=True)
class QueueItem:
    selfie: Selfie
    pose: Pose
    photos: list[Photo] = field(default_factory=list)


def selfie_queue(*, limit: int = QUEUE_LIMIT) -> tuple[list[QueueItem], int]:
    """Pending selfies, oldest first, each with its pose and the member's approved profile
    photos to compare with; and the total pending count. Three queries."""
    pending = Selfie.objects.filter(status=Selfie.Status.PENDING)
    rows = list(
        pending.select_related("member")
        .prefetch_related(
            Prefetch(
                "member__photos",
                queryset=Photo.objects.filter(is_approved=True).order_by("created_at", "id"),
                to_attr="approved_photos",
            )
        )
        .order_by("submitted_at", "id")[:limit]
    )
    items = [
        QueueItem(selfie=s, pose=pose(s.pose), photos=s.member.approved_photos)  # type: ignore[attr-defined]
        for s in rows
    ]
    return items, pending.count()


def selfie_for_staff(*, selfie_id: uuid.UUID) -> Selfie | None:
    """A selfie with a stored image, for the staff image view (the view checks staff)."""
    try:
        return Selfie.objects.exclude(file="").filter(pk=selfie_id).first()
    except (ValueError, TypeError):
        return None
