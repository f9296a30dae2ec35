"""Account pages Miel adds around allauth: settings and resending the verification e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from miel.types import AuthenticatedHttpRequest

from . import services
from .forms import AccountSettingsForm, ResendVerificationForm


@login_required
def account_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """E-mail notification preferences and time zone; links to password change (rules §3)."""
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
    registered or already verified, so it reveals nothing (rules §3)."""
    sent = False
    if request.method == "POST":
        form = ResendVerificationForm(request.POST)
        if form.is_valid():
            services.verification_email_resend(request=request, email=form.cleaned_data["email"])
            sent = True
    else:
        form = ResendVerificationForm()
    return render(request, "accounts/verification_resend.html", {"form": form, "sent": sent})


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher (``/i18n/setlang/``, POST ``language`` + ``next``), which
    also remembers the choice on a signed-in user (``User.language``) so their e-mails come in
    that language (rules §15)."""
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if language and request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    return response
