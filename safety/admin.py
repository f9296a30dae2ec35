"""Admin for safety (SPEC §14): decisions are read-only history; appeals are decided in the
moderation queue."""

from django.contrib import admin

from .models import Appeal, ModerationDecision


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "member", "moderator", "report", "appeal")
    list_filter = ("action",)
    search_fields = ("member__email", "moderator__email", "note")
    raw_id_fields = ("member", "moderator", "report", "appeal")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("user", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("user__email", "text")
    raw_id_fields = ("user",)
