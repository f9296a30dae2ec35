"""Premium features, gated in one place (rules §13).

Every premium check in the code base goes through :func:`has_feature`; views and templates never
test ``premium_until`` themselves.
"""

from __future__ import annotations

import math
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User

FREE_AI_MESSAGES_PER_DAY = 5
PREMIUM_AI_MESSAGES_PER_DAY = 999
FREE_STORIES_PER_DAY = 1
BOOST_HOURS_PER_BOOST = 24
MAX_BOOST_HOURS = 7 * 24


class Feature(StrEnum):
    SEE_WHO_LIKED_ME = "see_who_liked_me"
    SEE_WHO_VIEWED_ME = "see_who_viewed_me"
    UNLIMITED_STORIES = "unlimited_stories"
    STORY_VIEWER_LIST = "story_viewer_list"
    VIEW_PREMIUM_STORIES = "view_premium_stories"
    INTERESTS_FILTER = "interests_filter"
    INCOGNITO = "incognito"
    BOOST = "boost"
    AI_PREMIUM_QUOTA = "ai_premium_quota"
    UNLIMITED_LIKES = "unlimited_likes"
    UNLIMITED_UNDO = "unlimited_undo"


# What the premium page lists, in this order (rules §13).
FEATURE_LABELS: dict[Feature, str | Promise] = {
    Feature.SEE_WHO_LIKED_ME: _("See who liked you"),
    Feature.SEE_WHO_VIEWED_ME: _("See who viewed your profile"),
    Feature.UNLIMITED_STORIES: _("Unlimited stories (free: 1 a day)"),
    Feature.STORY_VIEWER_LIST: _("See who viewed and reacted to your stories"),
    Feature.VIEW_PREMIUM_STORIES: _("Watch premium-only stories"),
    Feature.INTERESTS_FILTER: _("Filter members by interests"),
    Feature.INCOGNITO: _("Incognito browsing: your visits are not recorded"),
    Feature.BOOST: _("Boosts: rank first in discovery for 24 hours"),
    Feature.AI_PREMIUM_QUOTA: _("999 assistant messages a day (free: 5)"),
    Feature.UNLIMITED_LIKES: _("Unlimited likes"),
    Feature.UNLIMITED_UNDO: _("Undo as many passes as you like"),
}


def has_feature(user: User | None, feature: Feature) -> bool:
    """True when ``user`` may use ``feature``. All premium features need an active premium
    (``premium_until`` in the future); anonymous users have none."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_premium


def ai_daily_quota(user: User) -> int:
    """Assistant messages per day: free 5, premium 999 (rules §12)."""
    return (
        PREMIUM_AI_MESSAGES_PER_DAY
        if has_feature(user, Feature.AI_PREMIUM_QUOTA)
        else FREE_AI_MESSAGES_PER_DAY
    )


def stories_daily_limit(user: User) -> int | None:
    """Stories a user may post per calendar day: free 1, premium unlimited (None) (rules §10)."""
    return None if has_feature(user, Feature.UNLIMITED_STORIES) else FREE_STORIES_PER_DAY


def likes_per_12_hours(user: User) -> int | None:
    """Likes ``user`` may give per rolling 12 hours: ``settings.LIKES_PER_12_HOURS_FREE``
    (100) for free members, None (unlimited) for premium (issue 16)."""
    from django.conf import settings

    if has_feature(user, Feature.UNLIMITED_LIKES):
        return None
    return settings.LIKES_PER_12_HOURS_FREE


def pass_undos_per_day(user: User) -> int | None:
    """Passes ``user`` may undo per rolling 24 hours: ``settings.PASS_UNDOS_PER_DAY_FREE`` (1)
    for free members, None (unlimited) for premium (issue 15)."""
    from django.conf import settings

    if has_feature(user, Feature.UNLIMITED_UNDO):
        return None
    return settings.PASS_UNDOS_PER_DAY_FREE


def boost_cost(*, hours: int) -> int:
    """Boosts needed to stay on top for ``hours``: one per started 24 h, ceil(h / 24) (rules §13).
    Raises ValueError for hours < 1."""
    if hours < 1:
        raise ValueError("hours must be >= 1")
    return math.ceil(hours / BOOST_HOURS_PER_BOOST)
