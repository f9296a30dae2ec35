"""``{% can_share_date other as ok %}``: the chat shows "Share my date" only with a match."""

from __future__ import annotations

from django import template

from matching.selectors import is_mutual_match

register = template.Library()


@register.simple_tag(takes_context=True)
def can_share_date(context: template.Context, other: object) -> bool:
    """True when the signed-in member and ``other`` (a Member) are a mutual match."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or other is None:
        return False
    return is_mutual_match(user_id=user.pk, other_id=other.user_id)  # type: ignore[attr-defined]
