"""Content-Security-Policy (django-csp 4): the policy the site needs and nothing more.

Every script and style the site uses is a static file (no inline ``<script>``, no ``on*=``
handlers, no ``style=`` attributes, no ``hx-on``); JSON handed to scripts sits in
``<script type="application/json">`` blocks, which a CSP does not execute. The only inline
style is the one htmx 2 inserts for its request indicators, allowed by its hash. External
origins are added only when the matching service is configured: Cloudinary images, the S3
video bucket (playback and the browser's direct upload), Stripe's hosted Checkout / portal and
the OAuth providers (a form POST that redirects there needs them in ``form-action``).
``CSPMiddleware`` adds the same-origin WebSocket (``ws:``/``wss:``) to ``connect-src`` per
request.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts

#: The ``<style>`` htmx 2 inserts into ``<head>`` (``includeIndicatorStyles``, default class
#: names); allowed by hash so the policy needs no ``'unsafe-inline'``. tests/browser checks
#: that pages log no CSP violation, so an htmx upgrade that changes it is noticed.
HTMX_INDICATOR_STYLE = (
    ".htmx-indicator{opacity:0;visibility: hidden} "
    ".htmx-request .htmx-indicator, .htmx-request.htmx-indicator"
    "{opacity:1;visibility: visible;transition: opacity 200ms ease-in}"
)

STRIPE_HOSTED = ["https://checkout.stripe.com", "https://billing.stripe.com"]
OAUTH_HOSTS = {
    "google": ["https://accounts.google.com"],
    "facebook": ["https://www.facebook.com", "https://m.facebook.com"],
}


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def s3_origins(
    *, bucket: str, endpoint_url: str = "", region: str = "", addressing_style: str = ""
) -> list[str]:
    """Origins the browser reaches the video bucket at (presigned GET for playback, presigned
    POST for the direct upload): the custom endpoint (path style, and the bucket's virtual
    host unless ``addressing_style == "path"``) or AWS's bucket hosts."""
    if not bucket:
        return []
    endpoint = _origin(endpoint_url)
    if endpoint:
        origins = [endpoint]
        if addressing_style != "path":
            scheme, host = endpoint.split("://", 1)
            origins.append(f"{scheme}://{bucket}.{host}")
        return origins
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins += [
            f"https://{bucket}.s3.{region}.amazonaws.com",
            f"https://s3.{region}.amazonaws.com",
        ]
    return origins


def content_security_policy(
    *,
    cloudinary: bool = False,
    video_bucket: str = "",
    s3_endpoint_url: str = "",
    s3_region: str = "",
    s3_addressing_style: str = "",
    stripe_api_base: str = "",
    oauth_providers: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The ``CONTENT_SECURITY_POLICY`` setting (django-csp 4 format) for the configured
    services. Arguments mirror the environment (rules §1 run modes): ``cloudinary`` = photos on
    Cloudinary; ``video_bucket`` + S3 options = videos on S3; ``stripe_api_base`` = another
    Stripe server (its hosted pages are then form targets too); ``oauth_providers`` = allauth
    provider ids with keys ("google", "facebook")."""
    s3 = s3_origins(
        bucket=video_bucket,
        endpoint_url=s3_endpoint_url,
        region=s3_region,
        addressing_style=s3_addressing_style,
    )
    form_targets = [SELF, *STRIPE_HOSTED]
    fake_stripe = _origin(stripe_api_base)
    if fake_stripe:
        form_targets.append(fake_stripe)
    for provider in oauth_providers:
        form_targets += OAUTH_HOSTS.get(provider, [])
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF, _sha256(HTMX_INDICATOR_STYLE)],
            # Cloudinary: /media/ redirects to signed download URLs on api.cloudinary.com;
            # S3: video posters are presigned URLs on the bucket.
            "img-src": [SELF, "data:", "blob:"]
            + (["https://res.cloudinary.com", "https://api.cloudinary.com"] if cloudinary else [])
            + s3,
            "media-src": [SELF, "blob:", *s3],
            "connect-src": [SELF, *s3],
            "font-src": [SELF],
            # The service worker (/sw.js) and the web app manifest (issue 19 B).
            "worker-src": [SELF],
            "manifest-src": [SELF],
            "form-action": form_targets,
            "frame-ancestors": [NONE],
            "base-uri": [SELF],
            "object-src": [NONE],
        }
    }


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, plus this host's WebSocket origin in ``connect-src``
    (``/ws/``, rules §9): CSP level 2 browsers do not count ``ws:``/``wss:`` as ``'self'``."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        try:
            host = request.get_host()
        except Exception:  # DisallowedHost: the response is an error page anyway
            return parts
        scheme = "wss" if request.is_secure() else "ws"
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), f"{scheme}://{host}"]
        parts.update = update
        return parts
