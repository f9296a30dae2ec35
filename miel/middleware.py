"""Site-wide middleware of the ``miel`` project package: request-wide guards."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from .error_views import insufficient_storage
from .media import is_disk_full
from .text import has_bad_characters

logger = logging.getLogger(__name__)


class HtmxLoginRedirectMiddleware:
    """An htmx request from a page whose session has ended (``login_required`` redirects it to
    the login page) sends the whole page to the login page, with ``next`` back to where the
    member was: 204 with ``HX-Redirect``. Without it the browser followed the redirect inside
    the request and htmx swapped the login form into whatever the request was updating (the
    chat thread, a like button). Other requests keep the plain redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (301, 302, 303) and request.headers.get("HX-Request"):
            location = response.get("Location", "")
            if urlsplit(location).path == resolve_url(settings.LOGIN_URL):
                to_login = HttpResponse(status=204)
                to_login["HX-Redirect"] = location
                return to_login
        return response


class StorageFullMiddleware:
    """A full disk (``OSError`` ENOSPC / EDQUOT or :class:`miel.media.StorageFull`) raised by
    any view answers 507 with a translated message, JSON for JSON clients, instead of a 500
    (issue 13 item 10). Views that can show the error inline catch it themselves first; the
    services have already removed any partial file and rolled their rows back."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_disk_full(exception):
            return None
        logger.error("storage full while serving %s", request.path, exc_info=exception)
        return insufficient_storage(request)


def _any_bad(data) -> bool:
    return any(
        has_bad_characters(key) or any(has_bad_characters(v) for v in values)
        for key, values in data.lists()
    )


class BadCharactersMiddleware:
    """Refuse with 400 any query string or URL-encoded form whose keys or values hold a NUL
    (or an unpaired surrogate), before a view can try to store it (issue 13 item 11: a NUL in
    a field was a 500 on PostgreSQL). Multipart forms and JSON bodies are checked where they
    are read (:func:`miel.text.text_check`, :func:`miel.text.json_loads_limited`): reading a
    multipart body here would fix its upload handlers before the view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = _any_bad(request.GET)
        if not bad and request.content_type == "application/x-www-form-urlencoded":
            bad = _any_bad(request.POST)
        if bad:
            message = _("This text contains characters that are not allowed.")
            if "json" in request.headers.get("Accept", "") or request.path.startswith("/api/"):
                return JsonResponse({"error": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
