"""Billing writes: checkout, portal, Stripe webhooks, boosts, staff grants (SPEC §13).

Entitlements change **only** here, and only from verified webhooks (or a staff grant): the
checkout return page never grants anything.
"""

from __future__ import annotations

import calendar
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from profiles.models import Member

from . import stripe_client
from .entitlements import MAX_BOOST_HOURS, Feature, boost_cost, has_feature
from .models import ProcessedWebhookEvent, Transaction
from .plans import Plan, plan_for_price, plan_get
from .selectors import subscription_is_running

logger = logging.getLogger(__name__)

HANDLED_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "invoice.paid",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    }
)
ACTIVE_STATUSES = frozenset({"active", "trialing"})
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


class BillingError(Exception):
    """A billing action the user cannot take; ``message`` is translated, ``status`` is the
    HTTP status the view answers with."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.status = status


class WebhookRejected(Exception):
    """The webhook request is unsigned, wrongly signed or malformed (HTTP 400, no effect)."""


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    type: str
    outcome: str  # "processed" | "duplicate" | "ignored"


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


# --- webhooks ------------------------------------------------------------------------------


def _id(value: Any) -> str | None:
    """A Stripe reference that may be an id string or an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _ts(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def _subscription_id_of(event_type: str, obj: dict[str, Any]) -> str | None:
    if event_type.startswith("customer.subscription."):
        return _id(obj.get("id"))
    if event_type == "checkout.session.completed":
        return _id(obj.get("subscription"))
    # invoice: older API versions have ``subscription``, newer ones ``parent.subscription_details``
    found = _id(obj.get("subscription"))
    if found:
        return found
    parent = obj.get("parent") or {}
    found = _id((parent.get("subscription_details") or {}).get("subscription"))
    if found:
        return found
    for line in (obj.get("lines") or {}).get("data") or []:
        found = _id(line.get("subscription")) or _id(
            ((line.get("parent") or {}).get("subscription_item_details") or {}).get("subscription")
        )
        if found:
            return found
    return None


def _metadata_user_id(obj: dict[str, Any]) -> str | None:
    candidates = [obj.get("metadata") or {}]
    parent = obj.get("parent") or {}
    candidates.append((parent.get("subscription_details") or {}).get("metadata") or {})
    candidates.append((obj.get("subscription_details") or {}).get("metadata") or {})
    for meta in candidates:
        if isinstance(meta, dict) and meta.get("user_id"):
            return str(meta["user_id"])
    return None


def _locked_user(event_type: str, obj: dict[str, Any]) -> User | None:
    """The user an event is about, row-locked for the rest of the transaction."""
    users = User.objects.select_for_update()
    if event_type == "checkout.session.completed":
        candidates = [obj.get("client_reference_id")]
    else:
        customer = _id(obj.get("customer"))
        if customer:
            found = users.filter(stripe_customer_id=customer).first()
            if found is not None:
                return found
        candidates = [_metadata_user_id(obj)]
    for raw in candidates:
        try:
            pk = uuid.UUID(str(raw))
        except ValueError:
            continue
        found = users.filter(pk=pk).first()
        if found is not None:
            return found
    return None


def _period_end(sub: dict[str, Any]) -> datetime | None:
    """``current_period_end`` (older API versions keep it on the subscription, newer ones on
    each subscription item)."""
    end = _ts(sub.get("current_period_end"))
    if end:
        return end
    items = (sub.get("items") or {}).get("data") or []
    ends = [e for e in (_ts(i.get("current_period_end")) for i in items) if e]
    return max(ends) if ends else None


def _apply_subscription(*, user: User, sub: dict[str, Any], now: datetime) -> None:
    """Set premium from the subscription's *current* state (fetched from Stripe just now), so
    the arrival order of events cannot leave a wrong status (SPEC §13)."""
    status = sub.get("status")
    is_current = not user.stripe_subscription_id or user.stripe_subscription_id == sub.get("id")
    period_end = _period_end(sub)
    if status in ACTIVE_STATUSES and period_end:
        user.stripe_subscription_id = str(sub["id"])
        if user.premium_until is None or period_end > user.premium_until:
            user.premium_until = period_end
        if sub.get("cancel_at_period_end") or sub.get("cancel_at"):
            user.canceled_at = user.canceled_at or _ts(sub.get("canceled_at")) or now
        else:
            user.canceled_at = None  # resumed (or never cancelled)
    elif status in ENDED_STATUSES and is_current:
        ended = _ts(sub.get("ended_at")) or _ts(sub.get("canceled_at")) or now
        ended = min(ended, now)
        if user.premium_until is not None and user.premium_until > ended:
            user.premium_until = ended
        user.canceled_at = user.canceled_at or _ts(sub.get("canceled_at")) or ended
    # past_due / unpaid / incomplete / paused: nothing is extended; premium lapses at the end
    # of the period that was paid for.


def _plan_of_invoice(invoice: dict[str, Any], sub: dict[str, Any] | None) -> Plan | None:
    plan = plan_get(((sub or {}).get("metadata") or {}).get("plan"))
    if plan:
        return plan
    parent = invoice.get("parent") or {}
    meta = (parent.get("subscription_details") or {}).get("metadata") or {}
    plan = plan_get(meta.get("plan"))
    if plan:
        return plan
    for line in (invoice.get("lines") or {}).get("data") or []:
        plan = plan_get((line.get("metadata") or {}).get("plan"))
        price = line.get("price") or (line.get("pricing") or {}).get("price_details") or {}
        plan = plan or plan_for_price(_id(price.get("id")) or _id(price.get("price")))
        if plan:
            return plan
    return None


def _record_invoice(
    *, user: User, invoice: dict[str, Any], sub: dict[str, Any] | None, now: datetime
) -> None:
    """One Transaction per paid invoice (its id is the primary key), and the plan's boosts
    granted with it, so a second delivery can never grant twice."""
    invoice_id = _id(invoice.get("id"))
    plan = _plan_of_invoice(invoice, sub)
    if not invoice_id or plan is None:
        logger.warning("invoice.paid without a known plan: %s", invoice_id)
        return
    amount_minor = invoice.get("amount_paid")
    if not isinstance(amount_minor, int):
        amount_minor = plan.amount_minor
    boosts = plan.boosts if amount_minor > 0 else 0
    try:
        with transaction.atomic():
            Transaction.objects.create(
                id=invoice_id,
                user=user,
                amount=(Decimal(amount_minor) / 100).quantize(Decimal("0.01")),
                plan_id=plan.id,
                status=Transaction.Status.SUCCEEDED,
                months=plan.months,
                boosts=boosts,
                created=_ts(invoice.get("created")) or now,
            )
    except IntegrityError:
        logger.info("invoice %s already recorded; no boosts granted again", invoice_id)
        return
    if boosts:
        User.objects.filter(pk=user.pk).update(boosts_available=F("boosts_available") + boosts)


def _parse_event(payload: bytes) -> dict[str, Any]:
    try:
        event = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookRejected("body is not JSON") from exc
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and event["id"]
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise WebhookRejected("not a Stripe event")
    return event


def webhook_event_process(*, payload: bytes, sig_header: str | None) -> WebhookResult:
    """Verify and apply one Stripe webhook delivery (SPEC §13).

    ``payload`` is the raw request body (bytes, exactly as received); ``sig_header`` is the
    ``Stripe-Signature`` header. The event id is inserted into ProcessedWebhookEvent in the same
    transaction as its effect: a replay, or a concurrent duplicate (which waits on the primary
    key until the first commits), hits IntegrityError and changes nothing. The user row is
    locked and the subscription is fetched from Stripe *while holding that lock*, so events for
    one member apply one at a time, each from Stripe's current state.

    Raises WebhookRejected (bad/missing signature, malformed body), StripeNotConfigured (no
    webhook secret) and StripeUnavailable (Stripe could not be asked; nothing is recorded, so
    Stripe's retry processes the event later)."""
    try:
        stripe_client.webhook_verify(payload=payload, sig_header=sig_header)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise WebhookRejected("signature verification failed") from exc
    event = _parse_event(payload)
    event_id, event_type = event["id"], event["type"]
    obj: dict[str, Any] = event["data"]["object"]
    if event_type not in HANDLED_EVENTS:
        return WebhookResult(event_id, event_type, "ignored")
    try:
        with transaction.atomic():
            ProcessedWebhookEvent.objects.create(event_id=event_id, type=event_type)
            outcome = _apply_event(event_type, obj)
    except IntegrityError:
        if not ProcessedWebhookEvent.objects.filter(pk=event_id).exists():
            raise
        return WebhookResult(event_id, event_type, "duplicate")
    return WebhookResult(event_id, event_type, outcome)


def _apply_event(event_type: str, obj: dict[str, Any]) -> str:
    """Apply one verified, first-seen event; call inside the event's transaction."""
    if event_type == "checkout.session.completed" and obj.get("mode") not in (
        None,
        "subscription",
    ):
        return "ignored"
    user = _locked_user(event_type, obj)
    if user is None:
        logger.warning("stripe %s for an unknown customer %s", event_type, obj.get("customer"))
        return "ignored"
    now = timezone.now()
    customer = _id(obj.get("customer"))
    if event_type == "checkout.session.completed" and customer and not user.stripe_customer_id:
        user.stripe_customer_id = customer
    sub_id = _subscription_id_of(event_type, obj)
    sub: dict[str, Any] | None = None
    if sub_id:
        sub = stripe_client.subscription_retrieve(sub_id)
        if _id(sub.get("customer")) != user.stripe_customer_id:
            logger.warning("subscription %s is not %s's; ignored", sub_id, user.pk)
            return "ignored"
        _apply_subscription(user=user, sub=sub, now=now)
    user.save(
        update_fields=[
            "premium_until",
            "canceled_at",
            "stripe_customer_id",
            "stripe_subscription_id",
        ]
    )
    if event_type == "invoice.paid":
        _record_invoice(user=user, invoice=obj, sub=sub, now=now)
    return "processed"


# --- boosts and staff grants ---------------------------------------------------------------


@transaction.atomic
def boost_spend(*, user: User, hours: int = 24) -> BoostResult:
    """Spend ceil(hours / 24) boosts to rank first in discovery for ``hours`` more hours,
    counted from the end of a boost still running (SPEC §13).

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
    return locked
