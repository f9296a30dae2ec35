"""Billing fixtures: a real-HTTP fake Stripe server and signed webhook deliveries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.billing.fake_stripe import FakeStripe, sign

WEBHOOK_SECRET = "whsec_test_miel"


@pytest.fixture
def fake_stripe(settings) -> Iterator[FakeStripe]:
    """A fake Stripe on a free local port; settings point the Stripe client at it."""
    fake = FakeStripe(webhook_secret=WEBHOOK_SECRET).start()
    settings.STRIPE_SECRET_KEY = "sk_test_miel"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_PRICE_BASIC = settings.STRIPE_PRICE_POPULAR = settings.STRIPE_PRICE_ANNUAL = ""
    yield fake
    fake.stop()


@pytest.fixture
def no_stripe(settings) -> None:
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = ""


def event_body(event: dict[str, Any]) -> bytes:
    """Serialised like Stripe: UTF-8 JSON, non-ASCII kept as is."""
    return json.dumps(event, ensure_ascii=False, indent=2).encode("utf-8")


def post_event(client, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, **kwargs: Any):
    """Deliver ``event`` to /stripe/webhook/ signed the way Stripe signs it."""
    body = kwargs.pop("body", None) or event_body(event)
    headers = {"HTTP_STRIPE_SIGNATURE": kwargs.pop("signature", None) or sign(body, secret)}
    return client.post(
        "/stripe/webhook/", data=body, content_type="application/json", **headers, **kwargs
    )


def start_checkout(fake: FakeStripe, client, plan: str = "basic") -> str:
    """Click a plan on /premium/ as ``client``; returns the fake Checkout Session id."""
    response = client.post("/premium/checkout/", {"plan": plan})
    assert response.status_code == 303, response.content[:500]
    session_id = response["Location"].rsplit("/", 1)[-1]
    assert session_id in fake.sessions
    return session_id
