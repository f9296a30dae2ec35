"""Site-level pages: landing page and health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; members go straight to the Discover deck."""
    if request.user.is_authenticated:
        return redirect("matching:discover")
    return render(request, "home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness + database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
