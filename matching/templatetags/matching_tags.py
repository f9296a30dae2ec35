"""``{% profile_actions_for member as state %}``: like state for the profile page buttons."""

from __future__ import annotations

from django import template

from matching.selectors import ProfileActionsState, profile_actions_state

register = template.Library()


@register.simple_tag(takes_context=True)
def profile_actions_for(context, member) -> ProfileActionsState | None:
    """Like / match state between the request's user and ``member`` (one query)."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if viewer is None or not viewer.is_authenticated or member is None:
        return None
    return profile_actions_state(viewer=viewer, member=member)
