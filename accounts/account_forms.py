"""allauth forms with Miel's privacy rules (SPEC §3), set in ``ACCOUNT_FORMS``.

Kept apart from :mod:`accounts.forms`: allauth's sign-up form class is built from
``ACCOUNT_SIGNUP_FORM_CLASS`` when :mod:`allauth.account.forms` is imported, so importing it
from a module that setting may name would be circular.
"""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class SignupForm(AllauthSignupForm):
    """Sign-up that takes the same work whether or not the address is registered (SPEC §3):
    for a registered address allauth creates nothing and mails the owner instead, which
    skipped the password hash (~20 ms against ~400 ms, enough to tell the two apart). Here
    the password is hashed either way, and both e-mails leave from a task after commit
    (:meth:`accounts.adapters.AccountAdapter.send_mail`)."""

    def try_save(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        if self.account_already_exists:
            # The hash a new account would store, computed and dropped.
            make_password(self.cleaned_data.get("password1") or None)
        return super().try_save(request)
