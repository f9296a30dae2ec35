"""Story photos go through the profile-photo pipeline (rules §4, §10: "same validation as
photos"). This module is the one seam between stories and that pipeline."""

from __future__ import annotations

from profiles.services import PhotoRejected, photo_prepare


def clean_story_image(upload) -> tuple[bytes, str]:
    """Validate ``upload`` by content and return ``(re-encoded JPEG bytes without EXIF/GPS,
    extension)`` using ``profiles.services.photo_prepare`` (JPEG/PNG/WebP up to 10 MB,
    decompression bombs rejected).

    Raises ``stories.services.StoryError`` with the pipeline's message and status (413 too
    large, 400 otherwise).
    """
    from .services import StoryError

    try:
        prepared = photo_prepare(upload=upload)
    except PhotoRejected as exc:
        raise StoryError(exc.messages[0], status=exc.status) from exc
    return prepared.content, "jpg"
