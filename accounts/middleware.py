"""Account middleware: activates the user's time zone for display (rules §0). (Keeping
``last_active_at`` fresh is ``profiles.middleware.LastActiveMiddleware``: it writes the member
row too.)"""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


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
