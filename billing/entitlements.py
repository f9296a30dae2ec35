"""Premium features, gated in one place (SPEC §13).

Every premium check in the code base goes through :func:`has_feature`; views and templates never
test ``premium_until`` themselves.
"""

from __future__ import annotations

from enum import StrEnum

from accounts.models import User

FREE_AI_MESSAGES_PER_DAY = 5
PREMIUM_AI_MESSAGES_PER_DAY = 999
FREE_STORIES_PER_DAY = 1


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


def has_feature(user: User | None, feature: Feature) -> bool:
    """True when ``user`` may use ``feature``. All premium features need an active premium
    (``premium_until`` in the future); anonymous users have none."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_premium


def ai_daily_quota(user: User) -> int:
    """Assistant messages per day: free 5, premium 999 (SPEC §12)."""
    return (
        PREMIUM_AI_MESSAGES_PER_DAY
        if has_feature(user, Feature.AI_PREMIUM_QUOTA)
        else FREE_AI_MESSAGES_PER_DAY
    )
