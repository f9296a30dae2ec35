"""Sends signed-in users without a complete profile to onboarding (rules §3); keeps
``last_active_at`` fresh (one write a minute per user; rules §5 online)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .services import user_touch_last_active

# Paths a user without a profile may still open: account pages, onboarding itself, language
# switching, static/media files, admin, webhooks and the landing page.
EXEMPT_PREFIXES = (
    "/accounts/",
    "/complete-profile/",
    "/i18n/",
    "/static/",
    "/media/",
    "/admin/",
    "/stripe/webhook/",
    "/healthz",
    "/readyz",
    "/settings/",
    "/moderation/",  # staff may moderate without a dating profile of their own
    "/date/",  # a shared date's public page (dateshare): works for anyone with the link
    # The installable app's files: the browser fetches them on every page, onboarding included,
    # and a redirect fails the service worker's registration (QA).
    "/sw.js",
    "/manifest.webmanifest",
    "/offline/",
    "/favicon.ico",
    "/robots.txt",
)


class ProfileCompletionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path_info
        if (
            user is not None
            and user.is_authenticated
            and not user.profile_complete
            and path != "/"
            and not path.startswith(EXEMPT_PREFIXES)
        ):
            if request.headers.get("Accept", "").startswith("application/json"):
                return JsonResponse({"error": _("Complete your profile first.")}, status=403)
            response = redirect("profiles:complete_profile")
            if getattr(request, "htmx", False):
                response["HX-Redirect"] = response["Location"]
            return response
        return self.get_response(request)


class LastActiveMiddleware:
    """After each response below 500 to a signed-in user: :func:`user_touch_last_active`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and response.status_code < 500:
            user_touch_last_active(user=user)
        return response
