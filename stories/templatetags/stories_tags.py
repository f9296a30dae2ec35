"""``{% stories_strip_for as strip %}``: the strip data for the request's user (rules §10)."""

from __future__ import annotations

from django import template

from stories.filters import STORY_FILTERS
from stories.selectors import stories_strip
from stories.serializers import group_to_dict, viewer_labels

register = template.Library()


@register.simple_tag(takes_context=True)
def stories_strip_for(context) -> dict:
    """``{"groups": [StoryGroup], "data": {...viewer JSON...}, "has_own": bool}``; empty for
    anonymous visitors."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if viewer is None or not viewer.is_authenticated:
        return {"groups": [], "data": {}, "has_own": False}
    groups = stories_strip(viewer=viewer)
    return {
        "groups": groups,
        "has_own": bool(groups) and groups[0].is_own,
        "data": {
            "groups": [group_to_dict(g, viewer=viewer) for g in groups],
            "labels": viewer_labels(),
        },
    }


@register.filter
def story_filter_css(name: str) -> str:
    """The CSS ``filter`` value of a story filter name."""
    return STORY_FILTERS.get(name or "", STORY_FILTERS[""])[1]
