"""``/media/<name>``: every stored photo, video, poster and story image, served after the same
rules as the pages (issue 13 item 7). Nothing under ``MEDIA_ROOT`` is served by the proxy
directly, so a pending or rejected file never reaches anyone with its URL.

* **Who**: :func:`profiles.selectors.media_file_visible` (photos, videos, posters) and
  :func:`stories.selectors.story_image_visible` (story images) decide; a file no row holds,
  or one the viewer may not see, is 404 (never 403: nothing is revealed).
* **How**, for local files: with ``MEDIA_ACCEL_REDIRECT`` on (a proxy is in front), an empty
  response with ``X-Accel-Redirect: MEDIA_ACCEL_REDIRECT_PREFIX + name`` lets nginx send the
  bytes from its ``internal`` location (README shows the block); otherwise the file is streamed
  by Django (``FileResponse``; ``make run``, tests). For remote storages (Cloudinary, S3) the
  answer is a redirect to an expiring signed URL (``MEDIA_SIGNED_URL_SECONDS``).
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from accounts.models import User
from miel.storage import signed_url
from profiles.models import Photo, Video
from profiles.selectors import media_file_visible
from stories.models import Story
from stories.selectors import story_image_visible

# Files may change visibility (approval, a block), so browsers may keep them only briefly and
# shared caches never.
CACHE_CONTROL = "private, max-age=300"


def _clean_name(name: str) -> str:
    """The storage name asked for, or 404 for anything that is not a plain relative path."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        raise Http404
    normalised = posixpath.normpath(name)
    if normalised != name or normalised.startswith("..") or "/../" in f"/{normalised}/":
        raise Http404
    return name


def _visible(viewer: User, name: str) -> Storage:
    """The storage holding ``name`` if ``viewer`` may see it; Http404 otherwise."""
    if name.startswith("stories/"):
        allowed = story_image_visible(viewer=viewer, name=name)
        storage = Story._meta.get_field("image").storage
    else:
        allowed = media_file_visible(viewer=viewer, name=name)
        model = Video if name.startswith("videos/") else Photo
        storage = model._meta.get_field("file").storage
    if not allowed:
        raise Http404
    return storage


@require_safe
def media_serve(request: HttpRequest, name: str) -> HttpResponseBase:
    """One stored file after the visibility check (see the module docstring)."""
    name = _clean_name(name)
    if not request.user.is_authenticated:  # no page shows media to visitors
        raise Http404
    storage = _visible(request.user, name)
    if not isinstance(storage, FileSystemStorage):
        url = signed_url(storage, name, expires_seconds=settings.MEDIA_SIGNED_URL_SECONDS)
        if url is None:
            raise Http404
        response: HttpResponseBase = HttpResponseRedirect(url)
    elif settings.MEDIA_ACCEL_REDIRECT:
        if not storage.exists(name):
            raise Http404
        response = HttpResponse(
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream"
        )
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX + quote(name)
    else:
        try:
            handle = storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0])
        response["Content-Disposition"] = "inline"
    response["Cache-Control"] = CACHE_CONTROL
    return response
