"""Account forms: settings page and verification resend (SPEC §3)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

NOTIFICATION_KINDS = (
    ("new_match", _("A new match")),
    ("new_message", _("A new message")),
    ("new_like", _("Someone liked me")),
    ("story_reply", _("A reply to my story")),
)


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class AccountSettingsForm(forms.Form):
    """E-mail notification switches and the time zone (SPEC §3 account settings)."""

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key, label in NOTIFICATION_KINDS:
            self.fields[f"notify_{key}"] = forms.BooleanField(label=label, required=False)

    def notification_fields(self) -> list[forms.BoundField]:
        return [self[f"notify_{key}"] for key, _label in NOTIFICATION_KINDS]

    def email_notifications(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data[f"notify_{key}"]) for key, _label in NOTIFICATION_KINDS}

    @classmethod
    def initial_for(cls, user) -> dict:  # type: ignore[no-untyped-def]
        prefs = user.email_notifications or {}
        initial: dict[str, object] = {"time_zone": user.time_zone}
        for key, _label in NOTIFICATION_KINDS:
            initial[f"notify_{key}"] = bool(prefs.get(key, True))
        return initial


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
