"""Account pages Miel adds around allauth: settings and resending the verification e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import AccountSettingsForm, ResendVerificationForm


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """E-mail notification preferences and time zone; links to password change (SPEC §3)."""
    status = 200
    if request.method == "POST":
        form = AccountSettingsForm(request.POST)
        if form.is_valid():
            services.user_update_settings(
                user=request.user,
                email_notifications=form.email_notifications(),
                time_zone=form.cleaned_data["time_zone"],
            )
            messages.success(request, _("Your settings were saved."))
            return redirect("accounts:settings")
        status = 400
    else:
        form = AccountSettingsForm(initial=AccountSettingsForm.initial_for(request.user))
    return render(request, "accounts/settings.html", {"form": form}, status=status)


def verification_resend(request: HttpRequest) -> HttpResponse:
    """Ask for a new verification link. The answer is the same whether or not the address is
    registered or already verified, so it reveals nothing (SPEC §3)."""
    sent = False
    if request.method == "POST":
        form = ResendVerificationForm(request.POST)
        if form.is_valid():
            services.verification_email_resend(request=request, email=form.cleaned_data["email"])
            sent = True
    else:
        form = ResendVerificationForm()
    return render(request, "accounts/verification_resend.html", {"form": form, "sent": sent})
