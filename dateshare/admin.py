from django.contrib import admin

from .models import DateShare


@admin.register(DateShare)
class DateShareAdmin(admin.ModelAdmin):
    """Shared dates, read-only (members create and revoke them)."""

    list_display = ["creator", "partner", "starts_at", "created_at", "revoked_at"]
    list_select_related = ["creator", "partner"]
    exclude = ["token"]  # the link is the member's to give; staff do not need it

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
