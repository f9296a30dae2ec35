"""``{% profile_actions_for member as state %}``: like state for the profile page buttons."""

from __future__ import annotations

from django import template
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from matching.cities import city_name_in, country_name_in
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


@register.filter
def city_name(city: str, country: str = "") -> str:
    """``{{ member.city|city_name:member.country }}``: the city in the page's language (Hebrew
    names for Israeli cities from GeoNames, issue 17); unknown text as typed."""
    return city_name_in(translation.get_language() or "en", city, country)


@register.filter
def country_name(country: str) -> str:
    """``{{ member.country|country_name }}``: the country in the page's language (CLDR)."""
    return country_name_in(translation.get_language() or "en", country)


@register.simple_tag
def place_line(city: str = "", country: str = "", distance: str | None = None) -> SafeString:
    """``{% place_line m.city m.country card.distance_label %}``: the card's location line,
    "city · distance" (the country when there is no city), each part in its own ``<bdi>`` so a
    Latin city on a Hebrew page, or a number, never reorders the parts around it (issue 17)."""
    language = translation.get_language() or "en"
    place = city_name_in(language, city, country) if city else ""
    if not place and country:
        place = country_name_in(language, country)
    parts = [p for p in (place, distance) if p]
    return format_html_join(" · ", '<bdi class="place-part">{}</bdi>', ((p,) for p in parts))
