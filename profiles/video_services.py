"""Video intro write services (rules §4): validate from the file itself, store, approve, delete.

A member has at most one pending video: a new upload replaces the pending one. An approved video
keeps playing until a newer one is approved, which then replaces it. Every video is checked by
parsing its container (pymediainfo, which bundles libmediainfo): mp4 / mov / webm with a video
track, at most ``settings.VIDEO_MAX_BYTES`` and ``VIDEO_MAX_SECONDS``. The file name and the
browser's content type are never trusted.

What is stored is never the uploaded file itself: it is remuxed without any metadata (location,
camera, comments; :mod:`profiles.video_remux`), checked again (container, streams, duration),
and stored with a JPEG poster frame.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import IO, Any
from uuid import UUID

import uuid6
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from pymediainfo import MediaInfo

from miel.media import (
    StorageFull,
    field_file_save,
    file_delete_on_commit,
    is_disk_full,
    storage_save,
)
from miel.storage import DirectUpload, s3_presigned_post, supports_direct_upload

from .models import Member, Video, video_upload_to
from .video_remux import RemuxFailed, video_poster, video_remux

logger = logging.getLogger(__name__)

VIDEO_MAX_SECONDS = 60
# Encoders round a "60 s" clip up by a frame or two (60.04 s); half a second of slack keeps
# honest 60-second clips while still rejecting anything meaningfully longer.
VIDEO_DURATION_SLACK_MS = 500
# Container (from the bytes) -> (extension, content type).
VIDEO_CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
DIRECT_UPLOAD_SALT = "miel.video.direct-upload"
DIRECT_UPLOAD_MAX_AGE = 2 * 60 * 60  # seconds a presigned upload may take to be confirmed


def video_storage() -> Storage:
    """The storage Video files live in (the field's, so services and FieldFile always agree)."""
    return Video._meta.get_field("file").storage


class VideoRejected(ValidationError):
    """An unacceptable video. ``status`` is the HTTP status a view returns: 413 too large,
    415 not an mp4/mov/webm video, 422 too long or unreadable length, 400 other bad input."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message, code=code)
        self.status = status


@dataclass(frozen=True)
class VideoInfo:
    duration_seconds: float
    extension: str

    @property
    def content_type(self) -> str:
        return VIDEO_CONTENT_TYPES[self.extension]


def _too_large() -> VideoRejected:
    return VideoRejected(
        _("The video is too large (at most %(mb)d MB).")
        % {"mb": settings.VIDEO_MAX_BYTES // (1024 * 1024)},
        code="too_large",
        status=413,
    )


def _container_extension(general: Any) -> str | None:
    fmt = (general.format or "").strip()
    if fmt == "WebM":
        return "webm"
    if fmt == "MPEG-4":
        profile = (general.format_profile or "").lower()
        return "mov" if "quicktime" in profile else "mp4"
    return None


def video_probe(*, file: IO[bytes] | str, size: int | None) -> VideoInfo:
    """Check a video by its content (rules §4): size, container, a video track and duration.

    ``file`` is a path or a seekable binary file; ``size`` in bytes. Raises
    :class:`VideoRejected` (413 over ``settings.VIDEO_MAX_BYTES``; 400 empty; 415 not an
    mp4/mov/webm with a video track; 422 length unreadable or over ``VIDEO_MAX_SECONDS``).
    No side effects.
    """
    if size is None or size > settings.VIDEO_MAX_BYTES:
        raise _too_large()
    if size == 0:
        raise VideoRejected(_("The file is empty."), code="empty")
    not_video = VideoRejected(
        _("This file is not an MP4, MOV or WebM video."), code="not_video", status=415
    )
    if not isinstance(file, str):
        file.seek(0)
    try:
        info = MediaInfo.parse(file)
    except Exception as exc:  # libmediainfo reports garbage as an exception or as no tracks
        raise not_video from exc
    finally:
        if not isinstance(file, str):
            file.seek(0)
    general = info.general_tracks[0] if info.general_tracks else None
    extension = _container_extension(general) if general is not None else None
    if general is None or extension is None or not info.video_tracks:
        raise not_video
    duration_ms = general.duration or info.video_tracks[0].duration
    try:
        duration_ms = float(duration_ms)
    except (TypeError, ValueError):
        duration_ms = 0.0
    if duration_ms <= 0:
        raise VideoRejected(
            _("The length of this video could not be read."), code="no_duration", status=422
        )
    if duration_ms > VIDEO_MAX_SECONDS * 1000 + VIDEO_DURATION_SLACK_MS:
        raise VideoRejected(
            _("The video is too long (%(s)d s; at most %(max)d seconds).")
            % {"s": math.ceil(duration_ms / 1000), "max": VIDEO_MAX_SECONDS},
            code="too_long",
            status=422,
        )
    return VideoInfo(duration_seconds=duration_ms / 1000, extension=extension)


def _drop_pending(*, member: Member, keep: Video) -> None:
    """Remove the member's other pending videos (one pending intro at a time)."""
    for old in Video.objects.filter(member=member, is_approved=False).exclude(pk=keep.pk):
        old.delete()  # the file goes after commit (miel.media)


@dataclass(frozen=True)
class CleanVideo:
    """A remuxed, metadata-free copy of an accepted upload in a temporary folder."""

    path: str
    info: VideoInfo
    poster: bytes | None


@contextmanager
def _video_cleaned(*, source: IO[bytes] | str, info: VideoInfo) -> Iterator[CleanVideo]:
    """Remux ``source`` (already accepted by :func:`video_probe` as ``info``) into a temporary
    file without metadata, check the result again and take its poster frame. The temporary
    folder is removed on exit, whatever happens.

    Raises :class:`VideoRejected` 415 when FFmpeg cannot read or remux the file, or when the
    remuxed file lost the picture or no longer passes :func:`video_probe`.
    """
    folder = tempfile.mkdtemp(prefix="miel-video-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        clean_path = os.path.join(folder, f"clean.{info.extension}")
        unreadable = VideoRejected(
            _("This video could not be processed. Try another file or export it again."),
            code="not_processable",
            status=415,
        )
        if not isinstance(source, str):
            source.seek(0)
        try:
            kept = video_remux(source=source, destination=clean_path, extension=info.extension)
        except RemuxFailed as exc:
            logger.info("video remux failed: %s", exc)
            raise unreadable from exc
        finally:
            if not isinstance(source, str):
                source.seek(0)
        if len(kept.video_codecs) != 1 or kept.other_streams:
            raise unreadable
        clean_info = video_probe(file=clean_path, size=os.path.getsize(clean_path))
        if clean_info.extension != info.extension:
            raise unreadable
        yield CleanVideo(path=clean_path, info=clean_info, poster=video_poster(clean_path))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _store_files(*, video: Video, clean: CleanVideo, name: str | None = None) -> None:
    """Save the clean video (under ``name`` when given, else the field's upload_to) and its
    poster to storage, without saving the row. A failed write leaves neither file behind
    (:func:`miel.media.storage_save`); a full disk raises :class:`StorageFull`."""
    try:
        with open(clean.path, "rb") as handle:
            if name is None:
                field_file_save(video.file, f"intro.{clean.info.extension}", File(handle))
            else:
                video.file.name = storage_save(video.file.storage, name, File(handle))
        if clean.poster:
            field_file_save(video.poster, "poster.jpg", ContentFile(clean.poster))
    except BaseException:
        _delete_files(video)
        raise


def _delete_files(video: Video) -> None:
    for field_file in (video.file, video.poster):
        if field_file and field_file.name:
            try:
                field_file.storage.delete(field_file.name)
            except Exception:
                logger.exception("could not delete stored file %s", field_file.name)


@contextmanager
def _disk_full_as_storage_full() -> Iterator[None]:
    """A full disk while writing temporary files (the remux, the poster, a downloaded direct
    upload) is :class:`StorageFull`; the temporary files are removed by their owners."""
    try:
        yield
    except OSError as exc:
        if is_disk_full(exc):
            raise StorageFull from exc
        raise


def video_add(*, member: Member, upload: Any) -> Video:
    """Validate, clean and store an uploaded video intro for ``member``; it is pending (rules §4).

    ``upload`` is a Django UploadedFile. The stored file is a metadata-free remux of the upload
    (:func:`_video_cleaned`) with a poster frame. Replaces the member's previous pending video.
    Raises :class:`VideoRejected` and :class:`StorageFull` (disk full: no file and no row are
    left). The files are stored before any row lock is taken (a 100 MB
    upload to S3 must not hold the member row); they are removed again if the row cannot be
    saved.
    """
    path = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload
    info = video_probe(file=path, size=upload.size)
    video = Video(id=uuid6.uuid7(), member=member, is_approved=False)
    with _disk_full_as_storage_full(), _video_cleaned(source=path, info=info) as clean:
        video.duration = math.ceil(clean.info.duration_seconds)
        _store_files(video=video, clean=clean)
    try:
        with transaction.atomic():
            Member.objects.select_for_update().only("id").get(pk=member.pk)
            video.save(force_insert=True)
            _drop_pending(member=member, keep=video)
    except Exception:
        _delete_files(video)
        raise
    return video


def video_clean_stored(*, video: Video) -> bool:
    """Remux an already stored video without metadata and give it a poster (for videos stored
    before remuxing existed; ``manage.py clean_stored_videos``). The clean copy replaces the
    file under a new name, the row is updated, then the old file and poster are deleted after
    the commit. Returns False (and changes nothing) when the stored file cannot be read or
    remuxed. Raises :class:`StorageFull` when the disk is full (nothing changed then either).
    """
    storage = video.file.storage
    old_file, old_poster = video.file.name, video.poster.name
    if not old_file:  # nothing stored to read
        return False
    fresh = Video(id=uuid6.uuid7(), member_id=video.member_id)  # new names for the new files
    try:
        with (
            _disk_full_as_storage_full(),
            tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as raw,
        ):
            with storage.open(old_file, "rb") as stored:
                shutil.copyfileobj(stored, raw, 1024 * 1024)
            size = raw.tell()
            info = video_probe(file=raw, size=size)
            with _video_cleaned(source=raw, info=info) as clean:
                _store_files(video=fresh, clean=clean)
    except (VideoRejected, FileNotFoundError) as exc:
        logger.warning("video %s not cleaned: %s", video.pk, exc)
        return False
    try:
        with transaction.atomic():
            updated = Video.objects.filter(pk=video.pk, file=old_file).update(
                file=fresh.file.name, poster=fresh.poster.name or ""
            )
    except Exception:
        _delete_files(fresh)
        raise
    if not updated:  # deleted or replaced meanwhile
        _delete_files(fresh)
        return False
    for name in (old_file, old_poster):
        if name:
            transaction.on_commit(partial(storage.delete, name))
    video.file.name, video.poster.name = fresh.file.name, fresh.poster.name
    return True


# --- direct browser -> storage uploads (S3 presigned POST) -------------------------------------


@dataclass(frozen=True)
class DirectVideoUpload:
    upload: DirectUpload
    token: str


def video_direct_upload_available() -> bool:
    """True when the video storage takes browser uploads directly (S3)."""
    return supports_direct_upload(video_storage())


def video_direct_upload_start(*, member: Member, content_type: str, size: int) -> DirectVideoUpload:
    """Issue a presigned POST for one video of ``member`` and a signed token to confirm it.

    ``content_type`` is the browser's guess (only used to pick the key's extension; the content
    is checked at confirm time); ``size`` in bytes, checked early to save a useless upload.
    S3 enforces the size limit and the exact key. Raises :class:`VideoRejected` (413, 415,
    409 when the storage cannot take direct uploads).
    """
    storage = video_storage()
    if not supports_direct_upload(storage):
        raise VideoRejected(
            _("Direct upload is not available; upload through the site."),
            code="no_direct_upload",
            status=409,
        )
    if size > settings.VIDEO_MAX_BYTES:
        raise _too_large()
    by_type = {v: k for k, v in VIDEO_CONTENT_TYPES.items()}
    extension = by_type.get(content_type)
    if extension is None:
        raise VideoRejected(
            _("This file is not an MP4, MOV or WebM video."), code="not_video", status=415
        )
    video_id = uuid6.uuid7()
    name = video_upload_to(Video(id=video_id, member=member), f"intro.{extension}")
    upload = s3_presigned_post(
        storage,
        name=name,
        content_type=content_type,
        max_bytes=settings.VIDEO_MAX_BYTES,
        expires_seconds=DIRECT_UPLOAD_MAX_AGE,
    )
    token = signing.dumps(
        {"member": str(member.pk), "video": str(video_id), "name": name}, salt=DIRECT_UPLOAD_SALT
    )
    return DirectVideoUpload(upload=upload, token=token)


def video_direct_upload_confirm(*, member: Member, token: str) -> Video:
    """Validate a directly uploaded object from storage and create its pending Video.

    ``token`` comes from :func:`video_direct_upload_start` for this member (else 400). The
    object is read back from storage and probed like any upload; a rejected object is deleted.
    Idempotent: confirming the same token twice returns the same video.
    """
    try:
        data = signing.loads(token, salt=DIRECT_UPLOAD_SALT, max_age=DIRECT_UPLOAD_MAX_AGE)
        video_id = UUID(data["video"])
        name = str(data["name"])
        if data["member"] != str(member.pk):
            raise signing.BadSignature("other member")
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise VideoRejected(_("This upload link is not valid."), code="bad_token") from exc
    existing = Video.objects.filter(pk=video_id, member=member).first()
    if existing is not None:
        return existing
    storage = video_storage()
    if not storage.exists(name):
        raise VideoRejected(_("The uploaded video was not found."), code="missing", status=400)
    size = storage.size(name)
    video = Video(id=video_id, member=member, is_approved=False)
    try:
        with (
            _disk_full_as_storage_full(),
            tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as raw,
        ):
            if size <= settings.VIDEO_MAX_BYTES:
                with storage.open(name, "rb") as stored:
                    shutil.copyfileobj(stored, raw, 1024 * 1024)
            info = video_probe(file=raw, size=size)
            with _video_cleaned(source=raw, info=info) as clean:
                video.duration = math.ceil(clean.info.duration_seconds)
                # The browser's object still carries its metadata: replace it by the clean copy.
                storage.delete(name)
                _store_files(video=video, clean=clean, name=name)
    except (VideoRejected, StorageFull):
        storage.delete(name)
        raise
    try:
        with transaction.atomic():
            Member.objects.select_for_update().only("id").get(pk=member.pk)
            video.save(force_insert=True)
            _drop_pending(member=member, keep=video)
    except IntegrityError:  # a concurrent confirm of the same token won
        winner = Video.objects.get(pk=video_id, member=member)
        for mine, theirs in ((video.file, winner.file), (video.poster, winner.poster)):
            if mine.name and mine.name != theirs.name:
                mine.storage.delete(mine.name)
        return winner
    except Exception:
        _delete_files(video)
        raise
    return video


# --- moderation and owner actions ----------------------------------------------------------


def video_play_url(*, member: Member) -> str:
    """The stable URL that redirects to the member's approved video (storage URLs may expire)."""
    return reverse("profiles:video_play", kwargs={"user_id": member.user_id})


@transaction.atomic
def video_approve(*, video: Video) -> Video:
    """Approve a video (staff, rules §4/§14): it becomes the member's intro and replaces any
    older video; ``member.video_url`` points at the stable play URL. Idempotent."""
    video = Video.objects.select_for_update().select_related("member").get(pk=video.pk)
    member = Member.objects.select_for_update().get(pk=video.member_id)
    if not video.is_approved:
        video.is_approved = True
        video.save(update_fields=["is_approved", "updated_at"])
    for old in Video.objects.filter(member=member, created_at__lt=video.created_at):
        old.delete()
    member.video_url = video_play_url(member=member)
    member.video_uploaded_at = video.created_at
    member.save(update_fields=["video_url", "video_uploaded_at", "updated"])
    return video


def _member_refresh_video(*, member: Member) -> None:
    approved = Video.objects.filter(member=member, is_approved=True).order_by("-created_at").first()
    member.video_url = video_play_url(member=member) if approved else ""
    member.video_uploaded_at = approved.created_at if approved else None
    Member.objects.filter(pk=member.pk).update(
        video_url=member.video_url, video_uploaded_at=member.video_uploaded_at
    )


@transaction.atomic
def video_reject(*, video: Video) -> None:
    """Reject a video (staff): the row goes and its file is deleted from storage after commit."""
    video = Video.objects.select_for_update().select_related("member").get(pk=video.pk)
    member = video.member
    video.delete()
    file_delete_on_commit(video.file)
    file_delete_on_commit(video.poster)
    _member_refresh_video(member=member)


@transaction.atomic
def video_delete(*, member: Member, video_id: UUID | str) -> None:
    """The owner deletes one of their videos (any state); 404 for anyone else's video."""
    try:
        video = Video.objects.select_for_update().get(pk=video_id, member=member)
    except (Video.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    video.delete()
    file_delete_on_commit(video.file)
    file_delete_on_commit(video.poster)
    _member_refresh_video(member=member)
