"""Voice prompt write services (issue 18): one prompt answered with a recording.

An upload (recorded in the browser with MediaRecorder, or a file) is accepted by its content
only: FFmpeg (PyAV) must open it as mp3 / m4a / ogg / webm / wav and decode its sound, and the
decoded length must be at most :data:`VOICE_MAX_SECONDS`. What is stored is never the upload
itself but a stream copy without any metadata (:func:`profiles.video_remux.audio_remux`, the
same remux as the video intros), decoded once more. It lives in the videos' private storage
(``/media/`` serves it after :func:`profiles.selectors.media_file_visible`) and is pending
until staff approve it in the moderation queue (``safety.moderation``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from typing import Any
from uuid import UUID

import uuid6
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from miel.media import field_file_save, file_delete_on_commit

from .models import Member, Prompt, VoicePrompt
from .video_remux import RemuxFailed, audio_decode, audio_remux
from .video_services import _disk_full_as_storage_full

logger = logging.getLogger(__name__)

VOICE_MAX_SECONDS = 30
#: Encoders pad the last frame; this much over 30 s is still an honest 30-second recording.
VOICE_DURATION_SLACK_SECONDS = 0.5
VOICE_MAX_BYTES = 10 * 1024 * 1024
TRANSCRIPT_MAX = 500
#: Content types per stored extension (for the player's <source type>).
VOICE_CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "webm": "audio/webm",
    "wav": "audio/wav",
}


class VoiceRejected(ValidationError):
    """An unacceptable recording. ``status``: 413 too large, 415 not a readable mp3 / m4a /
    ogg / webm / wav, 422 too long, 400 other bad input."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message, code=code)
        self.status = status


def _transcript_clean(transcript: str) -> str:
    transcript = (transcript or "").strip()
    if len(transcript) > TRANSCRIPT_MAX:
        raise VoiceRejected(
            _("The transcript is too long (at most %(n)d characters).") % {"n": TRANSCRIPT_MAX},
            code="transcript_too_long",
        )
    return transcript


def voice_add(*, member: Member, prompt: Prompt, upload: Any, transcript: str = "") -> VoicePrompt:
    """Validate, clean and store ``upload`` (a Django UploadedFile) as ``member``'s pending
    voice answer to ``prompt`` (issue 18), replacing their previous pending one.

    Raises :class:`VoiceRejected` (413 over :data:`VOICE_MAX_BYTES`, 400 empty or transcript
    over :data:`TRANSCRIPT_MAX` characters, 415 not a decodable mp3 / m4a / ogg / webm / wav,
    422 longer than :data:`VOICE_MAX_SECONDS` seconds) and ``miel.media.StorageFull`` (nothing
    kept). The file is stored before the member row is locked and deleted again if the row
    cannot be saved.
    """
    transcript = _transcript_clean(transcript)
    size = getattr(upload, "size", None)
    if size is None or size > VOICE_MAX_BYTES:
        raise VoiceRejected(
            _("The recording is too large (at most %(mb)d MB).")
            % {"mb": VOICE_MAX_BYTES // (1024 * 1024)},
            code="too_large",
            status=413,
        )
    if size == 0:
        raise VoiceRejected(_("The file is empty."), code="empty")
    unreadable = VoiceRejected(
        _("This file is not an MP3, M4A, OGG, WebM or WAV recording."),
        code="not_audio",
        status=415,
    )
    limit = VOICE_MAX_SECONDS + VOICE_DURATION_SLACK_SECONDS
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload
    voice = VoicePrompt(id=uuid6.uuid7(), member=member, prompt=prompt, transcript=transcript)
    folder = tempfile.mkdtemp(prefix="miel-voice-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        with _disk_full_as_storage_full():
            if not isinstance(source, str):
                source.seek(0)
            try:
                info = audio_decode(source, max_seconds=limit)
            except RemuxFailed as exc:
                logger.info("voice prompt not decodable: %s", exc)
                raise unreadable from exc
            if info.duration_seconds > limit:
                raise VoiceRejected(
                    _("The recording is too long (at most %(max)d seconds).")
                    % {"max": VOICE_MAX_SECONDS},
                    code="too_long",
                    status=422,
                )
            if not isinstance(source, str):
                source.seek(0)
            clean_path = os.path.join(folder, f"clean.{info.extension}")
            try:
                audio_remux(source=source, destination=clean_path, extension=info.extension)
                clean = audio_decode(clean_path, max_seconds=limit)
            except RemuxFailed as exc:
                logger.info("voice prompt not remuxable: %s", exc)
                raise unreadable from exc
            voice.duration = max(1, round(clean.duration_seconds))
            with open(clean_path, "rb") as handle:
                field_file_save(voice.file, f"voice.{info.extension}", File(handle))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        with transaction.atomic():
            Member.objects.select_for_update().only("id").get(pk=member.pk)
            voice.save(force_insert=True)
            for old in VoicePrompt.objects.filter(member=member, is_approved=False).exclude(
                pk=voice.pk
            ):
                old.delete()  # its file goes after commit (miel.media)
    except Exception:
        voice.file.storage.delete(voice.file.name or "")
        raise
    return voice


def voice_set_transcript(*, member: Member, voice_id: UUID | str, transcript: str) -> VoicePrompt:
    """The owner edits the transcript of one of their voice prompts (any state). 404 for
    anyone else's; :class:`VoiceRejected` (400) when over :data:`TRANSCRIPT_MAX` characters."""
    transcript = _transcript_clean(transcript)
    try:
        voice = VoicePrompt.objects.get(pk=voice_id, member=member)
    except (VoicePrompt.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    voice.transcript = transcript
    voice.save(update_fields=["transcript", "updated_at"])
    return voice


@transaction.atomic
def voice_approve(*, voice: VoicePrompt) -> VoicePrompt:
    """Staff approve a voice prompt: it is shown on the profile and replaces any older one
    (whose file is deleted after commit). Idempotent."""
    voice = VoicePrompt.objects.select_for_update().get(pk=voice.pk)
    Member.objects.select_for_update().only("id").get(pk=voice.member_id)
    if not voice.is_approved:
        voice.is_approved = True
        voice.save(update_fields=["is_approved", "updated_at"])
    for old in VoicePrompt.objects.filter(
        member_id=voice.member_id, is_approved=True, created_at__lt=voice.created_at
    ):
        old.delete()
    return voice


@transaction.atomic
def voice_reject(*, voice: VoicePrompt) -> None:
    """Staff reject a voice prompt: the row goes, its file after commit."""
    voice = VoicePrompt.objects.select_for_update().get(pk=voice.pk)
    voice.delete()
    file_delete_on_commit(voice.file)


@transaction.atomic
def voice_delete(*, member: Member, voice_id: UUID | str) -> None:
    """The owner deletes one of their voice prompts (any state); 404 for anyone else's."""
    try:
        voice = VoicePrompt.objects.select_for_update().get(pk=voice_id, member=member)
    except (VoicePrompt.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    voice.delete()
    file_delete_on_commit(voice.file)


def voice_content_type(voice: VoicePrompt) -> str:
    """The MIME type of the stored file, from its (our own) extension."""
    return VOICE_CONTENT_TYPES.get((voice.file.name or "").rsplit(".", 1)[-1], "audio/mpeg")
