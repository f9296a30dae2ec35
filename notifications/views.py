"""The notification centre page (issue 19)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors, services


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """``/notifications/``: the latest notifications, newest first; opening it marks them read
    (the rows show as new this once)."""
    items = selectors.notification_list(user=request.user)
    services.notifications_mark_read(user_id=request.user.pk)
    response = render(
        request,
        "notifications/list.html",
        {"items": items, "unread_notification_count": 0},
    )
    response["Cache-Control"] = "no-store"
    return response
