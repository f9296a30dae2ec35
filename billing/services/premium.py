"""Billing writes: checkout, portal, Stripe webhooks, boosts, staff grants (rules §13).

Entitlements change **only** here, and only from verified webhooks (or a staff grant): the
checkout return page never grants anything. The webhook half lives in ``billing.services.webhooks`` and
is re-exported here.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from billing import stripe_client
from billing.plans import plan_get
from billing.selectors import subscription_is_running
from billing.services.entitlements import MAX_BOOST_HOURS, Feature, boost_cost, has_feature
from billing.services.webhooks import WebhookRejected, WebhookResult, webhook_event_process
from miel.page_cache import viewer_pages_changed_on_commit
from profiles.models import Member

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # dev-only stubs: annotations only

logger = logging.getLogger(__name__)

__all__ = [
    "BillingError",
    "BoostResult",
    "WebhookRejected",
    "WebhookResult",
    "boost_spend",
    "checkout_start",
    "customer_ensure",
    "portal_start",
    "premium_grant",
    "webhook_event_process",
]


class BillingError(Exception):
    """A billing action the user cannot take; ``message`` is translated, ``status`` is the
    HTTP status the view answers with."""

    def __init__(self, message: str | StrPromise, *, status: int = 400) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.status = status


@dataclass(frozen=True)
class BoostResult:
    boosted_until: datetime
    boosts_spent: int
    boosts_left: int


# --- checkout and portal -------------------------------------------------------------------


def customer_ensure(*, user: User) -> str:
    """The user's Stripe customer id, creating the customer on first use.

    Two concurrent first calls may both reach Stripe (the idempotency key makes Stripe return one
    customer); only one id is ever stored, by a conditional UPDATE. Raises StripeUnavailable."""
    if user.stripe_customer_id:
        return user.stripe_customer_id
    member = Member.objects.filter(user=user).only("name").first()
    customer = stripe_client.customer_create(
        email=user.email, name=(member.name if member else user.name) or "", user_id=str(user.pk)
    )
    User.objects.filter(pk=user.pk, stripe_customer_id="").update(stripe_customer_id=customer["id"])
    user.refresh_from_db(fields=["stripe_customer_id"])
    return user.stripe_customer_id


def checkout_start(*, user: User, plan_id: str, success_url: str, cancel_url: str) -> str:
    """Start Stripe Checkout (subscription mode) for ``plan_id``; returns the URL to send the
    browser to. Grants nothing: premium arrives with the verified webhooks.

    Raises BillingError: unknown plan (400), payments not configured (503), a subscription
    already running (409, manage it in the portal instead), Stripe unreachable (502)."""
    plan = plan_get(plan_id)
    if plan is None:
        raise BillingError(_("Please choose one of the plans."), status=400)
    if not stripe_client.is_configured():
        raise BillingError(_("Payments are not configured on this site."), status=503)
    if subscription_is_running(user=user):
        raise BillingError(
            _("You already have a subscription. Use “Manage subscription” to change it."),
            status=409,
        )
    try:
        customer_id = customer_ensure(user=user)
        session = stripe_client.checkout_session_create(
            customer_id=customer_id,
            user_id=str(user.pk),
            plan=plan,
            success_url=success_url,
            cancel_url=cancel_url,
        )
    except stripe_client.StripeUnavailable as exc:
        raise BillingError(
            _("The payment service is not answering. Please try again in a minute."), status=502
        ) from exc
    url = session.get("url")
    if not url:
        raise BillingError(_("The payment service gave no checkout page."), status=502)
    return str(url)


def portal_start(*, user: User, return_url: str) -> str:
    """A Stripe customer-portal URL where the member cancels or resumes.

    Raises BillingError: not configured (503), no Stripe customer yet (409), Stripe down (502)."""
    if not stripe_client.is_configured():
        raise BillingError(_("Payments are not configured on this site."), status=503)
    if not user.stripe_customer_id:
        raise BillingError(_("You have no subscription to manage yet."), status=409)
    try:
        session = stripe_client.portal_session_create(
            customer_id=user.stripe_customer_id, return_url=return_url
        )
    except stripe_client.StripeUnavailable as exc:
        raise BillingError(
            _("The payment service is not answering. Please try again in a minute."), status=502
        ) from exc
    return str(session["url"])


# --- boosts and staff grants ---------------------------------------------------------------


@transaction.atomic
def boost_spend(*, user: User, hours: int = 24) -> BoostResult:
    """Spend ceil(hours / 24) boosts to rank first in discovery for ``hours`` more hours,
    counted from the end of a boost still running (rules §13).

    The boosts are taken by one conditional UPDATE (``boosts_available >= n`` and premium still
    running), so double clicks or concurrent requests can never spend boosts that are not there.
    Raises BillingError: hours out of 1..168 (400), not premium (403), no member profile (409),
    not enough boosts (409)."""
    if not isinstance(hours, int) or not 1 <= hours <= MAX_BOOST_HOURS:
        raise BillingError(
            _("A boost lasts between 1 and %(max)d hours.") % {"max": MAX_BOOST_HOURS},
            status=400,
        )
    if not has_feature(user, Feature.BOOST):
        raise BillingError(_("Boosts are a premium feature."), status=403)
    member = Member.objects.select_for_update().filter(user=user).first()
    if member is None:
        raise BillingError(_("Complete your profile before boosting it."), status=409)
    cost = boost_cost(hours=hours)
    now = timezone.now()
    spent = User.objects.filter(
        pk=user.pk, boosts_available__gte=cost, premium_until__gt=now
    ).update(boosts_available=F("boosts_available") - cost, boosts_used=F("boosts_used") + cost)
    if not spent:
        raise BillingError(
            ngettext(
                "This boost needs %(n)d boost and you have fewer left.",
                "This boost needs %(n)d boosts and you have fewer left.",
                cost,
            )
            % {"n": cost},
            status=409,
        )
    start = max(now, member.boosted_until or now)
    member.boosted_until = start + timedelta(hours=hours)
    member.save(update_fields=["boosted_until"])
    user.refresh_from_db(fields=["boosts_available", "boosts_used"])
    return BoostResult(
        boosted_until=member.boosted_until,
        boosts_spent=cost,
        boosts_left=user.boosts_available,
    )


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, the day clamped to the target month's length."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@transaction.atomic
def premium_grant(*, user: User, months: int, boosts: int = 0) -> User:
    """Staff grant: extend premium by ``months`` calendar months from now or from the current
    end (whichever is later) and add ``boosts``. Raises ValueError for months < 1 or boosts < 0.
    """
    if months < 1 or boosts < 0:
        raise ValueError("months must be >= 1 and boosts >= 0")
    locked = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    start = max(now, locked.premium_until or now)
    locked.premium_until = add_months(start, months)
    locked.boosts_available += boosts
    locked.save(update_fields=["premium_until", "boosts_available"])
    viewer_pages_changed_on_commit([locked.pk])  # their kept pages showed the free plan
    return locked


def subscription_cancel_for_account_deletion(*, user: User) -> bool:
    """Stop billing before ``user``'s account is deleted (rules §3 "delete my account").

    Cancels the Stripe subscription at once when the user has one and Stripe is configured;
    returns True when a subscription was cancelled. Raises
    :class:`billing.stripe_client.StripeUnavailable` when Stripe cannot be reached, so the
    caller keeps the account (and the subscription reference) and asks to try again.
    """
    if not user.stripe_subscription_id or not stripe_client.is_configured():
        return False
    return stripe_client.subscription_cancel(user.stripe_subscription_id) is not None
