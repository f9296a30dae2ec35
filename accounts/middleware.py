"""Account middleware: activates the user's time zone for display (rules §0). (Keeping
``last_active_at`` fresh is ``profiles.middleware.LastActiveMiddleware``: it writes the member
row too.)"""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Callable

from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


class UserTimezoneMiddleware:
    """Shows times in the signed-in user's time zone (rules §0; default Asia/Jerusalem)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        tz_name = (
            getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        )
        timezone.deactivate()
        if tz_name:
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(tz_name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with ``request.user`` read by :func:`accounts.selectors.session_user` (the
    same rule, fallback secrets included; the account row in one constant statement where
    ``User.objects.get(pk=...)`` spent ~3x its CPU building the query: every signed-in request,
    issue 20). ``request.auser`` stays Django's."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)  # the session check and request.auser
        request.user = SimpleLazyObject(lambda: _request_user(request))  # type: ignore[assignment]


def _request_user(request: HttpRequest) -> object:
    from .selectors import session_user

    if not hasattr(request, "_cached_user"):
        request._cached_user = (  # type: ignore[attr-defined]
            session_user(request.session, rotate_fallback=True) or AnonymousUser()
        )
    return request._cached_user  # type: ignore[attr-defined]
