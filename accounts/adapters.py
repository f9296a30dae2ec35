"""django-allauth adapters: where the account flow meets Miel's rules (SPEC §3)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from miel.client_ip import client_ip


def email_site() -> SimpleNamespace:
    """What account e-mails call the site: "Miel" at ``SITE_URL``'s host. The sites framework's
    row is still the default "example.com", and e-mails naming a stranger's domain look like
    phishing."""
    return SimpleNamespace(name="Miel", domain=urlsplit(settings.SITE_URL).netloc or "Miel")


class AccountAdapter(DefaultAccountAdapter):
    """Sends users without a complete profile to onboarding after login."""

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_authenticated and not user.profile_complete:
            return reverse("profiles:complete_profile")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Logging in from the verification link finishes a sign-up: onboarding comes next.
        user = request.user
        if user.is_authenticated and not user.profile_complete:
            return reverse("profiles:complete_profile")
        return super().get_signup_redirect_url(request)

    def clean_email(self, email: str) -> str:
        return super().clean_email(email).strip().lower()

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client behind ``TRUSTED_PROXY_COUNT`` proxies (``miel/client_ip.py``): allauth's
        per-IP rate limits (failed logins, sign-ups, resets) count per client, not per proxy."""
        return client_ip(request) or super().get_client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {"current_site": email_site(), **context})

    def respond_user_inactive(self, request: HttpRequest, user):  # type: ignore[no-untyped-def]
        """A deactivated account that gave its right password: a banned member goes to the
        appeal form (SPEC §6), which reads who from the session; others get allauth's page."""
        from safety.views import APPEAL_SESSION_KEY  # safety sits above accounts

        request.session[APPEAL_SESSION_KEY] = str(user.pk)
        return redirect("safety:appeal")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Marks users who signed up through Google/Facebook as ``oauth_verified`` (SPEC §3)."""

    def save_user(self, request, sociallogin, form=None):  # type: ignore[no-untyped-def]
        user = super().save_user(request, sociallogin, form)
        user.oauth_verified = True
        user.provider = sociallogin.account.provider
        user.save(update_fields=["oauth_verified", "provider"])
        return user
