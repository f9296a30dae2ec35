"""Site-level pages: landing page and health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; members go straight to discovery."""
    if request.user.is_authenticated:
        return redirect("matching:member_list")
    return render(request, "home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness + database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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
