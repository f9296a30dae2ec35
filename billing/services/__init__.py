"""Billing rules (docs/rules.md §13): ``entitlements`` (what premium unlocks, the free limits),
``premium`` (checkout, portal, boosts, grants, cancelling on account deletion) and ``webhooks``
(Stripe events, the only path that grants a paid subscription).

The public names are re-exported here."""

from .entitlements import (
    BOOST_HOURS_PER_BOOST,
    FEATURE_LABELS,
    FREE_AI_MESSAGES_PER_DAY,
    FREE_STORIES_PER_DAY,
    MAX_BOOST_HOURS,
    PREMIUM_AI_MESSAGES_PER_DAY,
    Feature,
    ai_daily_quota,
    boost_cost,
    has_feature,
    likes_per_12_hours,
    pass_undos_per_day,
    stories_daily_limit,
)
from .premium import (
    BillingError,
    BoostResult,
    add_months,
    boost_spend,
    checkout_start,
    customer_ensure,
    portal_start,
    premium_grant,
    subscription_cancel_for_account_deletion,
)
from .webhooks import (
    ACTIVE_STATUSES,
    ENDED_STATUSES,
    HANDLED_EVENTS,
    WebhookRejected,
    WebhookResult,
    webhook_event_process,
)

__all__ = [
    "ACTIVE_STATUSES",
    "BOOST_HOURS_PER_BOOST",
    "ENDED_STATUSES",
    "FEATURE_LABELS",
    "FREE_AI_MESSAGES_PER_DAY",
    "FREE_STORIES_PER_DAY",
    "HANDLED_EVENTS",
    "MAX_BOOST_HOURS",
    "PREMIUM_AI_MESSAGES_PER_DAY",
    "BillingError",
    "BoostResult",
    "Feature",
    "WebhookRejected",
    "WebhookResult",
    "add_months",
    "ai_daily_quota",
    "boost_cost",
    "boost_spend",
    "checkout_start",
    "customer_ensure",
    "has_feature",
    "likes_per_12_hours",
    "pass_undos_per_day",
    "portal_start",
    "premium_grant",
    "stories_daily_limit",
    "subscription_cancel_for_account_deletion",
    "webhook_event_process",
]
