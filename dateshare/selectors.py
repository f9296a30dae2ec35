"""Reads of Share my date (rules §6 safety)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from profiles.models import Member, Photo

from .models import SHARE_LIFETIME_AFTER_DATE, DateShare

#: What :func:`dateshare.models.new_token` makes (URL-safe base64), within the column's size.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def date_share_public(*, token: str, now: datetime | None = None) -> DateShare:
    """The live share with ``token`` (not revoked, not 24 h past the date) with both members
    loaded; Http404 otherwise, the same for unknown, revoked and expired links, and without
    a query for anything that is not a token (a NUL would be a 500 on PostgreSQL)."""
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    now = now or timezone.now()
    share = (
        DateShare.objects.select_related("creator", "partner")
        .filter(
            token=token,
            revoked_at__isnull=True,
            starts_at__gt=now - SHARE_LIFETIME_AFTER_DATE,
            partner__user__is_active=True,
        )
        .first()
    )
    if share is None:
        raise Http404
    return share


def main_photo(*, member: Member) -> Photo | None:
    """The member's main approved photo (the one ``Member.image`` points at), else the first
    approved one; None without any."""
    photos = list(
        Photo.objects.filter(member=member, is_approved=True).order_by("created_at", "id")
    )
    return next((p for p in photos if p.url == member.image), photos[0] if photos else None)


def date_shares_for_pair(*, creator: Member, partner: Member) -> QuerySet[DateShare]:
    """``creator``'s links for dates with ``partner`` that are still live, soonest first."""
    return DateShare.objects.filter(
        creator=creator,
        partner=partner,
        revoked_at__isnull=True,
        starts_at__gt=timezone.now() - timedelta(hours=24),
    ).order_by("starts_at", "id")


def first_name(member: Member) -> str:
    """The first word of the member's name (what the public page shows)."""
    return (member.name.split() or [""])[0]
