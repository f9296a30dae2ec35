"""Writes of selfie verification (rules §4): start an attempt, submit the selfie, staff decide.

``Member.verified`` is written here and only here (:func:`selfie_decide`)."""

from __future__ import annotations

import secrets
from uuid import UUID

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from miel.media import file_delete_on_commit
from profiles.models import Member, Selfie
from profiles.services import photo_prepare

from . import POSES

#: A rejection reason is required and kept short (it is shown to the member).
REASON_MAX_CHARS = 300


@transaction.atomic
def selfie_attempt_start(*, member: Member) -> Selfie:
    """The member's attempt in progress, or a new one with a pose chosen at random by the
    server (``secrets.choice`` over :data:`POSES`). Idempotent: an open or pending attempt is
    returned as it is, so reloading or double-clicking never changes the pose. Raises
    ValidationError ``already_verified`` for a verified member."""
    locked = Member.objects.select_for_update().only("id", "verified").get(pk=member.pk)
    if locked.verified:
        raise ValidationError(_("You are already verified."), code="already_verified")
    current = Selfie.objects.filter(
        member=locked, status__in=[Selfie.Status.OPEN, Selfie.Status.PENDING]
    ).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            return Selfie.objects.create(member=locked, pose=secrets.choice(list(POSES)))
    except IntegrityError:  # the unique "one in progress" constraint: another request won
        return Selfie.objects.get(member=locked, status=Selfie.Status.OPEN)


@transaction.atomic
def selfie_submit(*, member: Member, attempt_id: UUID | str, upload) -> Selfie:
    """Attach the selfie photo to the member's open attempt and send it to the moderation
    queue (status pending). The image gets the profile photo checks and clean-up
    (:func:`profiles.services.photo_prepare`: size, type by content, pixel bomb, EXIF/GPS
    removed). Raises Http404 when ``attempt_id`` is not this member's open attempt (someone
    else's, already submitted or decided), :class:`profiles.services.PhotoRejected` for a bad
    image."""
    prepared = photo_prepare(upload=upload)
    try:
        selfie = Selfie.objects.select_for_update().get(
            pk=attempt_id, member=member, status=Selfie.Status.OPEN
        )
    except (Selfie.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    selfie.file.save("selfie.jpg", ContentFile(prepared.content), save=False)
    selfie.status = Selfie.Status.PENDING
    selfie.submitted_at = timezone.now()
    try:
        selfie.save(update_fields=["file", "status", "submitted_at"])
    except Exception:
        selfie.file.delete(save=False)
        raise
    return selfie


@transaction.atomic
def selfie_decide(
    *, moderator: User, selfie_id: UUID | str, approve: bool, reason: str = ""
) -> bool:
    """Staff decision on a pending selfie (rules §4, §14). Approving sets ``Member.verified``
    (the badge everywhere); rejecting needs a ``reason`` (shown to the member, at most
    :data:`REASON_MAX_CHARS`) and deletes the photo after commit, and the member may try again
    with a new pose. Logged in Django's admin log. Returns False when the selfie is unknown or
    already decided (a second moderator); raises ValidationError ``reason_required``."""
    reason = " ".join(reason.split())[:REASON_MAX_CHARS]
    if not approve and not reason:
        raise ValidationError(_("Say why the selfie is not approved."), code="reason_required")
    selfie = (
        Selfie.objects.select_for_update()
        .filter(pk=selfie_id, status=Selfie.Status.PENDING)
        .first()
    )
    if selfie is None:
        return False
    selfie.decided_at = timezone.now()
    selfie.decided_by = moderator
    if approve:
        selfie.status = Selfie.Status.APPROVED
        selfie.reason = ""
        Member.objects.filter(pk=selfie.member_id).update(verified=True)
    else:
        selfie.status = Selfie.Status.REJECTED
        selfie.reason = reason
        file_delete_on_commit(selfie.file)  # nothing kept of a rejected selfie but the reason
        selfie.file = ""
    selfie.save(update_fields=["status", "reason", "decided_at", "decided_by", "file"])
    LogEntry.objects.log_actions(
        user_id=moderator.pk,
        queryset=[selfie],
        action_flag=CHANGE,
        change_message="Selfie approved (verification)"
        if approve
        else f"Selfie rejected (verification): {reason}",
    )
    return True
