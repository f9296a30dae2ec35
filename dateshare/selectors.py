"""Reads of Share my date (rules §6 safety)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from matching.models import Block, Like
from profiles.models import Member, Photo

from .models import SHARE_LIFETIME_AFTER_DATE, DateShare

#: What :func:`dateshare.models.new_token` makes (URL-safe base64), within the column's size.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def date_share_public(*, token: str, now: datetime | None = None) -> DateShare:
    """The live share with ``token`` (not revoked, not 24 h past the date, neither account
    banned, and the two still a mutual match with no block either way) with both members loaded; Http404 otherwise, the
    same for unknown, revoked, expired and ended links, and without a query for anything that
    is not a token (a NUL would be a 500 on PostgreSQL).

    The partner agreed to be seen by being a match: once either side unmatches or blocks,
    their first name and photo are no longer shown to the creator's friend (rules §6,
    consent before contact), and liking each other again later does not revive the link: both
    likes must be older than the link (the match it was made in; likes are never re-dated).
    One query."""
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
            creator__user__is_active=True,  # a banned creator's links end too
        )
        .filter(
            Exists(
                Like.objects.filter(
                    source_id=OuterRef("creator_id"),
                    target_id=OuterRef("partner_id"),
                    created_at__lte=OuterRef("created_at"),
                )
            ),
            Exists(
                Like.objects.filter(
                    source_id=OuterRef("partner_id"),
                    target_id=OuterRef("creator_id"),
                    created_at__lte=OuterRef("created_at"),
                )
            ),
            ~Exists(
                Block.objects.filter(
                    Q(
                        blocker_id=OuterRef("creator__user_id"),
                        blocked_id=OuterRef("partner__user_id"),
                    )
                    | Q(
                        blocker_id=OuterRef("partner__user_id"),
                        blocked_id=OuterRef("creator__user_id"),
                    )
                )
            ),
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
