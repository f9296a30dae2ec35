"""A shared date (rules §6 safety): what a friend's link shows, until 24 h after the date."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

from miel.models import UUIDModel
from profiles.models import Member

#: The public page works until this long after the date's start.
SHARE_LIFETIME_AFTER_DATE = timedelta(hours=24)
PLACE_MAX_CHARS = 200


def new_token() -> str:
    """256 random bits, URL-safe (43 characters): unguessable."""
    return secrets.token_urlsafe(32)


class DateShare(UUIDModel):
    """One share link: ``creator`` meets ``partner`` (a match) at ``starts_at`` in ``place``.
    The public page shows the partner's first name and main photo, the time and the place as
    typed, and the creator's first name; nothing else."""

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    creator = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="date_shares")
    partner = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    #: The creator's time zone when they shared, to show the time as they typed it.
    time_zone = models.CharField(max_length=64, default="Asia/Jerusalem")
    place = models.CharField(max_length=PLACE_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["creator", "partner"], name="dateshare_pair_idx")]

    def __str__(self) -> str:
        return f"Date share {self.id} by {self.creator_id}"

    @property
    def expires_at(self) -> datetime:
        return self.starts_at + SHARE_LIFETIME_AFTER_DATE

    def is_live(self, now: datetime | None = None) -> bool:
        """Not revoked and not yet 24 h past the date."""
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at
