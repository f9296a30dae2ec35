"""Optional error reporting to Sentry (issue 21): on when ``SENTRY_DSN`` is set.

Personal data stays out: ``send_default_pii`` is off (no cookies, user, IP, request bodies),
and :func:`scrub` removes what could still carry some before an event leaves: the request's
cookies, body, query string and sensitive headers, the user (replaced by the log hash), and any
e-mail address in messages, exception values, breadcrumbs and extra data.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
FILTERED = "[Filtered]"
_SENSITIVE_HEADERS = {"cookie", "authorization", "x-csrftoken", "set-cookie", "x-forwarded-for"}


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL_RE.sub(FILTERED, value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry ``before_send``: the event without cookies, bodies, sensitive headers, user
    details or e-mail addresses. Never raises."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env"):
            if key in request:
                request[key] = FILTERED
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                k: (FILTERED if k.lower() in _SENSITIVE_HEADERS else v) for k, v in headers.items()
            }
    user = event.get("user")
    if isinstance(user, dict):
        from miel.logs import user_hash

        event["user"] = {"id": user_hash(user["id"])} if user.get("id") else {}
    for key in ("message", "logentry", "exception", "breadcrumbs", "extra", "contexts"):
        if key in event:
            event[key] = _scrub_value(event[key])
    return event


def init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Start the SDK (Django and Celery integrations are enabled automatically)."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        send_default_pii=False,
        max_request_body_size="never",
        before_send=scrub,  # type: ignore[arg-type]
        before_send_transaction=scrub,  # type: ignore[arg-type]
        traces_sample_rate=traces_sample_rate,
    )
