"""Admin for safety (rules §14): reports (decided through the moderation queue's service),
decisions are read-only history; appeals are decided in the moderation queue."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matching.models import Report

from .models import Appeal, ModerationDecision
from .moderation.services import Item, Kind, moderation_apply


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
        items = [Item(kind=Kind.REPORT, id=pk) for pk in queryset.values_list("pk", flat=True)]
        outcome = moderation_apply(moderator=request.user, action=action, items=items)
        self.message_user(request, _("%(n)d report(s) updated.") % {"n": outcome.done})

    @admin.action(description=_("Warn (reports)"))
    def mark_actioned(self, request, queryset):
        self._decide(request, queryset, "warn")

    @admin.action(description=_("Dismiss"))
    def mark_dismissed(self, request, queryset):
        self._decide(request, queryset, "dismiss")
