"""Admin for matching (rules §14). Reports are administered with the safety app (safety/admin.py)."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Block,
    Like,
    MatchNotification,
    ProfileView,
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
