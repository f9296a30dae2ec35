"""Safety: moderation decisions on reports and appeals, and ban appeals (rules §6, §14)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from miel.models import UUIDModel

NOTE_MAX_CHARS = 1000
APPEAL_MAX_CHARS = 2000


class Appeal(UUIDModel):
    """A banned member's one appeal (rules §6): one row per account, ever (a unique user)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Ban upheld")
        LIFTED = "lifted", _("Ban lifted")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ban_appeal"
    )
    text = models.TextField(max_length=APPEAL_MAX_CHARS)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Appeal of {self.user_id} ({self.status})"


class ModerationDecision(UUIDModel):
    """One moderator decision on a report or an appeal (rules §14): who, when, what, note.

    Written by ``safety.services`` in the transaction that applies the decision; never edited.
    """

    class Action(models.TextChoices):
        DISMISS = "dismiss", _("Dismiss")
        WARN = "warn", _("Warn")
        REMOVE = "remove", _("Remove content")
        BAN = "ban", _("Ban")
        UPHOLD = "uphold", _("Uphold ban")
        LIFT = "lift", _("Lift ban")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_decisions",
    )
    #: The member the decision is about (the reported member, or the appealing one).
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_history"
    )
    report = models.ForeignKey(
        "matching.Report",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    note = models.TextField(blank=True, max_length=NOTE_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False) | models.Q(appeal__isnull=False),
                name="safety_decision_has_subject",
            )
        ]
        indexes = [models.Index(fields=["member", "-created_at"], name="decision_member_idx")]

    def __str__(self) -> str:
        return f"{self.action} on {self.member_id}"
