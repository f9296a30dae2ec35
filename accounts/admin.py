"""Django admin for accounts (rules §14)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import User


class PremiumFilter(admin.SimpleListFilter):
    title = _("premium")
    parameter_name = "premium"

    def lookups(self, request, model_admin):
        return [("yes", _("Premium")), ("no", _("Free"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(premium_until__gt=now)
        if self.value() == "no":
            return queryset.exclude(premium_until__gt=now)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "email",
        "name",
        "profile_complete",
        "is_premium_display",
        "role",
        "oauth_verified",
        "trust_score",
        "last_active_at",
        "date_joined",
    ]
    list_filter = [
        "profile_complete",
        PremiumFilter,
        "role",
        "oauth_verified",
        "provider",
        "is_staff",
        "is_active",
    ]
    search_fields = ["email", "name", "stripe_customer_id"]
    readonly_fields = [
        "id",
        "date_joined",
        "last_login",
        "last_active_at",
        "email_verified",
        "welcome_email_sent_at",
        "stripe_customer_id",
        "stripe_subscription_id",
        "provider",
    ]
    fieldsets = [
        (None, {"fields": ["id", "email", "password", "name", "image"]}),
        (
            _("Membership"),
            {
                "fields": [
                    "role",
                    "profile_complete",
                    "premium_until",
                    "canceled_at",
                    "boosts_available",
                    "boosts_used",
                    "trust_score",
                    "incognito",
                ]
            },
        ),
        (
            _("Preferences"),
            {
                "fields": [
                    "preferred_genders",
                    "preferred_age_min",
                    "preferred_age_max",
                    "email_notifications",
                    "time_zone",
                    "language",
                ]
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (
            _("Audit"),
            {
                "fields": [
                    "date_joined",
                    "last_login",
                    "last_active_at",
                    "email_verified",
                    "oauth_verified",
                    "provider",
                    "welcome_email_sent_at",
                    "stripe_customer_id",
                    "stripe_subscription_id",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    @admin.display(boolean=True, description=_("premium"))
    def is_premium_display(self, obj: User) -> bool:
        return obj.is_premium
