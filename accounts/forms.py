"""Account forms: settings page and verification resend (rules §3)."""

from __future__ import annotations

import functools
import zoneinfo

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

NOTIFICATION_KINDS = (
    ("new_match", _("A new match")),
    ("new_message", _("A new message")),
    ("new_like", _("Someone liked me")),
    ("story_reply", _("A reply to my story")),
)


def _time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone as ``(name, label)`` in the active language (issue 17): see
    :func:`_time_zone_choices_in`."""
    return _time_zone_choices_in(get_language() or "en")


@functools.cache
def all_time_zones() -> frozenset[str]:
    """Every IANA zone name this machine knows (aliases and ``Etc/`` offsets included)."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _time_zone_choices_in(language: str) -> list[tuple[str, str]]:
    """The current IANA zones as ``(name, label)`` for ``language``: CLDR names through Babel
    ("שעון ישראל", "Israel Time", "United States (New York) Time"), sorted by label, then
    ``UTC``. The ~190 legacy aliases ("Israel", "US/Eastern") and ``Etc/`` offsets have no name
    in the member's language and repeat a current zone, so the list leaves them out; a member
    whose stored zone is one of them still sees it (:class:`AccountSettingsForm`). Computed once
    per process and language: scanning the time-zone database costs ~15 ms (rules §16)."""
    from babel.core import get_global
    from babel.dates import get_timezone_location

    aliases = get_global("zone_aliases")
    named: list[tuple[str, str]] = []
    for tz in sorted(all_time_zones()):
        if tz in aliases or "/" not in tz or tz.startswith("Etc/"):
            continue
        try:
            label = get_timezone_location(tz, locale=to_locale(language))
        except (LookupError, ValueError):
            label = tz.replace("_", " ")
        named.append((tz, label))
    named.sort(key=lambda item: (item[1], item[0]))
    return [*named, ("UTC", "UTC")]


class PlainSelect(forms.Select):
    """A flat ``<select>`` (no option groups, no per-option attributes) rendered in Python.

    Django renders each option through its own template: for the ~600 time zones that was
    ~40 ms of CPU per settings page (rules §16). Same markup: ``name``, the widget's attributes
    (``id``, ``required``, ...) and ``selected`` on the chosen option; values and labels are
    escaped."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        selected = mark_safe(" selected")  # a constant
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], selected if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
        )


class AccountSettingsForm(forms.Form):
    """E-mail notification switches and the time zone (rules §3 account settings)."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=_time_zone_choices, widget=PlainSelect
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # A stored or sent zone that the list leaves out (a legacy alias, an Etc/ offset) is
        # kept as it is, under its IANA name, rather than refused or silently replaced.
        current = {str(self.initial.get("time_zone") or ""), str(self.data.get("time_zone") or "")}
        field = self.fields["time_zone"]
        listed = {value for value, _label in field.choices}  # type: ignore[attr-defined]
        extra = sorted(tz for tz in current if tz in all_time_zones() and tz not in listed)
        if extra:
            field.choices = [  # type: ignore[attr-defined]
                *field.choices,  # type: ignore[attr-defined]
                *((tz, tz.replace("_", " ")) for tz in extra),
            ]
        for key, label in NOTIFICATION_KINDS:
            self.fields[f"notify_{key}"] = forms.BooleanField(label=label, required=False)

    def notification_fields(self) -> list[forms.BoundField]:
        return [self[f"notify_{key}"] for key, _label in NOTIFICATION_KINDS]

    def email_notifications(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data[f"notify_{key}"]) for key, _label in NOTIFICATION_KINDS}

    @classmethod
    def initial_for(cls, user) -> dict:
        prefs = user.email_notifications or {}
        initial: dict[str, object] = {"time_zone": user.time_zone}
        for key, _label in NOTIFICATION_KINDS:
            initial[f"notify_{key}"] = bool(prefs.get(key, True))
        return initial


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
