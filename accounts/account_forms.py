"""allauth forms with Miel's privacy rules (rules §3), set in ``ACCOUNT_FORMS``.

Kept apart from :mod:`accounts.forms`: allauth's sign-up form class is built from
``ACCOUNT_SIGNUP_FORM_CLASS`` when :mod:`allauth.account.forms` is imported, so importing it
from a module that setting may name would be circular.
"""

from __future__ import annotations

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.utils import filter_users_by_email
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SignupForm(AllauthSignupForm):
    """Sign-up that takes the same work whether or not the address is registered (rules §3):
    for a registered address allauth creates nothing and mails the owner instead, which
    skipped the password hash (~20 ms against ~400 ms, enough to tell the two apart). Here
    the password is hashed either way, and both e-mails leave from a task after commit
    (:meth:`accounts.adapters.AccountAdapter.send_mail`)."""

    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            # The hash a new account would store, computed and dropped.
            make_password(self.cleaned_data.get("password1") or None)
        return super().try_save(request)


class AddEmailForm(AllauthAddEmailForm):
    """``/accounts/email/``: an address that belongs to another account is refused, with a
    message that does not say whose (rules §3). Without this, allauth (enumeration prevention
    on) added it unverified and mailed the other member a confirmation each time."""

    def clean_email(self) -> str:
        value = super().clean_email()
        others = [u for u in filter_users_by_email(value) if u.pk != self.user.pk]
        if others:
            raise ValidationError(
                _(
                    "This e-mail address cannot be added to your account. If it is yours, "
                    "log in with it instead."
                ),
                code="email_unavailable",
            )
        return value
