"""Site-wide middleware of the ``miel`` project package."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

from .error_views import insufficient_storage
from .media import is_disk_full

logger = logging.getLogger(__name__)


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
