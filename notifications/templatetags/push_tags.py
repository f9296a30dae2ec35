"""``{% push_settings_section %}``: the Settings page's Web Push section (issue 19 C)."""

from __future__ import annotations

from django import template
from django.conf import settings

from notifications import push

register = template.Library()


@register.inclusion_tag("notifications/_push_settings.html", takes_context=True)
def push_settings_section(context) -> dict:  # type: ignore[no-untyped-def]
    """The switches, whether push is set up on this site and the key browsers subscribe with."""
    request = context["request"]
    if not push.push_enabled():  # push off: only the sentence saying so (no query)
        return {"enabled": False}
    prefs = push.push_settings_for(request.user.pk)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "enabled": push.push_enabled(),
        "public_key": settings.VAPID_PUBLIC_KEY,
        "prefs": prefs,
        "switches": [
            ("new_match", prefs.new_match, prefs._meta.get_field("new_match").verbose_name),
            ("new_message", prefs.new_message, prefs._meta.get_field("new_message").verbose_name),
            ("new_like", prefs.new_like, prefs._meta.get_field("new_like").verbose_name),
            ("story_reply", prefs.story_reply, prefs._meta.get_field("story_reply").verbose_name),
        ],
    }
