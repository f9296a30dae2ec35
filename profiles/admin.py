"""Django admin for profiles, with photo approval actions (rules §4, §14)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Interest, Member, Photo, Selfie, Video


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["thumb", "is_approved", "width", "height", "created_at"]
    readonly_fields = ["thumb", "width", "height", "created_at"]
    show_change_link = True

    @admin.display(description=_("photo"))
    def thumb(self, obj: Photo) -> str:
        return format_html('<img src="{}" height="60" alt="">', obj.url)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "gender", "age", "city", "country", "last_active_at", "created"]
    list_filter = ["gender", "country", "location_enabled"]
    search_fields = ["name", "user__email", "city", "country"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    filter_horizontal = ["interests"]
    readonly_fields = [
        "id",
        "created",
        "updated",
        "last_active_at",
        "location_updated_at",
        "video_uploaded_at",
    ]
    date_hierarchy = "created"
    inlines = [PhotoInline]

    @admin.display(description=_("age"))
    def age(self, obj: Member) -> int:
        return obj.age

    def save_model(self, request, obj: Member, form, change: bool) -> None:
        """Save, then copy the (possibly new) user's fields onto the member
        (:func:`profiles.services.member_user_sync`): a member added for, or moved to, a banned
        or incomplete account must not appear on the members list (rules §5, §16), and smart
        matches must use that user's preferred age range (rules §11)."""
        super().save_model(request, obj, form, change)
        services.member_user_sync(user_ids=[obj.user_id])


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["thumb", "member", "is_approved", "alt_text", "width", "height", "created_at"]
    list_filter = ["is_approved", "created_at"]
    search_fields = ["member__name", "member__user__email"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    readonly_fields = ["id", "width", "height", "created_at", "updated_at", "public_id"]
    actions = ["approve_photos", "reject_photos"]

    @admin.display(description=_("photo"))
    def thumb(self, obj: Photo) -> str:
        return format_html('<img src="{}" height="60" alt="">', obj.url)

    @admin.action(description=_("Approve selected photos"), permissions=["change"])
    def approve_photos(self, request, queryset):
        count = 0
        for photo in queryset.order_by("created_at", "id"):
            services.photo_approve(photo=photo)
            self.log_change(request, photo, [{"changed": {"fields": ["is_approved"]}}])
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d photo approved.", "%(n)d photos approved.", count) % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject selected photos (deletes them)"), permissions=["delete"])
    def reject_photos(self, request, queryset):
        photos = list(queryset)
        self.log_deletions(request, queryset)
        for photo in photos:
            services.photo_reject(photo=photo)
        count = len(photos)
        self.message_user(
            request,
            ngettext("%(n)d photo rejected.", "%(n)d photos rejected.", count) % {"n": count},
            messages.SUCCESS,
        )


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["id", "member", "is_approved", "duration", "created_at"]
    list_filter = ["is_approved"]
    search_fields = ["member__name", "member__user__email"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    readonly_fields = ["id", "created_at", "updated_at"]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["icon", "slug", "name", "name_he", "category"]
    list_filter = ["category"]
    search_fields = ["slug", "name", "name_he"]


@admin.register(Selfie)
class SelfieAdmin(admin.ModelAdmin):
    """Verification selfies, read-only: decisions are made in ``/moderation/selfies/``
    (``profiles.verification.services.selfie_decide`` keeps ``Member.verified``)."""

    list_display = ["member", "pose", "status", "submitted_at", "decided_at", "decided_by"]
    list_filter = ["status", "pose"]
    search_fields = ["member__name", "member__user__email"]
    list_select_related = ["member", "decided_by"]
    exclude = ["file"]  # the image is shown to staff only by the queue's streaming view

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
