"""Site-level pages: landing page, liveness and readiness checks."""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from miel.readiness import readiness

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; members go straight to the Discover deck."""
    if request.user.is_authenticated:
        return redirect("matching:discover")
    return render(request, "home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness (issue 21): the process answers, 200 ``{"status": "ok"}``, touching no service,
    so a database or Redis outage never makes a supervisor restart healthy servers.
    ``/readyz`` reports each service (PostgreSQL, replica lag, Redis, the broker)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers: PostgreSQL, the cache's and the channel layer's Redis and
    the Celery broker, each with its state (``miel/readiness.py``). 200 when every service in
    ``READYZ_REQUIRED`` is up, else 503; answers within about ``READYZ_TIMEOUT_SECONDS`` + 1 s
    even when a service hangs."""
    ready, report = readiness()
    return JsonResponse(report, status=200 if ready else 503)


# --- installable web app (issue 19 B) -------------------------------------------------------


def web_manifest(request: HttpRequest) -> JsonResponse:
    """``/manifest.webmanifest`` in the page's language (Hebrew or English names)."""
    from django.utils.translation import get_language

    from .pwa import manifest_data

    response = JsonResponse(
        manifest_data(language=get_language() or "he"),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Cookie, Accept-Language"
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``, served from the root so its scope is the whole site
    (``Service-Worker-Allowed: /``); never cached by the browser's HTTP cache, so an update
    is seen on the next visit. The cache name changes with the shell files' URLs."""
    import hashlib
    import json

    from django.templatetags.static import static
    from django.utils.safestring import mark_safe

    from .pwa import SHELL_FILES

    shell = [static(name) for name in SHELL_FILES]
    version = hashlib.sha256("|".join(shell).encode()).hexdigest()[:12]
    response = render(
        request,
        "pwa/sw.js",
        {"shell_json": mark_safe(json.dumps(shell)), "version": version},  # noqa: S308 - our static URLs
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def offline(request: HttpRequest) -> HttpResponse:
    """``/offline/``: the page the service worker shows when the site cannot be reached. The
    same for everyone (no member data), in both languages, cached at install."""
    return render(request, "pwa/offline.html")
