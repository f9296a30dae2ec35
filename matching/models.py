"""Matching: likes, profile views, interactions, preferences, smart-match cache, blocks and
reports (rules §2, §6, §7, §11)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from miel.models import UUIDModel
from profiles.models import Member


class Like(UUIDModel):
    """``source`` likes ``target``; both directions present = a mutual match (rules §6)."""

    source = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="likes_given")
    target = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="likes_received")
    created_at = models.DateTimeField(default=timezone.now)
    #: An optional note sent with the like (issue 16): shown with the like in the target's
    #: Likes, and the first chat message once the pair matches.
    note = models.CharField(max_length=150, blank=True, default="")
    #: The prompt this like answered (issue 18, "like a prompt"), with a copy of the answer as
    #: it read then, so the target's Likes show which prompt was liked even after an edit.
    prompt = models.ForeignKey(
        "profiles.Prompt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prompt_answer = models.CharField(max_length=200, blank=True, default="")
    #: The photo this like was given from (issue 16, "Liked your photo"): one of the target's
    #: approved photos; the target's Likes show it with the like.
    photo = models.ForeignKey(
        "profiles.Photo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="matching_like_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="matching_like_not_self"
            ),
        ]
        indexes = [models.Index(fields=["target", "-created_at"], name="like_target_created_idx")]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class Pass(UUIDModel):
    """``source`` passed on ``target`` (issue 15): ``target`` leaves ``source``'s discovery
    (deck, members list, smart matches, assistant) for :data:`matching.services.PASS_DAYS`
    days from ``created_at``. One row per pair; passing again refreshes ``created_at``; a like
    of ``target`` by ``source`` deletes it, and so does an undo."""

    source = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="passes_given")
    target = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="passes_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "passes"
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="matching_pass_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="matching_pass_not_self"
            ),
        ]
        indexes = [
            models.Index(
                fields=["source", "-created_at"], include=["target"], name="pass_source_created_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_id} ✕ {self.target_id}"


class PassUndo(UUIDModel):
    """One undo of a pass by ``member`` (issue 15): counted for the free members' daily
    allowance (:data:`matching.services.FREE_UNDOS_PER_DAY`)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="pass_undos")
    target = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["member", "-created_at"], name="passundo_member_idx")]


class ProfileView(UUIDModel):
    """One row per (viewer, viewed) pair with the latest view time (rules §7)."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_views_made"
    )
    viewed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_views_received"
    )
    viewed_at = models.DateTimeField(default=timezone.now)
    seen = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["viewer", "viewed"], name="matching_profileview_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(viewer=models.F("viewed")), name="matching_profileview_not_self"
            ),
        ]
        indexes = [models.Index(fields=["viewed", "-viewed_at"], name="profileview_viewed_idx")]


class UserInteraction(UUIDModel):
    """A weighted behavioural signal used by smart matches (rules §11)."""

    class Action(models.TextChoices):
        VIEW = "view", _("View")
        LIKE = "like", _("Like")
        MESSAGE = "message", _("Message")
        PROFILE_CLICK = "profile_click", _("Profile click")

    user = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="interactions_made")
    target = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="interactions_received"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="seconds (views)")
    weight = models.FloatField(default=1.0)
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(user=models.F("target")), name="matching_interaction_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "target"], name="interaction_user_target_idx"),
            models.Index(fields=["target", "-timestamp"], name="interaction_target_idx"),
            # A free member's likes in the last 12 hours (issue 16: the like allowance).
            models.Index(
                fields=["user", "action", "-timestamp"], name="interaction_user_action_idx"
            ),
        ]


class UserPreference(UUIDModel):
    """Free-form matching preferences (deal breakers, must-haves) of a member."""

    user = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="preference")
    preference_data = models.JSONField(default=dict)
    last_updated = models.DateTimeField(auto_now=True)


class SmartMatchCache(UUIDModel):
    """Smart-match results for one user, valid 6 h (rules §11). One row per user: written with
    an upsert on ``user`` (matching.smart.cache), so concurrent recomputes cannot leave two."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="smart_match_caches"
    )
    match_data = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], name="smartmatch_one_per_user")]


class Block(UUIDModel):
    """``blocker`` hides both members from each other everywhere (rules §6)."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["blocker", "blocked"], name="matching_block_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="matching_block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_blocked_idx")]


class Unmatch(UUIDModel):
    """``unmatcher`` ended the match with ``other`` (issue 16): both likes were deleted, the
    chat is closed for both, and ``unmatcher`` is never shown to ``other`` in discovery again
    (:func:`matching.selectors.not_unmatched_by`). One row per direction (unique pair)."""

    unmatcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unmatches_made"
    )
    other = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unmatches_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unmatcher", "other"], name="matching_unmatch_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(unmatcher=models.F("other")), name="matching_unmatch_not_self"
            ),
        ]
        indexes = [models.Index(fields=["other", "unmatcher"], name="unmatch_other_idx")]

    def __str__(self) -> str:
        return f"{self.unmatcher_id} ✕ {self.other_id}"


class Report(UUIDModel):
    """A member's report about another member; goes to the moderation queue (rules §6, §14)."""

    class Reason(models.TextChoices):
        FAKE = "fake", _("Fake profile")
        HARASSMENT = "harassment", _("Harassment or threats")
        EXPLICIT = "explicit", _("Explicit content")
        SCAM = "scam", _("Scam or spam")
        UNDERAGE = "underage", _("Looks under 18")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        """Where the report was made (what the evidence is)."""

        PROFILE = "profile", _("Profile")
        CHAT = "chat", _("Chat")
        STORY = "story", _("Story")
        PHOTO = "photo", _("Photo")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACTIONED = "actioned", _("Actioned")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_received"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.TextField(blank=True, max_length=2000)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Evidence (rules §6): where it happened. Every piece is permission-checked by
    # ``matching.services.report_create`` (messages between the two members only, a story
    # the reporter could see, a photo of the reported member).
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PROFILE)
    messages = models.ManyToManyField(
        "messaging.Message", blank=True, related_name="reports", verbose_name=_("messages")
    )
    story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    photo = models.ForeignKey(
        "profiles.Photo", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reporter=models.F("reported")), name="matching_report_not_self"
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="report_status_idx")]


class MatchNotification(UUIDModel):
    """One "new match" e-mail per (user, other) pair, ever (rules §6).

    Created for both members when a like completes a pair; the unique constraint keeps a
    re-match from queueing a second e-mail, and ``sent_at`` is claimed with a conditional
    UPDATE so a task that runs twice sends once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_notifications"
    )
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "other"], name="matching_matchnotification_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.other_id}"


class LocationChange(models.Model):
    """One change of a member's own position (rules §5): at most
    ``settings.LOCATION_CHANGES_PER_HOUR`` in any hour (:func:`matching.services.location_change_count`).
    Rows older than an hour are deleted as new ones come."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="location_changes")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["member", "changed_at"], name="location_change_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.changed_at:%Y-%m-%d %H:%M}"
