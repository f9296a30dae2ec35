"""Test URLconf for the browser journey: the site's URLs plus media files.

``miel.urls`` serves media only with DEBUG on (the test run has it off), so uploaded and demo
photos would show as broken images in the screenshots. Production serves media from its storage.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve


def media(request: HttpRequest, path: str) -> HttpResponse:
    # MEDIA_ROOT is read per request: every test has its own temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", media),
    path("", include("miel.urls")),
]
