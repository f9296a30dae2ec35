"""Account middleware: keeps ``last_active_at`` fresh (one write a minute per user; rules §5
online) and activates the user's time zone for display (rules §0)."""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .services import user_touch_last_active


class LastActiveMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and response.status_code < 500:
            user_touch_last_active(user=user)
        return response


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
