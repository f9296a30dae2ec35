from django.contrib import admin

from .models import AIConversation, AIMessage, AIUsageLog, UserProfileAnalysis


class AIMessageInline(admin.TabularInline):
    model = AIMessage
    extra = 0
    fields = ("role", "content", "tokens_used", "created_at")
    readonly_fields = fields


@admin.register(AIConversation)
class AIConversationAdmin(admin.ModelAdmin):
    list_display = ("user", "title", "is_active", "created_at", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("user__email", "title")
    raw_id_fields = ("user",)
    inlines = [AIMessageInline]


@admin.register(AIMessage)
class AIMessageAdmin(admin.ModelAdmin):
    list_display = ("conversation", "role", "short", "tokens_used", "created_at")
    list_filter = ("role",)
    search_fields = ("content", "conversation__user__email")
    raw_id_fields = ("conversation",)

    @admin.display(description="content")
    def short(self, obj: AIMessage) -> str:
        return obj.content[:80]


@admin.register(AIUsageLog)
class AIUsageLogAdmin(admin.ModelAdmin):
    list_display = ("user", "action", "tokens", "cost", "created_at")
    list_filter = ("action",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"


@admin.register(UserProfileAnalysis)
class UserProfileAnalysisAdmin(admin.ModelAdmin):
    list_display = ("user", "updated_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
