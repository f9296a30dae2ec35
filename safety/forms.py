"""Safety forms: the ban appeal and the sign-up confirmations (rules §3, §6)."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import APPEAL_MAX_CHARS


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should the ban be lifted?"),
        max_length=APPEAL_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )


def _terms_label() -> str:
    # Called lazily (at render time, in the page's language): str() translates now.
    return format_html(
        str(
            _(
                'I accept the <a href="{}" target="_blank">terms</a> and the <a href="{}" target="_blank">privacy policy</a>'
            )
        ),
        reverse_lazy("safety:terms"),
        reverse_lazy("safety:privacy"),
    )


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (``ACCOUNT_SIGNUP_FORM_CLASS``): both boxes
    are required; an unticked one refuses the sign-up with a translated error."""

    # allauth orders its sign-up fields by this: the boxes come last, above the button.
    field_order = ["email", "password1", "password2", "confirm_adult", "accept_terms"]

    confirm_adult = forms.BooleanField(
        label=_("I am 18 or older"),
        label_suffix="",
        error_messages={"required": _("You must be 18 or older to join Miel.")},
    )
    accept_terms = forms.BooleanField(
        label=lazy(_terms_label, str)(),
        label_suffix="",
        error_messages={"required": _("Please accept the terms and the privacy policy.")},
    )

    def signup(self, request, user) -> None:
        """allauth's hook after the user is created; the boxes store nothing."""
