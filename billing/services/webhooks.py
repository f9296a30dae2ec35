"""Stripe webhooks: verified on the raw body, applied once, decided from Stripe's current
state (rules §13). ``webhook_event_process`` is the entry point (re-exported by services)."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from billing import stripe_client
from billing.models import ProcessedWebhookEvent, Transaction
from billing.plans import Plan, plan_for_price, plan_get
from miel.page_cache import viewer_pages_changed_on_commit

logger = logging.getLogger(__name__)

HANDLED_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "invoice.paid",
        "invoice.payment_failed",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    }
)
ACTIVE_STATUSES = frozenset({"active", "trialing"})
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


class WebhookRejected(Exception):
    """The webhook request is unsigned, wrongly signed or malformed (HTTP 400, no effect)."""


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    type: str
    outcome: str  # "processed" | "duplicate" | "ignored"


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
    the arrival order of events cannot leave a wrong status (rules §13)."""
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
    amount = (Decimal(amount_minor) / 100).quantize(Decimal("0.01"))
    try:
        with transaction.atomic():
            Transaction.objects.create(
                id=invoice_id,
                user=user,
                amount=amount,
                plan_id=plan.id,
                status=Transaction.Status.SUCCEEDED,
                months=plan.months,
                boosts=boosts,
                created=_ts(invoice.get("created")) or now,
            )
    except IntegrityError:
        # A failed attempt of this invoice was recorded first (invoice.payment_failed): the
        # retry succeeded, so the row turns SUCCEEDED and the boosts are granted, once (the
        # conditional UPDATE matches only while the row is still FAILED).
        upgraded = Transaction.objects.filter(
            id=invoice_id, user=user, status=Transaction.Status.FAILED
        ).update(status=Transaction.Status.SUCCEEDED, amount=amount, boosts=boosts)
        if not upgraded:
            logger.info("invoice %s already recorded; no boosts granted again", invoice_id)
            return
    if boosts:
        User.objects.filter(pk=user.pk).update(boosts_available=F("boosts_available") + boosts)


def _record_failed_invoice(
    *, user: User, invoice: dict[str, Any], sub: dict[str, Any] | None, now: datetime
) -> bool:
    """Record a failed invoice payment (``invoice.payment_failed``, rules §13) as a FAILED
    Transaction with the amount due and no boosts (id = the invoice id, so Stripe's retries of
    the same invoice add no row, and a later ``invoice.paid`` turns it SUCCEEDED). Premium is
    not touched: it was paid up to ``premium_until`` and lapses then unless a retry succeeds.
    Returns True when this is the invoice's first recorded failure (the member is told once)."""
    invoice_id = _id(invoice.get("id"))
    plan = _plan_of_invoice(invoice, sub)
    if not invoice_id or plan is None:
        logger.warning("invoice.payment_failed without a known plan: %s", invoice_id)
        return False
    amount_minor = invoice.get("amount_due")
    if not isinstance(amount_minor, int):
        amount_minor = plan.amount_minor
    try:
        with transaction.atomic():
            Transaction.objects.create(
                id=invoice_id,
                user=user,
                amount=(Decimal(amount_minor) / 100).quantize(Decimal("0.01")),
                plan_id=plan.id,
                status=Transaction.Status.FAILED,
                months=plan.months,
                boosts=0,
                created=_ts(invoice.get("created")) or now,
            )
    except IntegrityError:
        # Already recorded: a further failed attempt, or a late event for a paid invoice.
        return False
    return True


def _notify_payment_failed(user: User, invoice_id: str) -> None:
    """Queue the "your payment failed" e-mail after the event's transaction commits."""
    from billing.tasks import send_payment_failed_email

    user_id = str(user.pk)
    transaction.on_commit(lambda: send_payment_failed_email.delay(user_id, invoice_id))


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
    """Verify and apply one Stripe webhook delivery (rules §13).

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
    viewer_pages_changed_on_commit([user.pk])  # premium-only parts of their kept pages
    if event_type == "invoice.paid":
        _record_invoice(user=user, invoice=obj, sub=sub, now=now)
    elif event_type == "invoice.payment_failed" and _record_failed_invoice(
        user=user, invoice=obj, sub=sub, now=now
    ):
        _notify_payment_failed(user, str(_id(obj.get("id"))))
    return "processed"
