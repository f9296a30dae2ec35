"""Stored files follow their rows: deleting a Photo, Video or Story deletes its file (SPEC §3, §4).

Services delete files explicitly too, but rows also disappear through cascades (an account
deletion, a member's QuerySet delete), which bypass any service. A ``post_delete`` receiver sees
every one of those rows (Django's collector sends the signal per object when a receiver is
connected) and removes the file **after the commit**, so a rolled-back delete keeps its file.
Deleting a file twice is harmless: every storage backend treats a missing file as deleted.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete

logger = logging.getLogger(__name__)


def file_delete_on_commit(field_file: FieldFile | None) -> None:
    """Delete ``field_file`` from its storage once the current transaction commits.

    A storage failure is logged, never raised: the row is already gone.
    """
    if not field_file or not field_file.name:
        return
    storage, name = field_file.storage, field_file.name
    model, field_name = type(field_file.instance), field_file.field.name

    def _delete() -> None:
        # Several rows may share one stored file (demo photos do): keep it while any remains.
        if model._default_manager.filter(**{field_name: name}).exists():
            return
        try:
            storage.delete(name)
        except Exception:
            logger.exception("could not delete stored file %s", name)

    transaction.on_commit(_delete)


def _photo_deleted(sender, instance, **kwargs):  # type: ignore[no-untyped-def]
    file_delete_on_commit(instance.file)


def _video_deleted(sender, instance, **kwargs):  # type: ignore[no-untyped-def]
    file_delete_on_commit(instance.file)


def _story_deleted(sender, instance, **kwargs):  # type: ignore[no-untyped-def]
    file_delete_on_commit(instance.image)


def connect() -> None:
    """Connect the receivers (called from ``MielConfig.ready``)."""
    post_delete.connect(_photo_deleted, sender="profiles.Photo", dispatch_uid="miel.media.photo")
    post_delete.connect(_video_deleted, sender="profiles.Video", dispatch_uid="miel.media.video")
    post_delete.connect(_story_deleted, sender="stories.Story", dispatch_uid="miel.media.story")
    post_delete.connect(_photo_deleted, sender="profiles.Selfie", dispatch_uid="miel.media.selfie")
