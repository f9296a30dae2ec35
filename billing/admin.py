"""Admin: payments and processed webhook events are an audit trail, so read-only (rules §14)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import ProcessedWebhookEvent, Transaction


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are written by Stripe webhooks only; staff can look, not edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "plan_id", "amount", "months", "boosts", "status", "created")
    list_filter = ("status", "plan_id", "created")
    search_fields = ("id", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created"
    ordering = ("-created",)
    readonly_fields = (
        "id",
        "user",
        "amount",
        "plan_id",
        "status",
        "months",
        "boosts",
        "created",
        "updated",
    )


@admin.register(ProcessedWebhookEvent)
class ProcessedWebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "processed_at")
    list_filter = ("type", "processed_at")
    search_fields = ("event_id",)
    ordering = ("-processed_at",)
    readonly_fields = ("event_id", "type", "processed_at")
