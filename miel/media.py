"""Stored files follow their rows: deleting a Photo, Video or Story deletes its file (rules §3, §4).

Saving is the other half: :func:`field_file_save` / :func:`storage_save` leave no partial file
behind when a write fails, and turn a full disk (``ENOSPC`` / ``EDQUOT``) into
:class:`StorageFull`, which views answer with 507 (issue 13 item 10).

Services delete files explicitly too, but rows also disappear through cascades (an account
deletion, a member's QuerySet delete), which bypass any service. A ``post_delete`` receiver sees
every one of those rows (Django's collector sends the signal per object when a receiver is
connected) and removes the file **after the commit**, so a rolled-back delete keeps its file.
Deleting a file twice is harmless: every storage backend treats a missing file as deleted.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageFull(Exception):
    """There was no room to store a file (the disk or quota is full). Nothing was kept: no
    partial file, no row. Views answer HTTP 507 with :attr:`message`."""

    status = 507
    code = "storage_full"

    @property
    def message(self) -> str:
        return _(
            "There is no room to store files right now, so nothing was saved. Please try again later."
        )


def is_disk_full(exc: BaseException | None) -> bool:
    """True for an ``OSError`` meaning "no space left" / "quota exceeded" (FFmpeg's errors are
    ``OSError`` subclasses with the same errno), or a :class:`StorageFull`."""
    if isinstance(exc, StorageFull):
        return True
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        logger.exception("could not remove the partial file %s", name)


def storage_save(
    storage: Storage, name: str, content: Any, *, max_length: int | None = None
) -> str:
    """``storage.save(name, content)``, returning the stored name. When the save fails, the
    partial file it may have written under ``name`` is deleted (unless a file of that name was
    there before), and a full disk is raised as :class:`StorageFull`; other errors propagate.
    """
    existed = storage.exists(name)
    try:
        return storage.save(name, content, max_length=max_length)
    except BaseException as exc:
        if not existed:
            _delete_quietly(storage, name)
        if is_disk_full(exc):
            raise StorageFull from exc
        raise


def field_file_save(field_file: FieldFile, filename: str, content: Any) -> None:
    """Store ``content`` as ``field_file`` (like ``field_file.save(filename, content,
    save=False)``: the row is not saved) with :func:`storage_save`'s clean-up on failure."""
    name = field_file.field.generate_filename(field_file.instance, filename)
    field_file.name = storage_save(
        field_file.storage, name, content, max_length=field_file.field.max_length
    )
    setattr(field_file.instance, field_file.field.attname, field_file.name)
    field_file._committed = True


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


def _photo_deleted(sender, instance, **kwargs):
    file_delete_on_commit(instance.file)


def _video_deleted(sender, instance, **kwargs):
    file_delete_on_commit(instance.file)
    file_delete_on_commit(instance.poster)


def _story_deleted(sender, instance, **kwargs):
    file_delete_on_commit(instance.image)


def connect() -> None:
    """Connect the receivers (called from ``MielConfig.ready``)."""
    post_delete.connect(_photo_deleted, sender="profiles.Photo", dispatch_uid="miel.media.photo")
    post_delete.connect(_video_deleted, sender="profiles.Video", dispatch_uid="miel.media.video")
    # Voice prompts (issue 18): an account deletion cascades here and the audio goes too.
    post_delete.connect(
        _photo_deleted, sender="profiles.VoicePrompt", dispatch_uid="miel.media.voice"
    )
    post_delete.connect(_story_deleted, sender="stories.Story", dispatch_uid="miel.media.story")
    post_delete.connect(_photo_deleted, sender="profiles.Selfie", dispatch_uid="miel.media.selfie")
