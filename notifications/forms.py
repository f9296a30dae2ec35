"""The Settings form of quiet hours and Shabbat and holiday mode (issue 19)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class QuietSettingsForm(forms.Form):
    """Quiet hours (from / until, the member's own time zone) and Shabbat mode switches."""

    quiet_enabled = forms.BooleanField(
        label=_("Quiet hours: no push and no e-mail"), required=False
    )
    quiet_start = forms.TimeField(
        label=_("From"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time such as 22:00.")},
    )
    quiet_end = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time such as 07:00.")},
    )
    shabbat_mode = forms.BooleanField(
        label=_("Shabbat and holiday mode: no push and no e-mail from candle lighting to havdalah"),
        required=False,
    )
    shabbat_hide = forms.BooleanField(
        label=_("Also hide me from Discover during Shabbat and holidays"), required=False
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if (
            data.get("quiet_enabled")
            and data.get("quiet_start") is not None
            and data.get("quiet_start") == data.get("quiet_end")
        ):
            raise forms.ValidationError(
                _("Quiet hours need a different start and end time."), code="same"
            )
        return data
