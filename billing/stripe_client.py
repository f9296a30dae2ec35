"""The one place Miel talks to Stripe (rules §13).

Everything goes through a ``stripe.StripeClient`` whose API base is ``settings.STRIPE_API_BASE``
when set, so tests (and the local demo) run against a fake Stripe server over real HTTP.
Functions return plain ``dict`` objects so the rest of billing never depends on StripeObject.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings

from .plans import Plan

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15


class StripeNotConfigured(RuntimeError):
    """STRIPE_SECRET_KEY is empty: payments are switched off (rules §1)."""


class StripeUnavailable(RuntimeError):
    """Stripe answered with an error or could not be reached."""


def is_configured() -> bool:
    """True when payments can be taken (a secret key is set)."""
    return bool(settings.STRIPE_SECRET_KEY)


def webhooks_configured() -> bool:
    return bool(settings.STRIPE_WEBHOOK_SECRET)


def _client() -> stripe.StripeClient:
    if not is_configured():
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set")
    base_addresses: dict[str, str] = {}
    if settings.STRIPE_API_BASE:
        base_addresses["api"] = settings.STRIPE_API_BASE.rstrip("/")
    try:
        http_client = stripe.new_default_http_client(timeout=TIMEOUT_SECONDS)
    except TypeError:  # a fallback HTTP client without a timeout argument
        http_client = None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses or None,  # type: ignore[arg-type]
        http_client=http_client,
        max_network_retries=1,
    )


def _as_dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _call(what: str, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return _as_dict(fn(*args, **kwargs))
    except stripe.StripeError as exc:
        logger.warning("stripe %s failed: %s", what, exc)
        raise StripeUnavailable(str(exc)) from exc


def customer_create(*, email: str, name: str, user_id: str) -> dict[str, Any]:
    """Create a Stripe customer for a user. The idempotency key makes a repeated call (double
    click, retry) return the same customer instead of a second one."""
    client = _client()
    return _call(
        "customer create",
        client.v1.customers.create,
        params={"email": email, "name": name, "metadata": {"user_id": user_id}},
        options={"idempotency_key": f"miel-customer-{user_id}"},
    )


def checkout_session_create(
    *, customer_id: str, user_id: str, plan: Plan, success_url: str, cancel_url: str
) -> dict[str, Any]:
    """A Checkout Session in subscription mode for ``plan``; returns it (``id``, ``url``).

    Uses the plan's configured price id when set, otherwise an inline ILS price with the plan's
    interval. ``client_reference_id`` is the user id; the plan and user id are put on the session
    and on the subscription it creates, so every later webhook can be traced back."""
    if plan.stripe_price_id:
        line_item: dict[str, Any] = {"price": plan.stripe_price_id, "quantity": 1}
    else:
        line_item = {
            "quantity": 1,
            "price_data": {
                "currency": "ils",
                "unit_amount": plan.amount_minor,
                "recurring": plan.recurring,
                "product_data": {"name": f"Miel Premium ({plan.id})"},
            },
        }
    metadata = {"plan": plan.id, "user_id": user_id}
    client = _client()
    return _call(
        "checkout session create",
        client.v1.checkout.sessions.create,
        params={
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": user_id,
            "line_items": [line_item],
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        },
    )


def portal_session_create(*, customer_id: str, return_url: str) -> dict[str, Any]:
    """A customer-portal session (cancel / resume the subscription); returns it (``url``)."""
    client = _client()
    return _call(
        "portal session create",
        client.v1.billing_portal.sessions.create,
        params={"customer": customer_id, "return_url": return_url},
    )


def subscription_retrieve(subscription_id: str) -> dict[str, Any]:
    """The subscription's current state as Stripe knows it now (webhooks decide from this,
    never from the order events arrive in)."""
    client = _client()
    return _call("subscription retrieve", client.v1.subscriptions.retrieve, subscription_id)


def subscription_cancel(subscription_id: str) -> dict[str, Any] | None:
    """Cancel the subscription at once (account deletion). Returns the cancelled subscription,
    or None when Stripe no longer knows it. Raises :class:`StripeUnavailable` otherwise."""
    client = _client()
    try:
        return _as_dict(client.v1.subscriptions.cancel(subscription_id))
    except stripe.InvalidRequestError as exc:
        if getattr(exc, "code", None) == "resource_missing" or exc.http_status == 404:
            return None
        logger.warning("stripe subscription cancel failed: %s", exc)
        raise StripeUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        logger.warning("stripe subscription cancel failed: %s", exc)
        raise StripeUnavailable(str(exc)) from exc


def webhook_verify(*, payload: bytes, sig_header: str | None) -> None:
    """Check the ``Stripe-Signature`` header against the raw body with STRIPE_WEBHOOK_SECRET.

    Raises ``stripe.SignatureVerificationError`` when the header is missing, malformed, older
    than Stripe's 5-minute tolerance or does not match; ``StripeNotConfigured`` without a secret.
    """
    if not webhooks_configured():
        raise StripeNotConfigured("STRIPE_WEBHOOK_SECRET is not set")
    stripe.WebhookSignature.verify_header(
        payload.decode("utf-8"),
        sig_header or "",
        settings.STRIPE_WEBHOOK_SECRET,
        stripe.Webhook.DEFAULT_TOLERANCE,
    )
