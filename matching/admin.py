"""Admin for matching (SPEC §14): reports are the moderation-relevant part."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Block,
    Like,
    MatchNotification,
    ProfileView,
    Report,
    SmartMatchCache,
    UserInteraction,
    UserPreference,
)


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("source", "target", "created_at")
    list_filter = ("created_at",)
    search_fields = ("source__name", "target__name", "source__user__email", "target__user__email")
    raw_id_fields = ("source", "target")
    date_hierarchy = "created_at"


@admin.register(ProfileView)
class ProfileViewAdmin(admin.ModelAdmin):
    list_display = ("viewer", "viewed", "viewed_at", "seen")
    list_filter = ("seen", "viewed_at")
    search_fields = ("viewer__email", "viewed__email")
    raw_id_fields = ("viewer", "viewed")


@admin.register(UserInteraction)
class UserInteractionAdmin(admin.ModelAdmin):
    list_display = ("user", "target", "action", "weight", "duration", "timestamp")
    list_filter = ("action", "timestamp")
    search_fields = ("user__name", "target__name")
    raw_id_fields = ("user", "target")


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "last_updated")
    search_fields = ("user__name", "user__user__email")
    raw_id_fields = ("user",)


@admin.register(SmartMatchCache)
class SmartMatchCacheAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "updated_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    list_filter = ("created_at",)
    search_fields = ("blocker__email", "blocked__email")
    raw_id_fields = ("blocker", "blocked")


@admin.register(MatchNotification)
class MatchNotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "other", "created_at", "sent_at")
    list_filter = ("sent_at",)
    search_fields = ("user__email", "other__email")
    raw_id_fields = ("user", "other")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("reported", "reporter", "reason", "status", "created_at", "reviewed_by")
    list_filter = ("status", "reason", "source", "created_at")
    search_fields = ("reported__email", "reporter__email", "text")
    # Evidence as ids: a select of every message / story / photo would load them all.
    raw_id_fields = ("reporter", "reported", "reviewed_by", "messages", "story", "photo")
    readonly_fields = ("created_at", "reviewed_at", "reviewed_by")
    date_hierarchy = "created_at"
    actions = ("mark_actioned", "mark_dismissed")

    def _decide(self, request, queryset, action: str) -> None:
        # Through the moderation queue's service, so an admin decision is logged with a
        # ModerationDecision row and the members are told, like one taken in /moderation/.
        # (A function-level import: the queue sits above matching.)
        from profiles.moderation.services import Item, Kind, moderation_apply

        items = [Item(kind=Kind.REPORT, id=pk) for pk in queryset.values_list("pk", flat=True)]
        outcome = moderation_apply(moderator=request.user, action=action, items=items)
        self.message_user(request, _("%(n)d report(s) updated.") % {"n": outcome.done})

    @admin.action(description=_("Warn (reports)"))
    def mark_actioned(self, request, queryset):
        self._decide(request, queryset, "warn")

    @admin.action(description=_("Dismiss"))
    def mark_dismissed(self, request, queryset):
        self._decide(request, queryset, "dismiss")
