"""Reads of safety (rules §6, §14): ban state, the report and appeal parts of the moderation
queue with their evidence, and the decision log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from matching.models import Report
from messaging.models import Message

from .models import Appeal, ModerationDecision


def is_banned(*, user: User) -> bool:
    """True when ``user`` is inactive because of a moderation ban: their latest ban-related
    decision is a ban (not a lifted appeal). An account deactivated otherwise is not banned."""
    if user.is_active:
        return False
    latest = (
        ModerationDecision.objects.filter(
            member=user, action__in=[ModerationDecision.Action.BAN, ModerationDecision.Action.LIFT]
        )
        .order_by("-created_at")
        .values_list("action", flat=True)
        .first()
    )
    return latest == ModerationDecision.Action.BAN


def appeal_for(*, user: User) -> Appeal | None:
    """``user``'s appeal, if they filed one."""
    return Appeal.objects.filter(user=user).first()


def open_reports(*, limit: int) -> tuple[list[Report], int]:
    """Open reports, oldest first, with their evidence for the queue: the chosen messages
    (oldest first, sender loaded), the story, the photo, and both members. Four queries."""
    qs = Report.objects.filter(status=Report.Status.OPEN)
    rows = (
        qs.select_related("reporter__member", "reported__member", "story", "photo")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("sender").order_by("created", "id"),
            )
        )
        .order_by("created_at", "id")[:limit]
    )
    return list(rows), qs.count()


@dataclass(frozen=True)
class AppealRow:
    appeal: Appeal
    bans: list[ModerationDecision]


def open_appeals(*, limit: int) -> tuple[list[AppealRow], int]:
    """Open appeals, oldest first, each with the ban decisions (and their reports) that led
    to it."""
    qs = Appeal.objects.filter(status=Appeal.Status.OPEN)
    appeals = list(qs.select_related("user__member").order_by("created_at", "id")[:limit])
    bans: dict[object, list[ModerationDecision]] = {a.user_id: [] for a in appeals}
    for decision in (
        ModerationDecision.objects.filter(
            member_id__in=list(bans), action=ModerationDecision.Action.BAN
        )
        .select_related("report", "moderator")
        .order_by("created_at")
    ):
        bans[decision.member_id].append(decision)
    return [AppealRow(appeal=a, bans=bans[a.user_id]) for a in appeals], qs.count()


def decision_log(*, limit: int = 20) -> QuerySet[ModerationDecision]:
    """The latest decisions on reports and appeals: who, when, what, note, about whom."""
    return ModerationDecision.objects.select_related("moderator", "member__member").order_by(
        "-created_at"
    )[:limit]
