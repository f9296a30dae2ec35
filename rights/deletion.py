""" "Delete my account" (rules §3): the user row and everything that cascades from it, files too.

The database cascades follow the seed: User -> Member, Transaction, ProfileView, Story,
AIConversation, AIUsageLog (and allauth's e-mail addresses and social accounts); Member ->
Photo, Video, interests, Like, Message, UserInteraction; Story -> its views, reactions and
replies. Every stored file (photos, videos, stories) is deleted after the commit by the
``post_delete`` receivers of :mod:`miel.media` (cascaded rows included) and explicitly here.
Admin log entries about the user's own objects are removed too, so no row mentions them.
"""

from __future__ import annotations

import logging

from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import check_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from miel.media import file_delete_on_commit
from profiles.models import Member, Photo, Video, VoicePrompt
from stories.models import Story

logger = logging.getLogger(__name__)


def account_deletion_check(*, user: User, password: str = "", email: str = "") -> None:
    """Raise ValidationError unless the user re-authenticated: their password, or, for an
    account without a usable password (social login only), their e-mail address typed again."""
    if user.has_usable_password():
        if not password or not check_password(password, user.password):
            raise ValidationError(_("The password is not correct."), code="bad_password")
    elif email.strip().lower() != user.email.lower():
        raise ValidationError(_("Type your e-mail address to confirm."), code="bad_email")


def _log_entries_about(user: User) -> Q:
    member_ids = list(Member.objects.filter(user=user).values_list("pk", flat=True))
    photo_ids = Photo.objects.filter(member__user=user).values_list("pk", flat=True)
    video_ids = Video.objects.filter(member__user=user).values_list("pk", flat=True)
    voice_ids = VoicePrompt.objects.filter(member__user=user).values_list("pk", flat=True)
    types = ContentType.objects.get_for_models(User, Member, Photo, Video, VoicePrompt)
    q = Q(user=user) | Q(content_type=types[User], object_id=str(user.pk))
    for model, ids in (
        (Member, member_ids),
        (Photo, photo_ids),
        (Video, video_ids),
        (VoicePrompt, voice_ids),
    ):
        q |= Q(content_type=types[model], object_id__in=[str(i) for i in ids])
    return q


@transaction.atomic
def account_delete(*, user: User) -> dict[str, int]:
    """Delete ``user`` and everything that belongs to them (rules §3). Call after
    :func:`account_deletion_check`; the view logs the session out.

    Returns Django's per-model deletion counts. Stored files go after the commit; a storage
    error is logged and never undoes the deletion.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    for photo in Photo.objects.filter(member__user=locked):
        file_delete_on_commit(photo.file)
    for video in Video.objects.filter(member__user=locked):
        file_delete_on_commit(video.file)
    for voice in VoicePrompt.objects.filter(member__user=locked):  # issue 18
        file_delete_on_commit(voice.file)
    for story in Story.objects.filter(user=locked):
        file_delete_on_commit(story.image)
    LogEntry.objects.filter(_log_entries_about(locked)).delete()
    _total, counts = locked.delete()
    logger.info("account deleted", extra={"rows": sum(counts.values())})
    return counts
