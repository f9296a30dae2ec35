"""Account rights pages (rules §3): download my data, delete my account.

``/settings/`` is exempt from the profile-completion redirect, so users who never finished
onboarding can use both pages too.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accounts.models import User
from billing.services import subscription_cancel_for_account_deletion
from billing.stripe_client import StripeUnavailable
from miel.types import AuthenticatedHttpRequest

from . import data_export, deletion


class AccountDeleteForm(forms.Form):
    """Re-authentication before deletion: the password, or the e-mail for social-only accounts."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    email = forms.EmailField(label=gettext_lazy("Your e-mail address"), required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that this deletes my profile, photos, messages and matches for good."
        ),
        required=True,
    )

    def __init__(self, data: QueryDict | None = None, *, user: User) -> None:
        super().__init__(data)
        self.user = user
        if user.has_usable_password():
            del self.fields["email"]
        else:
            del self.fields["password"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            deletion.account_deletion_check(
                user=self.user,
                password=data.get("password") or "",
                email=data.get("email") or "",
            )
        except ValidationError as exc:
            field = "password" if "password" in self.fields else "email"
            self.add_error(field, exc)
        return data


@login_required
def data_page(request: HttpRequest) -> HttpResponse:
    """Explains what the export holds and offers the download."""
    return render(request, "rights/settings_data.html")


@never_cache
@login_required
def data_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The JSON file of everything about the signed-in user (an attachment, never cached)."""
    payload = data_export.user_data_export(
        user=request.user, base_url=request.build_absolute_uri("/")
    )
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="miel-data-{stamp}.json"'
    return response


@never_cache
@login_required
def delete_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Asks for the password again, deletes the account and logs out."""
    user = request.user
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=user)
        if form.is_valid():
            try:
                subscription_cancel_for_account_deletion(user=user)
            except StripeUnavailable:
                form.add_error(
                    None,
                    _(
                        "We could not cancel your subscription right now, so nothing was "
                        "deleted. Please try again in a few minutes."
                    ),
                )
                return render(request, "rights/settings_delete.html", {"form": form}, status=503)
            deletion.account_delete(user=user)
            logout(request)
            messages.success(request, _("Your account and all your data were deleted. Goodbye!"))
            return redirect("home")
        return render(request, "rights/settings_delete.html", {"form": form}, status=400)
    return render(request, "rights/settings_delete.html", {"form": AccountDeleteForm(user=user)})
