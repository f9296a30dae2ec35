"""Site-level pages: landing page, liveness and readiness checks."""

import logging

from django.db import DatabaseError, connection
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
    """Liveness: the process answers and reaches its database (one ``SELECT 1``). 200
    ``{"status": "ok"}``, or 503 ``{"status": "database unavailable"}``. ``/readyz`` reports
    each service."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("healthz: database unavailable", exc_info=True)
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers: PostgreSQL, the cache's and the channel layer's Redis and
    the Celery broker, each with its state (``miel/readiness.py``). 200 when every service in
    ``READYZ_REQUIRED`` is up, else 503; answers within about ``READYZ_TIMEOUT_SECONDS`` + 1 s
    even when a service hangs."""
    ready, report = readiness()
    return JsonResponse(report, status=200 if ready else 503)
