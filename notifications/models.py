"""The notification centre (issue 19): one row per thing a member should hear about."""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from miel.models import UUIDModel

#: Rows older than this are deleted by ``notifications.tasks.notifications_prune``.
KEEP_FOR = timedelta(days=30)


class Notification(UUIDModel):
    """Something that happened to ``user``: a like, a match, a profile view, a story reply or a
    moderation outcome. ``actor`` is the other member (None for moderation); whether the page
    shows who it is follows the same premium rule as the Likes / Views pages, at display time.
    ``read_at`` is set when the member opens the list."""

    class Kind(models.TextChoices):
        LIKE = "like", _("New like")
        MATCH = "match", _("New match")
        VIEW = "view", _("Profile view")
        STORY_REPLY = "story_reply", _("Story reply")
        MODERATION = "moderation", _("Moderation outcome")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Where tapping the row goes (a site path).
    url = models.CharField(max_length=200, blank=True, default="")
    #: For moderation outcomes: the decision's action (warn, remove, ...) and the role.
    detail = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    #: When the e-mail about it was claimed (story replies; sent at most once).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notif_user_unread"),
            models.Index(fields=["user", "-created_at"], name="notif_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class PushSubscription(UUIDModel):
    """One browser's Web Push subscription (issue 19 C): where to send (``endpoint``, the push
    service's URL) and the browser's keys to encrypt for (``p256dh``, ``auth``, base64url).
    Deleted when the push service answers 404 or 410 (the browser dropped it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"push → {self.user_id}"


class PushSettings(models.Model):
    """Which pushes a member wants (issue 19 C), per kind; ``previews`` shows message text on
    the lock screen (off by default). A member without a row has every kind on, previews off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="push_settings",
    )
    new_match = models.BooleanField(_("New match"), default=True)
    new_message = models.BooleanField(_("New message"), default=True)
    new_like = models.BooleanField(_("New like"), default=True)
    story_reply = models.BooleanField(_("A reply to my story"), default=True)
    #: Premium members only (who viewed me is a premium feature, docs/rules.md §13).
    profile_view = models.BooleanField(_("Someone viewed my profile (premium)"), default=True)
    previews = models.BooleanField(_("Show message text in notifications"), default=False)
    #: The member answered or dismissed the "turn on notifications" card shown after their
    #: first match (issue 19): it is never shown again.
    prompt_done = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"push settings of {self.user_id}"


class PushDelivery(models.Model):
    """One row per event pushed to a member: the send task claims ``(user, key)`` first, so a
    task that runs twice (retry, duplicate queueing) pushes once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notif_pushdelivery_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.user_id}"


class QuietSettings(models.Model):
    """When a member wants no push and no e-mail (issue 19 E, ``docs/rules.md §19``).

    Quiet hours: every day from ``quiet_start`` to ``quiet_end`` (the member's own time zone,
    ``User.time_zone``; an end before the start crosses midnight). Shabbat and holiday mode:
    from candle lighting to havdalah (Shabbat and Yom Tov) at the member's location (Jerusalem
    without one), computed by :mod:`notifications.quiet` with the ``hdate`` library; the next
    (or current) window is stored in ``shabbat_start`` / ``shabbat_end`` by the beat task
    ``notifications-shabbat-windows`` and when the member saves, so neither the senders nor
    discovery compute a calendar per member. With ``shabbat_hide`` the member is also hidden
    from Discover during the window (:func:`matching.selectors.discoverable`).
    A member without a row has both off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="quiet_settings",
    )
    quiet_enabled = models.BooleanField(_("Quiet hours"), default=False)
    quiet_start = models.TimeField(_("From"), default=time(22, 0))
    quiet_end = models.TimeField(_("Until"), default=time(7, 0))
    shabbat_mode = models.BooleanField(_("Shabbat and holiday mode"), default=False)
    shabbat_hide = models.BooleanField(
        _("Hide me from Discover during Shabbat and holidays"), default=False
    )
    #: The current or next window, aware UTC datetimes (None: not computed yet / mode off).
    shabbat_start = models.DateTimeField(null=True, blank=True)
    shabbat_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The few members hidden over Shabbat, for discovery's NOT IN (matching.selectors).
            models.Index(
                fields=["shabbat_start", "shabbat_end"],
                condition=models.Q(shabbat_mode=True, shabbat_hide=True),
                name="notif_shabbat_hidden_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"quiet settings of {self.user_id}"


class HeldNotice(models.Model):
    """A push or an e-mail that arrived during the member's quiet hours or Shabbat mode
    (issue 19 E): kept until ``release_at``, then the beat task ``notifications-flush-held``
    sends ONE summary per channel and deletes the rows in the same transaction."""

    class Channel(models.TextChoices):
        PUSH = "push", "push"
        EMAIL = "email", "e-mail"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    #: What it was about: match, message, like, story_reply, view.
    kind = models.CharField(max_length=20)
    #: The event's name (the push key or e-mail event): held once per channel.
    key = models.CharField(max_length=80)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    release_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "key"], name="notif_heldnotice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"held {self.channel} {self.kind} → {self.user_id}"
