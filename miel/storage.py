"""Media storage backends chosen by environment (rules §1, §4).

* Photos and stories: local files by default; :class:`CloudinaryStorage` when ``CLOUDINARY_URL``
  is set (``settings.STORAGES["photos"]``).
* Videos: local files by default; S3 through django-storages when ``VIDEO_BUCKET`` is set
  (``settings.STORAGES["videos"]``), any S3-compatible server via ``AWS_S3_ENDPOINT_URL``.

This module is the one place that talks to Cloudinary's upload API and to S3 directly (presigned
uploads); everything else goes through Django's storage API.

Nothing stored is public by URL alone (issue 13 item 7). Local files and Cloudinary assets are
reached through the site's ``/media/<name>`` view (``miel.media_views``), which applies the
page rules and then hands over the bytes (local) or redirects to an **expiring signed URL**
(:func:`signed_url`); Cloudinary assets are uploaded as ``private``, so their public delivery
URL does not work. S3 objects are private and their URLs are presigned
(``AWS_QUERYSTRING_EXPIRE``).
"""

from __future__ import annotations

import math
import posixpath
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import cloudinary.uploader
import cloudinary.utils
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from django.utils.encoding import filepath_to_uri


def cloudinary_options(url: str) -> dict[str, Any]:
    """Turn a ``cloudinary://api_key:api_secret@cloud_name?opt=value`` URL into call options.

    Query parameters become options too, e.g. ``?upload_prefix=http://127.0.0.1:9000`` points
    the upload API at another host (the tests' local fake). Raises ImproperlyConfigured for a
    malformed URL.
    """
    parsed = urlparse(url)
    if parsed.scheme != "cloudinary" or not parsed.hostname:
        raise ImproperlyConfigured("CLOUDINARY_URL must look like cloudinary://key:secret@cloud")
    options: dict[str, Any] = {
        "cloud_name": parsed.hostname,
        "api_key": parsed.username,
        "api_secret": parsed.password,
        "secure": True,
    }
    for key, values in parse_qs(parsed.query).items():
        options[key] = values[0]
    return options


@deconstructible
class CloudinaryStorage(Storage):
    """A Django storage on Cloudinary: ``public_id`` = the storage name without its extension.

    The name Django keeps in the FileField (``photos/<member>/<uuid>.jpg``) maps one-to-one to
    the asset ``photos/<member>/<uuid>`` delivered as ``.jpg``. Names are UUID-based, so
    :meth:`exists` never needs an API call (there is nothing to collide with).

    Assets are uploaded with delivery type ``private``: Cloudinary serves them only through a
    signed download URL that expires (:meth:`signed_url`). :meth:`url` is the site's own
    permission-checked ``/media/<name>``, which redirects there.
    """

    delivery_type = "private"

    def __init__(self, cloudinary_url: str | None = None, resource_type: str = "image") -> None:
        self.cloudinary_url = cloudinary_url or settings.CLOUDINARY_URL
        self.resource_type = resource_type
        self._options = cloudinary_options(self.cloudinary_url)

    @staticmethod
    def public_id(name: str) -> str:
        return posixpath.splitext(name.replace("\\", "/"))[0]

    @staticmethod
    def _format(name: str) -> str | None:
        ext = posixpath.splitext(name)[1].lstrip(".").lower()
        return ext or None

    def _save(self, name: str, content: File) -> str:
        content.seek(0)
        data = content.read()
        cloudinary.uploader.upload(
            (posixpath.basename(name), data),
            public_id=self.public_id(name),
            resource_type=self.resource_type,
            type=self.delivery_type,
            overwrite=True,
            invalidate=True,
            unique_filename=False,
            use_filename=False,
            **self._options,
        )
        return name

    def delete(self, name: str) -> None:
        """Destroy the asset. An asset that is already gone counts as deleted."""
        if not name:
            return
        result = cloudinary.uploader.destroy(
            self.public_id(name),
            resource_type=self.resource_type,
            type=self.delivery_type,
            invalidate=True,
            **self._options,
        )
        if result.get("result") not in ("ok", "not found"):
            raise OSError(f"Cloudinary could not delete {name!r}: {result!r}")

    def exists(self, name: str) -> bool:
        return False

    def url(self, name: str) -> str:
        """The site's permission-checked URL of ``name`` (``MEDIA_URL`` + name)."""
        return settings.MEDIA_URL + filepath_to_uri(name)

    def signed_url(self, name: str, *, expires_seconds: int) -> str:
        """A signed Cloudinary download URL of ``name`` valid for ``expires_seconds`` to
        ``2 * expires_seconds``: the expiry is rounded up to a whole window, so the URL stays
        the same (and cacheable by the browser) within one window."""
        expires_at = (math.floor(time.time() / expires_seconds) + 2) * expires_seconds
        return cloudinary.utils.private_download_url(
            self.public_id(name),
            self._format(name),
            resource_type=self.resource_type,
            type=self.delivery_type,
            expires_at=expires_at,
            **self._options,
        )

    def _open(self, name: str, mode: str = "rb") -> File:
        response = urllib3.request("GET", self.signed_url(name, expires_seconds=300), timeout=30)
        if response.status != 200:
            raise FileNotFoundError(name)
        return ContentFile(response.data, name=name)

    def size(self, name: str) -> int:
        return len(self._open(name).read())


def signed_url(storage: Storage, name: str, *, expires_seconds: int) -> str | None:
    """An expiring signed URL of ``name`` on a remote ``storage`` (Cloudinary, S3), or ``None``
    for local files (served by the site itself)."""
    if isinstance(storage, CloudinaryStorage):
        return storage.signed_url(name, expires_seconds=expires_seconds)
    if supports_direct_upload(storage):  # S3: presigned GET
        return storage.url(name, expire=expires_seconds)  # type: ignore[call-arg]
    return None


# --- direct (browser → storage) uploads --------------------------------------------------------


@dataclass(frozen=True)
class DirectUpload:
    """Where and how the browser posts a file straight to storage (an S3 presigned POST)."""

    url: str
    fields: dict[str, str]


def supports_direct_upload(storage: Storage) -> bool:
    """True when ``storage`` can take a browser upload directly (S3 presigned POST)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return False
    return isinstance(storage, S3Storage)


def s3_presigned_post(
    storage: Storage, *, name: str, content_type: str, max_bytes: int, expires_seconds: int = 3600
) -> DirectUpload:
    """A presigned POST letting a browser upload at most ``max_bytes`` to ``name``.

    S3 itself enforces the size (``content-length-range``), the exact key and the content type.
    """
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(name))  # type: ignore[attr-defined]
    client = storage.connection.meta.client  # type: ignore[attr-defined]
    post = client.generate_presigned_post(
        Bucket=storage.bucket_name,  # type: ignore[attr-defined]
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
        ],
        ExpiresIn=expires_seconds,
    )
    return DirectUpload(url=post["url"], fields=dict(post["fields"]))
