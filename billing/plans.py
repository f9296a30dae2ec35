"""The three premium plans (rules §13). Prices are in shekels (ILS)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Plan:
    """A premium plan: ``amount`` is charged every ``months`` months and brings ``boosts``."""

    id: str
    name: str | Promise
    months: int
    amount: Decimal  # ILS per billing period
    per_month: Decimal  # ILS, shown on the page
    boosts: int
    price_setting: str  # settings name holding the Stripe price id (optional)

    @property
    def amount_minor(self) -> int:
        """Amount in agorot (Stripe's minor unit for ILS)."""
        return int(self.amount * 100)

    @property
    def stripe_price_id(self) -> str:
        return getattr(settings, self.price_setting, "") or ""

    @property
    def recurring(self) -> dict[str, object]:
        """Stripe ``recurring`` for an inline price: every 1, 3 or 12 months."""
        if self.months == 12:
            return {"interval": "year", "interval_count": 1}
        return {"interval": "month", "interval_count": self.months}


PLANS: dict[str, Plan] = {
    plan.id: plan
    for plan in (
        Plan("basic", _("Basic"), 1, Decimal("29.90"), Decimal("29.90"), 5, "STRIPE_PRICE_BASIC"),
        Plan(
            "popular",
            _("Popular"),
            3,
            Decimal("59.70"),
            Decimal("19.90"),
            10,
            "STRIPE_PRICE_POPULAR",
        ),
        Plan(
            "annual",
            _("Annual"),
            12,
            Decimal("178.80"),
            Decimal("14.90"),
            15,
            "STRIPE_PRICE_ANNUAL",
        ),
    )
}


def plan_get(plan_id: str | None) -> Plan | None:
    """The plan called ``plan_id``, or None for an unknown id."""
    return PLANS.get(plan_id or "")


def plan_for_price(price_id: str | None) -> Plan | None:
    """The plan whose configured Stripe price id is ``price_id`` (None when not configured)."""
    if not price_id:
        return None
    return next((p for p in PLANS.values() if p.stripe_price_id == price_id), None)
