"""Writes of Share my date (rules §6 safety)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.selectors import is_blocked_pair, is_mutual_match
from profiles.models import Member

from .models import PLACE_MAX_CHARS, DateShare

#: How far ahead a date may be shared, and how long after its start it may still be.
MAX_AHEAD = timedelta(days=60)
MAX_BEHIND = timedelta(hours=12)
#: Live links per pair: enough for a few dates, not a spam tool.
MAX_LIVE_PER_PAIR = 5


@transaction.atomic
def date_share_create(
    *, creator: Member, partner: Member, starts_at: datetime, place: str, time_zone: str
) -> DateShare:
    """Create a share link for a date of ``creator`` with ``partner``.

    Only between a mutual match with no block (else PermissionDenied, a 403). ``starts_at``
    (aware) from 12 hours ago to 60 days ahead; ``place`` 1-200 characters after trimming
    (control characters removed); at most :data:`MAX_LIVE_PER_PAIR` live links per pair
    (ValidationError with codes ``when``, ``place``, ``too_many``). The link expires 24 h after
    ``starts_at``. Locks the creator's member row so concurrent requests respect the limit.
    """
    if creator.pk == partner.pk or not is_mutual_match(
        user_id=creator.user_id, other_id=partner.user_id
    ):
        raise PermissionDenied(_("You can share a date only with one of your matches."))
    if is_blocked_pair(user_id=creator.user_id, other_id=partner.user_id):
        raise PermissionDenied(_("You can share a date only with one of your matches."))
    now = timezone.now()
    if timezone.is_naive(starts_at) or not (now - MAX_BEHIND <= starts_at <= now + MAX_AHEAD):
        raise ValidationError(
            _("Choose the date's time: from today up to 60 days ahead."), code="when"
        )
    place = "".join(ch for ch in place if ch.isprintable() or ch == " ").strip()
    if not place or len(place) > PLACE_MAX_CHARS:
        raise ValidationError(
            _("Say where you meet (up to %(n)d characters).") % {"n": PLACE_MAX_CHARS},
            code="place",
        )
    Member.objects.select_for_update().only("id").get(pk=creator.pk)
    live = DateShare.objects.filter(
        creator=creator,
        partner=partner,
        revoked_at__isnull=True,
        starts_at__gt=now - timedelta(hours=24),
    ).count()
    if live >= MAX_LIVE_PER_PAIR:
        raise ValidationError(
            _("You already have %(n)d live links for this match; revoke one first.")
            % {"n": MAX_LIVE_PER_PAIR},
            code="too_many",
        )
    return DateShare.objects.create(
        creator=creator, partner=partner, starts_at=starts_at, place=place, time_zone=time_zone
    )


def date_share_revoke(*, creator: Member, share_id: UUID | str) -> DateShare:
    """Revoke one of ``creator``'s links: its page answers 404 from now on. Idempotent; Http404
    for a link that is not theirs."""
    try:
        share = DateShare.objects.get(pk=share_id, creator=creator)
    except (DateShare.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        DateShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
            revoked_at=share.revoked_at
        )
    return share
