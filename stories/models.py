"""Stories: 24-hour photo posts with views, reactions and replies (rules §2, §10)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from miel.models import UUIDModel
from profiles.models import photos_storage

STORY_LIFETIME = timedelta(hours=24)
STORY_TEXT_MAX_CHARS = 100


def story_upload_to(instance: Story, filename: str) -> str:
    return f"stories/{instance.user_id}/{instance.id}.{filename.rsplit('.', 1)[-1]}"


def default_expires_at():
    return timezone.now() + STORY_LIFETIME


class Story(UUIDModel):
    """A photo story, visible for exactly 24 h from ``created_at`` (rules §10)."""

    class Privacy(models.TextChoices):
        PUBLIC = "PUBLIC", _("Everyone")
        PREMIUM = "PREMIUM", _("Premium members")
        PRIVATE = "PRIVATE", _("My matches only")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories"
    )
    image = models.ImageField(upload_to=story_upload_to, storage=photos_storage, max_length=500)
    public_id = models.CharField(max_length=255, null=True, blank=True)
    text_overlay = models.CharField(max_length=STORY_TEXT_MAX_CHARS, blank=True)
    text_x = models.FloatField(null=True, blank=True)
    text_y = models.FloatField(null=True, blank=True)
    filter = models.CharField(max_length=30, blank=True)
    privacy = models.CharField(max_length=10, choices=Privacy.choices, default=Privacy.PUBLIC)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expires_at)
    is_active = models.BooleanField(default=True)

    #: Not a column: whether the viewer saw it, annotated by stories.selectors.with_viewer_state.
    viewed: bool

    class Meta:
        verbose_name_plural = "stories"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(text_x__isnull=True) | models.Q(text_x__gte=0, text_x__lte=1))
                & (models.Q(text_y__isnull=True) | models.Q(text_y__gte=0, text_y__lte=1)),
                name="stories_story_text_position_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "is_active", "expires_at"], name="story_user_active_idx"),
            models.Index(fields=["expires_at"], name="story_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"Story {self.id} by {self.user_id}"


class StoryView(UUIDModel):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_views"
    )
    viewed_at = models.DateTimeField(default=timezone.now)

    #: Not a column: the viewer's reaction, set by stories.selectors.story_insights on the rows
    #: of the owner's viewer list.
    reaction: str | None

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "viewer"], name="stories_view_unique")
        ]
        indexes = [models.Index(fields=["viewer"], name="storyview_viewer_idx")]


class StoryReaction(UUIDModel):
    class ReactionType(models.TextChoices):
        HEART = "HEART", "❤️"
        FIRE = "FIRE", "🔥"
        LOVE_EYES = "LOVE_EYES", "😍"
        EYES = "EYES", "👀"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_reactions"
    )
    reaction_type = models.CharField(
        max_length=10, choices=ReactionType.choices, default=ReactionType.HEART
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "user"], name="stories_reaction_unique")
        ]


class StoryReply(UUIDModel):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="replies")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_replies_sent"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_replies_received"
    )
    message_text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "story replies"
