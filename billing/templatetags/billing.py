"""Template helpers so templates ask billing.services.entitlements, never ``premium_until`` (rules §13).

``{% load billing %}{% has_feature user "see_who_liked_me" as can_see %}`` and the boost box
``{% include "billing/_boost_button.html" %}`` (which calls ``{% boost_state %}``).
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from billing.services.entitlements import Feature
from billing.services.entitlements import has_feature as _has_feature

register = template.Library()

BOOST_CHOICES = (24, 48, 72)


@register.simple_tag
def has_feature(user: object, feature: str) -> bool:
    """True when ``user`` may use the premium ``feature`` (a Feature value)."""
    try:
        wanted = Feature(feature)
    except ValueError:
        return False
    return _has_feature(user, wanted)  # type: ignore[arg-type]


@register.simple_tag(takes_context=True)
def boost_state(context: template.Context) -> dict[str, object]:
    """What the boost box needs about the signed-in user."""
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return {"can_boost": False, "boosts_available": 0, "boosted_until": None}
    member = getattr(user, "member", None)
    boosted_until = getattr(member, "boosted_until", None)
    if boosted_until is not None and boosted_until <= timezone.now():
        boosted_until = None
    return {
        "can_boost": _has_feature(user, Feature.BOOST),
        "boosts_available": user.boosts_available,
        "boosted_until": boosted_until,
        "has_member": member is not None,
        "choices": BOOST_CHOICES,
    }
