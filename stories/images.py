"""Story photos go through the profile-photo pipeline (SPEC §4, §10: "same validation as
photos"). This module is the one seam between stories and that pipeline."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError


def clean_story_image(upload) -> tuple[bytes, str]:
    """Validate ``upload`` by content and return ``(re-encoded bytes without EXIF, extension)``.

    Raises ``stories.services.StoryError`` (400) for anything that is not an acceptable photo.

    TEMPORARY: a minimal copy of the photo checks until ``profiles.services`` exposes its
    photo validator; then this delegates to it.
    """
    from .services import StoryError

    size = getattr(upload, "size", None) or 0
    if size > settings.PHOTO_MAX_BYTES:
        raise StoryError(_("The photo is larger than 10 MB."))
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in {"JPEG", "PNG", "WEBP"}:
                raise StoryError(_("Upload a JPEG, PNG or WebP photo."))
            if probe.width * probe.height > settings.PHOTO_MAX_PIXELS:
                raise StoryError(_("The photo is too large."))
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=88, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise StoryError(_("This file is not a photo we can read.")) from exc
    return out.getvalue(), "jpg"
