"""Reports with evidence (rules §6): the write service and the evidence a reporter may attach.

A module of its own because the evidence lives in higher apps (messaging, stories) whose
services import ``matching.services``; importing them here keeps that direction acyclic.

Every piece of evidence is permission-checked against the reporter:

- messages: only messages between the reporter and the reported member (either direction)
  that the reporter has not deleted on their side;
- a story: only a story of the reported member that the reporter could see (its privacy,
  blocks, an active account), expired ones included (a story is often reported late);
- a photo: only an approved photo of the reported member (pending photos are seen by their
  owner alone).

Anything else raises ``ValidationError`` and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Report
from matching.services.likes import block_create
from messaging.models import Message
from profiles.models import Photo
from profiles.trust import trust_score_recompute_on_commit
from stories import selectors as story_selectors
from stories.models import Story

#: At most this many messages per report (a form shows the latest ones to pick from).
REPORT_MAX_MESSAGES = 20
#: How many of the conversation's latest messages the report form offers.
REPORT_PICKABLE_MESSAGES = 50
REPORT_TEXT_MAX_CHARS = 2000
#: Open (undecided) reports one member may have about one other member: enough to add new
#: evidence, not enough to flood the moderation queue.
REPORT_MAX_OPEN_PER_MEMBER = 3


class ReportLimited(ValidationError):
    """Over a report limit (:func:`report_limits_check`): nothing stored; the view answers 429."""


def report_limits_check(*, reporter: User, reported: User) -> None:
    """Refuse a report that would flood the moderation queue: at most
    :data:`REPORT_MAX_OPEN_PER_MEMBER` open reports by ``reporter`` about ``reported``, and at
    most ``settings.REPORTS_PER_DAY`` reports by ``reporter`` in the last 24 hours (0 = no
    daily limit). Raises :class:`ReportLimited` (code ``report_limit``, translated). Call it
    inside the report's transaction: it locks the reporter's user row first, so concurrent
    reports cannot both pass."""
    User.objects.select_for_update().filter(pk=reporter.pk).values_list("pk").first()
    mine = Report.objects.filter(reporter=reporter)
    if (
        mine.filter(reported=reported, status=Report.Status.OPEN).count()
        >= REPORT_MAX_OPEN_PER_MEMBER
    ):
        raise ReportLimited(
            _(
                "You have already reported this member; our moderators will look at it. "
                "You can block them in the meantime."
            ),
            code="report_limit",
        )
    per_day = settings.REPORTS_PER_DAY
    if per_day and mine.filter(created_at__gt=timezone.now() - timedelta(hours=24)).count() >= (
        per_day
    ):
        raise ReportLimited(
            _("You have sent many reports today. Please try again tomorrow."),
            code="report_limit",
        )


@dataclass
class Evidence:
    """What a reporter attaches; ids as given by the request (validated by the service)."""

    message_ids: list[UUID] = field(default_factory=list)
    story_id: UUID | None = None
    photo_id: UUID | None = None


def conversation_messages(*, reporter: User, reported: User) -> QuerySet[Message]:
    """Messages between ``reporter`` and ``reported`` (User objects) that the reporter still
    sees (not deleted on their side), newest first, sender loaded. The only messages a report
    may carry (rules §6)."""
    return (
        Message.objects.filter(
            Q(sender__user_id=reporter.pk, recipient__user_id=reported.pk, sender_deleted=False)
            | Q(
                sender__user_id=reported.pk,
                recipient__user_id=reporter.pk,
                recipient_deleted=False,
            )
        )
        .select_related("sender")
        .order_by("-created", "-id")
    )


def reportable_story(*, reporter: User, reported: User, story_id: UUID | str) -> Story:
    """``reported``'s story ``story_id`` if ``reporter`` could see it (expired included).
    Raises ValidationError otherwise."""
    try:
        story = story_selectors.story_for_viewer(
            viewer=reporter, story_id=story_id, include_expired=True
        )
    except (Http404, ValueError, ValidationError):
        story = None
    if story is None or story.user_id != reported.pk:
        raise ValidationError(_("That story cannot be attached to this report."), code="story")
    return story


def reportable_photo(*, reported: User, photo_id: UUID | str) -> Photo:
    """An approved photo of ``reported``; ValidationError for anything else."""
    try:
        photo = Photo.objects.filter(
            pk=photo_id, member__user_id=reported.pk, is_approved=True
        ).first()
    except (ValueError, ValidationError):
        photo = None
    if photo is None:
        raise ValidationError(_("That photo cannot be attached to this report."), code="photo")
    return photo


def _messages(*, reporter: User, reported: User, ids: Iterable[UUID]) -> list[Message]:
    wanted = set(ids)
    if not wanted:
        return []
    if len(wanted) > REPORT_MAX_MESSAGES:
        raise ValidationError(
            _("Choose at most %(n)d messages.") % {"n": REPORT_MAX_MESSAGES}, code="messages"
        )
    found = list(conversation_messages(reporter=reporter, reported=reported).filter(pk__in=wanted))
    if len(found) != len(wanted):  # someone else's conversation, or a deleted message
        raise ValidationError(
            _("Only messages of your conversation with this member can be attached."),
            code="messages",
        )
    return found


@transaction.atomic
def report_create(
    *,
    reporter: User,
    reported: User,
    reason: str,
    text: str = "",
    evidence: Evidence | None = None,
    block: bool = False,
) -> Report:
    """File a report with its evidence; it appears in the moderation queue (rules §6, §14).

    ``evidence`` names messages, a story or a photo (see the module docstring for who may
    attach what); the report's ``source`` follows from it (chat, story, photo, else profile).
    With ``block`` the reporter also blocks the reported member (``block_create``), in the
    same transaction. Raises ValidationError for a self-report, an unknown reason, text over
    2000 characters or any evidence the reporter may not attach, and :class:`ReportLimited`
    over a report limit (:func:`report_limits_check`); then nothing is stored.
    """
    if reporter.pk == reported.pk:
        raise ValidationError(_("You cannot report yourself."), code="self")
    if reason not in Report.Reason.values:
        raise ValidationError(_("Choose a reason."), code="reason")
    text = (text or "").strip()
    if len(text) > REPORT_TEXT_MAX_CHARS:
        raise ValidationError(_("At most 2000 characters."), code="too_long")
    evidence = evidence or Evidence()
    messages = _messages(reporter=reporter, reported=reported, ids=evidence.message_ids)
    story = (
        reportable_story(reporter=reporter, reported=reported, story_id=evidence.story_id)
        if evidence.story_id
        else None
    )
    photo = (
        reportable_photo(reported=reported, photo_id=evidence.photo_id)
        if evidence.photo_id
        else None
    )
    report_limits_check(reporter=reporter, reported=reported)
    source = (
        Report.Source.CHAT
        if messages
        else Report.Source.STORY
        if story
        else Report.Source.PHOTO
        if photo
        else Report.Source.PROFILE
    )
    report = Report.objects.create(
        reporter=reporter,
        reported=reported,
        reason=reason,
        text=text,
        source=source,
        story=story,
        photo=photo,
    )
    if messages:
        report.messages.set(messages)
    if block:
        block_create(blocker=reporter, blocked=reported)
    trust_score_recompute_on_commit(user_id=reported.pk)  # an open report lowers it
    return report
