"""Moderation decisions on reports and ban appeals (rules §6, §14).

Each decision is one ``ModerationDecision`` row (who, when, what, note) plus Django's admin log
entry, written in the transaction that applies it; the members concerned are e-mailed the
outcome in their own language after the commit (``safety.tasks``):

- the reporter learns whether action was taken (never which one: the other member's sanctions
  are theirs);
- the reported member is told of a warning, removed content or a ban (with how to appeal);
  a dismissed report is not announced to them (telling someone they were reported, and by
  implication by whom, invites retaliation);
- an appealing member is told whether the ban stays or is lifted.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Report
from messaging.models import Message
from miel import realtime
from notifications.services import notification_queue
from profiles import services as photo_services
from profiles.trust import trust_score_recompute_on_commit
from stories import services as story_services

from . import selectors
from .models import APPEAL_MAX_CHARS, NOTE_MAX_CHARS, Appeal, ModerationDecision

Action = ModerationDecision.Action
REPORT_ACTIONS = (Action.DISMISS, Action.WARN, Action.REMOVE, Action.BAN)
APPEAL_ACTIONS = (Action.UPHOLD, Action.LIFT)


def _log(*, moderator: User, objects: Sequence[Model], message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=moderator.pk, queryset=list(objects), action_flag=CHANGE, change_message=message
    )


def _notify(decision: ModerationDecision, role: str) -> None:

    from .tasks import send_decision_email  # tasks import this module

    recipient_id = decision.member_id if role == "member" else _reporter_id(decision)
    if recipient_id is not None:
        notification_queue(
            user_id=recipient_id,
            kind="moderation",
            detail=f"{role}:{decision.action}"[:40],
            url="/appeal/" if role == "member" and decision.action == Action.BAN else "",
        )

    transaction.on_commit(lambda: send_decision_email.delay(str(decision.pk), role))


def _reporter_id(decision: ModerationDecision):
    """The reporter's user id of ``decision``'s report (None without a report)."""
    report = decision.report
    return getattr(report, "reporter_id", None) if report is not None else None


def _remove_evidence(report: Report) -> list[str]:
    """Take down the reported member's content the report points at; what went, as words
    for the log. Messages are hidden from both sides but kept (the report still shows them);
    a story is deactivated and its file deleted; a photo is rejected (row and file go)."""
    removed = []
    hidden = Message.objects.filter(
        pk__in=report.messages.values("pk"), sender__user_id=report.reported_id
    ).update(sender_deleted=True, recipient_deleted=True)
    if hidden:
        removed.append(f"{hidden} message(s) hidden")
    story = report.story  # None without a story (no query for a NULL foreign key)
    if story is not None and story.user_id == report.reported_id:
        story_services.stories_deactivate([story.pk], erase_text=True)
        removed.append("story removed")
    photo = report.photo
    if photo is not None and photo.member.user_id == report.reported_id:
        photo_services.photo_reject(photo=photo)
        removed.append("photo removed")
    return removed


def _ban(user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)
    photo_services.member_user_sync(user_ids=[user.pk])  # off the members list now
    realtime.sessions_recheck(user.pk)  # update() sends no signal: close the open sockets


def report_decide(*, moderator: User, report_id: UUID, action: str, note: str = "") -> bool:
    """Settle the open report ``report_id`` with ``action`` (dismiss, warn, remove, ban) and an
    optional ``note`` (staff only, at most 1000 characters, kept in the log). Call inside a
    transaction: the report row is locked, so a second moderator on the same report waits and
    then finds it settled (returns False). Returns False too for a ban of a staff account.

    A ban deactivates the account (its sockets close), settles every open report about it
    (each gets its own decision row, each reporter is told) and tells the member how to
    appeal. ``remove`` takes down the reported content (see :func:`_remove_evidence`).
    Raises ValueError for an action that does not apply to reports."""
    action = Action(action)
    if action not in REPORT_ACTIONS:
        raise ValueError(action)
    note = (note or "").strip()[:NOTE_MAX_CHARS]
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("reported", "story", "photo__member")
        .filter(pk=report_id, status=Report.Status.OPEN)
        .first()
    )
    if report is None:  # unknown, or another moderator settled it first
        return False
    reported = report.reported
    if action is Action.BAN and reported.is_staff:
        return False
    settled = [report]
    what = action.value  # the log is language-neutral, like the other entries
    if action is Action.REMOVE:
        what = "; ".join(_remove_evidence(report)) or "nothing left to remove"
    if action is Action.BAN:
        _ban(reported)
        settled += list(
            Report.objects.select_for_update()
            .filter(reported_id=reported.pk, status=Report.Status.OPEN)
            .exclude(pk=report.pk)
        )
        _log(moderator=moderator, objects=[reported], message="Banned (moderation)")
    status = Report.Status.DISMISSED if action is Action.DISMISS else Report.Status.ACTIONED
    now = timezone.now()
    Report.objects.filter(pk__in=[r.pk for r in settled]).update(
        status=status, reviewed_by=moderator, reviewed_at=now
    )
    _log(moderator=moderator, objects=settled, message=f"Report {status} (moderation): {what}")
    for item in settled:
        decision = ModerationDecision.objects.create(
            moderator=moderator,
            member=reported,
            report=item,
            action=action,
            note=note if item is report else f"{note} (settled by the ban)".strip(),
            created_at=now,
        )
        _notify(decision, "reporter")
        if item is report and action is not Action.DISMISS:
            _notify(decision, "member")
    trust_score_recompute_on_commit(user_id=reported.pk)  # a settled report counts differently
    return True


def appeal_submit(*, user: User, text: str) -> Appeal:
    """File ``user``'s one appeal against their ban (rules §6). It lands in the moderation
    queue. Raises ValidationError when the account is not banned, the text is empty or over
    2000 characters, or an appeal was already filed (the unique user, even under a race)."""
    if not selectors.is_banned(user=user):
        raise ValidationError(_("This account is not banned."), code="not_banned")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Tell us why the ban should be lifted."), code="empty")
    if len(text) > APPEAL_MAX_CHARS:
        raise ValidationError(_("At most 2000 characters."), code="too_long")
    try:
        with transaction.atomic():
            return Appeal.objects.create(user=user, text=text)
    except IntegrityError:
        raise ValidationError(
            _("You have already appealed. We will e-mail you the decision."), code="twice"
        ) from None


def appeal_decide(*, moderator: User, appeal_id: UUID, action: str, note: str = "") -> bool:
    """Decide the open appeal ``appeal_id``: ``uphold`` (the ban stays) or ``lift`` (the
    account is active again and back in discovery). Call inside a transaction (the appeal row
    is locked); returns False when it was already decided. The member is e-mailed the outcome.
    Raises ValueError for another action."""
    action = Action(action)
    if action not in APPEAL_ACTIONS:
        raise ValueError(action)
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=appeal_id, status=Appeal.Status.OPEN)
        .first()
    )
    if appeal is None:
        return False
    user = appeal.user
    now = timezone.now()
    appeal.status = Appeal.Status.LIFTED if action is Action.LIFT else Appeal.Status.UPHELD
    appeal.decided_at = now
    appeal.save(update_fields=["status", "decided_at"])
    if action is Action.LIFT:
        User.objects.filter(pk=user.pk).update(is_active=True)
        photo_services.member_user_sync(user_ids=[user.pk])
        _log(moderator=moderator, objects=[user], message="Ban lifted on appeal (moderation)")
    else:
        _log(moderator=moderator, objects=[user], message="Ban upheld on appeal (moderation)")
    decision = ModerationDecision.objects.create(
        moderator=moderator,
        member=user,
        appeal=appeal,
        action=action,
        note=(note or "").strip()[:NOTE_MAX_CHARS],
        created_at=now,
    )
    _notify(decision, "member")
    return True
