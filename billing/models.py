"""Billing: Stripe payments and processed webhook events (rules §2, §13)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Transaction(models.Model):
    """One payment; ``id`` is Stripe's payment id (invoice / payment intent)."""

    class Plan(models.TextChoices):
        BASIC = "basic", _("Basic")
        POPULAR = "popular", _("Popular")
        ANNUAL = "annual", _("Annual")

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        PENDING = "pending", _("Pending")

    id = models.CharField(primary_key=True, max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transactions"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="ILS")
    plan_id = models.CharField(max_length=20, choices=Plan.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    months = models.PositiveSmallIntegerField(default=1)
    boosts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created"], name="transaction_user_idx")]

    def __str__(self) -> str:
        return f"{self.id} ({self.plan_id}, {self.status})"


class ProcessedWebhookEvent(models.Model):
    """A Stripe event id that has been processed; the primary key makes replays no-ops."""

    event_id = models.CharField(primary_key=True, max_length=255)
    type = models.CharField(max_length=100)
    processed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type})"
