"""Admin for stories (rules §14): staff see everything, including expired stories."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Story, StoryReaction, StoryReply, StoryView
from .services import stories_deactivate


class StoryViewInline(admin.TabularInline):
    model = StoryView
    extra = 0
    raw_id_fields = ("viewer",)
    readonly_fields = ("viewer", "viewed_at")
    can_delete = False


class StoryReactionInline(admin.TabularInline):
    model = StoryReaction
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("user", "reaction_type", "created_at")


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "privacy", "filter", "created_at", "expires_at", "is_active")
    list_filter = ("is_active", "privacy", "filter", "created_at")
    search_fields = ("user__email", "user__member__name", "text_overlay", "id")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
    inlines = (StoryViewInline, StoryReactionInline)
    actions = ("take_down",)
    list_select_related = ("user",)

    @admin.action(description=_("Take down (deactivate and delete media)"))
    def take_down(self, request, queryset) -> None:
        count = stories_deactivate(list(queryset.values_list("pk", flat=True)), erase_text=True)
        self.message_user(request, _("%(n)d stories taken down.") % {"n": count}, messages.SUCCESS)


@admin.register(StoryView)
class StoryViewAdmin(admin.ModelAdmin):
    list_display = ("story", "viewer", "viewed_at")
    search_fields = ("viewer__email", "story__id")
    raw_id_fields = ("story", "viewer")
    date_hierarchy = "viewed_at"


@admin.register(StoryReaction)
class StoryReactionAdmin(admin.ModelAdmin):
    list_display = ("story", "user", "reaction_type", "created_at")
    list_filter = ("reaction_type",)
    search_fields = ("user__email", "story__id")
    raw_id_fields = ("story", "user")


@admin.register(StoryReply)
class StoryReplyAdmin(admin.ModelAdmin):
    list_display = ("story", "sender", "recipient", "created_at")
    search_fields = ("sender__email", "recipient__email", "message_text")
    raw_id_fields = ("story", "sender", "recipient")
    date_hierarchy = "created_at"
