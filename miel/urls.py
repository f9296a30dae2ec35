"""Root URLs. Each app owns its own ``urls.py``; this file only mounts them."""

import os

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as accounts_views

from . import media_views, metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),  # Prometheus (issue 21)
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),  # + User.language
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("rights.urls")),
    path("", include("matching.urls")),
    path("", include("profiles.urls")),
    path("", include("messaging.urls")),
    path("", include("stories.urls")),
    path("", include("assistant.urls")),
    path("", include("billing.urls")),
    path("", include("safety.moderation.urls")),
    path("", include("safety.urls")),
    path("", include("notifications.urls")),
    # Stored files, after the page rules (issue 13 item 7); also in production, where the
    # proxy only sends what this view names in X-Accel-Redirect.
    re_path(
        r"^{}(?P<name>.+)$".format(settings.MEDIA_URL.lstrip("/")),
        media_views.media_serve,
        name="media",
    ),
    path("", include("dateshare.urls")),
]

# Styled error pages that fall back to a plain one rather than fail (miel/error_views.py).
handler400 = "miel.error_views.bad_request"
handler403 = "miel.error_views.permission_denied"
handler404 = "miel.error_views.page_not_found"
handler500 = "miel.error_views.server_error"

if os.environ.get("MIEL_BENCH") == "1":  # `make bench` only: hello world + baselines
    urlpatterns += [path("_bench/", include("bench.urls"))]
