"""Trust score 0-100 (rules §0, §2, §4): how much other members can trust that a profile is real.

Points (documented in README):

| input | points |
|---|---|
| e-mail verified (``User.email_verified`` or a verified allauth address) | 20 |
| signed in with Google/Facebook (``User.oauth_verified``) | 15 |
| at least one approved photo | 20 |
| complete profile (``profile_complete`` and a Member row) | 15 |
| an approved video intro | 10 |
| account age: 7+ days 5, 30+ days 10, 90+ days 15, 180+ days 20 | up to 20 |
| each report against the user: open -10, actioned -25 (dismissed reports count 0) | negative |

The sum is clamped to 0-100. Level: ``low`` < 40 <= ``medium`` < 70 <= ``high``.
The **verified badge** (rules §4) is separate: an approved selfie, ``profiles.selectors.is_verified``.

The score is stored on ``User.trust_score`` and recomputed by :func:`trust_score_recompute`
whenever an input changes: the receivers in ``profiles.signals`` (photos, videos, the member, and
the user and e-mail rows of the ``accounts`` layer below, which cannot call up), explicit calls
from the report services (:func:`trust_score_recompute_on_commit`), and daily for account age
(``profiles.tasks.trust_scores_refresh``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Member, Photo, Video

POINTS_EMAIL = 20
POINTS_OAUTH = 15
POINTS_PHOTO = 20
POINTS_PROFILE = 15
POINTS_VIDEO = 10
AGE_STEPS = ((180, 20), (90, 15), (30, 10), (7, 5))  # (days, points), largest first
PENALTY_OPEN_REPORT = 10
PENALTY_ACTIONED_REPORT = 25
LEVEL_MEDIUM_FROM = 40
LEVEL_HIGH_FROM = 70

LEVEL_LABELS = {"low": _("Low trust"), "medium": _("Medium trust"), "high": _("High trust")}


@dataclass(frozen=True)
class TrustInputs:
    email_verified: bool
    oauth_verified: bool
    approved_photo: bool
    profile_complete: bool
    approved_video: bool
    account_days: int
    open_reports: int
    actioned_reports: int


def trust_inputs(*, user: User, now: datetime | None = None) -> TrustInputs:
    """Read every input of the score (4 small queries)."""
    # A function-level import of a higher layer, on purpose: the report penalty counts
    # matching's Report rows (a layer exception listed in pyproject.toml); at module level it
    # would make profiles import matching while the apps load.
    from matching.models import Report

    now = now or timezone.now()
    member_id = Member.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    reports = Report.objects.filter(reported_id=user.pk).aggregate(
        open=Count("pk", filter=Q(status=Report.Status.OPEN)),
        actioned=Count("pk", filter=Q(status=Report.Status.ACTIONED)),
    )
    return TrustInputs(
        email_verified=user.email_verified is not None
        or EmailAddress.objects.filter(user_id=user.pk, verified=True).exists(),
        oauth_verified=user.oauth_verified,
        approved_photo=member_id is not None
        and Photo.objects.filter(member_id=member_id, is_approved=True).exists(),
        profile_complete=user.profile_complete and member_id is not None,
        approved_video=member_id is not None
        and Video.objects.filter(member_id=member_id, is_approved=True).exists(),
        account_days=max(0, (now - user.date_joined).days),
        open_reports=reports["open"] or 0,
        actioned_reports=reports["actioned"] or 0,
    )


def trust_score_from(inputs: TrustInputs) -> int:
    """The 0-100 score for the given inputs (table in the module docstring)."""
    points = 0
    points += POINTS_EMAIL if inputs.email_verified else 0
    points += POINTS_OAUTH if inputs.oauth_verified else 0
    points += POINTS_PHOTO if inputs.approved_photo else 0
    points += POINTS_PROFILE if inputs.profile_complete else 0
    points += POINTS_VIDEO if inputs.approved_video else 0
    points += next((p for days, p in AGE_STEPS if inputs.account_days >= days), 0)
    points -= PENALTY_OPEN_REPORT * inputs.open_reports
    points -= PENALTY_ACTIONED_REPORT * inputs.actioned_reports
    return max(0, min(100, points))


def trust_score_recompute(*, user: User, now: datetime | None = None) -> int:
    """Recompute and store ``user.trust_score`` (rules §0). One UPDATE, only when it changed.
    Returns the score. Safe to call at any time, idempotent."""
    score = trust_score_from(trust_inputs(user=user, now=now))
    if score != user.trust_score:
        User.objects.filter(pk=user.pk).update(trust_score=score)
        user.trust_score = score
    return score


def trust_level(score: int) -> str:
    """``low`` / ``medium`` / ``high`` for a score."""
    if score >= LEVEL_HIGH_FROM:
        return "high"
    if score >= LEVEL_MEDIUM_FROM:
        return "medium"
    return "low"


def trust_level_label(score: int) -> str:
    return str(LEVEL_LABELS[trust_level(score)])


# --- keeping it current -------------------------------------------------------------------


def trust_score_recompute_user_id(user_id: UUID | str) -> None:
    """Recompute the score of the user with this id now (nothing when there is none)."""
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        trust_score_recompute(user=user)


def trust_score_recompute_on_commit(*, user_id: UUID | str) -> None:
    """Queue :func:`trust_score_recompute` for the user after the current transaction commits
    (now, outside one). Called by the services that change an input this app does not own:
    ``matching.services.reports.report_create`` and ``safety.services.report_decide``."""
    transaction.on_commit(lambda: trust_score_recompute_user_id(user_id))
