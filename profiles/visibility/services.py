"""Writes of Settings → Visibility (rules §5)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.services.entitlements import Feature, has_feature
from profiles.models import Member


@transaction.atomic
def member_visibility_update(
    *, member: Member, paused: bool, incognito: bool, show_distance: bool
) -> Member:
    """Save the member's visibility settings and return the member as saved.

    - ``paused``: hidden from discovery everywhere (members list, deck, smart matches, the
      assistant, the stories strip of non-matches) until resumed; matches and chats go on.
      ``Member.paused_at`` keeps the time it started (unchanged while it stays paused).
    - ``incognito`` (premium, ``Feature.INCOGNITO``): only members I liked see me in
      discovery, and my profile views are not recorded. Switching it on without premium raises
      ValidationError ``premium_required``; switching it off is always allowed. When premium
      ends the setting stays but has no effect (the discovery filter checks premium).
    - ``show_distance`` False: others see my city only, never a distance number.

    Written with ``update()`` under a row lock on the member: none of these changes what the
    member's own smart matches or trust score are made of, so no receiver needs to run.
    """
    user = member.user
    if incognito and not user.incognito and not has_feature(user, Feature.INCOGNITO):
        raise ValidationError(_("Incognito is a premium feature."), code="premium_required")
    locked = Member.objects.select_for_update().only("id", "paused_at").get(pk=member.pk)
    paused_at = (locked.paused_at or timezone.now()) if paused else None
    Member.objects.filter(pk=locked.pk).update(paused_at=paused_at, show_distance=show_distance)
    if user.incognito != incognito:
        User.objects.filter(pk=user.pk).update(incognito=incognito)
        user.incognito = incognito
    member.paused_at, member.show_distance = paused_at, show_distance
    return member
