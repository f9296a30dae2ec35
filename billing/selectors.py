"""Billing reads: a member's premium status for the pages (rules §13)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from .models import Transaction
from .plans import Plan, plan_get


@dataclass(frozen=True)
class PremiumStatus:
    is_premium: bool
    premium_until: datetime | None
    boosts_available: int
    boosts_used: int
    cancel_pending: bool  # premium runs to premium_until and then stops
    canceled_at: datetime | None
    has_subscription: bool
    can_manage: bool  # a Stripe customer exists: the portal can be opened
    boosted_until: datetime | None
    plan: Plan | None  # the plan of the latest payment
    payment_failed: bool = False  # the latest invoice's payment failed (Stripe retries it)


def subscription_is_running(*, user: User) -> bool:
    """True while a Stripe subscription keeps the user premium (cancelled-at-period-end
    included: it is resumed in the portal, not bought again)."""
    return bool(user.stripe_subscription_id) and user.is_premium


def premium_status(*, user: User) -> PremiumStatus:
    """Everything the premium page shows about ``user``, read fresh from the database."""
    user = User.objects.get(pk=user.pk)
    now = timezone.now()
    member = getattr(user, "member", None)
    boosted_until = member.boosted_until if member else None
    if boosted_until is not None and boosted_until <= now:
        boosted_until = None
    last = transactions_for_user(user=user).first()
    is_premium = user.is_premium
    return PremiumStatus(
        is_premium=is_premium,
        premium_until=user.premium_until,
        boosts_available=user.boosts_available,
        boosts_used=user.boosts_used,
        cancel_pending=is_premium and user.canceled_at is not None,
        canceled_at=user.canceled_at,
        has_subscription=subscription_is_running(user=user),
        can_manage=bool(user.stripe_customer_id),
        boosted_until=boosted_until,
        plan=plan_get(last.plan_id) if last else None,
        payment_failed=last is not None and last.status == Transaction.Status.FAILED,
    )


def transactions_for_user(*, user: User) -> QuerySet[Transaction]:
    """The user's payments, newest first."""
    return Transaction.objects.filter(user=user).order_by("-created")
