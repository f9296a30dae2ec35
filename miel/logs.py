"""Structured logs (issue 21).

Production (``LOG_FORMAT=json``, the default when ``DJANGO_DEBUG`` is off) writes one JSON
object per line through python-json-logger; development (``LOG_FORMAT=console``) plain text.
Every record made while a request runs carries:

- ``request_id``: the ``X-Request-ID`` the proxy sent (letters, digits, ``-``, at most 64),
  else a new one; it is also sent back in the response's ``X-Request-ID`` header;
- ``user``: a keyed hash of the member's id (:func:`user_hash`), never the id or the e-mail.

:class:`RequestLogMiddleware` also logs one ``request`` record per request (logger
``miel.request``) with ``view`` (the URL name, never the path: paths hold members' ids),
``method``, ``status`` and ``duration_ms``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_id: ContextVar[str] = ContextVar("miel_request_id", default="")
_user_hash: ContextVar[str] = ContextVar("miel_user_hash", default="")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
request_logger = logging.getLogger("miel.request")


def user_hash(user_id: object) -> str:
    """A stable pseudonym of a user id for logs: HMAC-SHA256 with ``SECRET_KEY``, 16 hex
    characters. The same member gets the same value; it cannot be turned back into the id
    without the key."""
    key = str(settings.SECRET_KEY).encode()
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def current_request_id() -> str:
    """The id of the request being handled ("" outside a request)."""
    return _request_id.get()


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` (hash) to every record (a handler filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        if not hasattr(record, "user"):
            record.user = _user_hash.get()
        return True


class RequestLogMiddleware:
    """Sets the request id and user hash for the request's records and logs the request
    (view, method, status, duration). Second in ``MIDDLEWARE``; the member is read in
    ``process_view``, after the authentication middleware has run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        id_token = _request_id.set(request_id)
        user_token = _user_hash.set("")
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            match = getattr(request, "resolver_match", None)
            request_logger.info(
                "request",
                extra={
                    "view": match.view_name if match is not None else "<unresolved>",
                    "method": request.method,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            _user_hash.reset(user_token)
            _request_id.reset(id_token)

    def process_view(self, request: HttpRequest, *args: object) -> None:
        """Once the member is known (after the authentication middleware): their hash for
        the records of the view and the request line."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _user_hash.set(user_hash(user.pk))


def logging_config(*, json: bool, level: str) -> dict[str, object]:
    """The ``LOGGING`` setting: JSON lines (production) or plain text (development)."""
    formatter: dict[str, object]
    if json:
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(user)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": "miel.logs.RequestContextFilter"}},
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["request_context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # Django's own "django" logger has a console handler of its own; let it print once.
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # One line per request comes from miel.request; django.server repeats it.
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            # Request lines only in production (JSON); the development server prints its own.
            "miel.request": {"level": "INFO" if json else "WARNING"},
        },
    }
