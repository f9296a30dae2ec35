"""Error handlers (``handler400/403/404/500`` in miel.urls): Django's own views with our
templates (templates/400.html, 403.html, 404.html, 500.html), and a last resort that cannot
fail. An error page must never raise: if the styled page cannot be rendered (for instance the
static files manifest is missing because ``collectstatic`` has not run, or the template hits a
broken service), the plain page (templates/error_plain.html: no static files, no request, no
database) answers with the same status instead of a traceback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.loader import render_to_string
from django.views import defaults

from miel.media import StorageFull, is_disk_full

logger = logging.getLogger(__name__)


def _plain(status: int) -> HttpResponse:
    return HttpResponse(render_to_string("error_plain.html", {"status": status}), status=status)


def _styled_or_plain(status: int, view: Callable[..., HttpResponse], *args: Any) -> HttpResponse:
    """``view(*args)`` (Django's default handler with our template), or the plain page with
    ``status`` when it raises (logged)."""
    try:
        return view(*args)
    except Exception:
        logger.exception("the %s page failed to render", status)
        return _plain(status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 with templates/400.html (SuspiciousOperation, BadRequest)."""
    return _styled_or_plain(400, defaults.bad_request, request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 with templates/403.html (PermissionDenied)."""
    return _styled_or_plain(403, defaults.permission_denied, request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 with templates/404.html."""
    return _styled_or_plain(404, defaults.page_not_found, request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 with templates/500.html (rendered without a request context); 507 when the error
    being handled is a full disk (e.g. while Django spooled an upload to a temporary file)."""
    if is_disk_full(sys.exc_info()[1]):
        return insufficient_storage(request)
    return _styled_or_plain(500, defaults.server_error, request)


def wants_json(request: HttpRequest) -> bool:
    """True when the client asked for JSON (``Accept``) or called a JSON API path."""
    return "application/json" in request.headers.get("Accept", "") or "/api/" in request.path


def insufficient_storage(request: HttpRequest) -> HttpResponse:
    """507 Insufficient Storage (issue 13 item 10): ``{"error", "code": "storage_full"}`` for
    JSON clients, else templates/507.html (the plain page if that cannot render)."""
    message = StorageFull().message
    if wants_json(request):
        return JsonResponse({"error": message, "code": StorageFull.code}, status=507)

    def styled(req: HttpRequest) -> HttpResponse:
        body = loader.get_template("507.html").render({"message": message}, req)
        return HttpResponse(body, status=507)

    return _styled_or_plain(507, styled, request)
