"""``{% push_settings_section %}``: the Settings page's Web Push section (issue 19 C)."""

from __future__ import annotations

from django import template
from django.conf import settings

from notifications import push

register = template.Library()


@register.inclusion_tag("notifications/_push_settings.html", takes_context=True)
def push_settings_section(context) -> dict:
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
            (
                "profile_view",
                prefs.profile_view,
                prefs._meta.get_field("profile_view").verbose_name,
            ),
        ],
    }


@register.inclusion_tag("notifications/_quiet_settings.html", takes_context=True)
def quiet_settings_section(context) -> dict:
    """Quiet hours and Shabbat and holiday mode (issue 19): the form, and with Shabbat mode on
    the next (or current) candle lighting and havdalah in the member's time zone, saying when
    Jerusalem's times are used (no location)."""
    from django.utils import timezone as dj_timezone

    from notifications import quiet
    from notifications.forms import QuietSettingsForm

    request = context["request"]
    user = request.user
    prefs = quiet.settings_cached(user.pk)
    zone = quiet.zone_of(user)
    window = None
    default_place = False
    if prefs.shabbat_mode:
        if prefs.shabbat_end is None or prefs.shabbat_end <= dj_timezone.now():
            prefs = quiet.settings_for(user.pk)
            quiet.shabbat_window_refresh(prefs=prefs)
        default_place = quiet.place_of(user).default
        if prefs.shabbat_start and prefs.shabbat_end:
            window = (prefs.shabbat_start.astimezone(zone), prefs.shabbat_end.astimezone(zone))
    form = QuietSettingsForm(
        initial={
            "quiet_enabled": prefs.quiet_enabled,
            "quiet_start": prefs.quiet_start,
            "quiet_end": prefs.quiet_end,
            "shabbat_mode": prefs.shabbat_mode,
            "shabbat_hide": prefs.shabbat_hide,
        }
    )
    return {
        "csrf_token": context.get("csrf_token"),
        "form": form,
        "prefs": prefs,
        "window": window,
        "zone_name": _zone_label(str(zone)),
        "default_place": default_place,
        "in_window": bool(window and window[0] <= dj_timezone.now() < window[1]),
    }


@register.inclusion_tag("notifications/_push_prompt.html", takes_context=True)
def push_prompt(context) -> dict:
    """The "turn on notifications" card offered after the member's first match (match dialog,
    conversations page); nothing when not due (:func:`notifications.push.push_prompt_due`).
    The browser's permission request opens only when the member presses its button."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not push.push_prompt_due(user=user):
        return {"due": False}
    return {
        "due": True,
        "public_key": settings.VAPID_PUBLIC_KEY,
        "csrf_token": context.get("csrf_token"),
    }


def _zone_label(name: str) -> str:
    """The time zone as Settings' list names it in the active language ("שעון ישראל")."""
    from babel.dates import get_timezone_location
    from django.utils.translation import get_language, to_locale

    try:
        return str(get_timezone_location(name, locale=to_locale(get_language() or "en")))
    except (LookupError, ValueError):
        return name.replace("_", " ")
