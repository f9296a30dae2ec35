"""Cache invalidation receivers (rules §11): a user's smart matches are dropped when their
profile, interests or preferences change.

Receivers rather than calls inside the profile services, so every path (onboarding, profile
edit, admin, shell) invalidates, and because those apps sit below matching and cannot call it.
Connected from ``matching.apps.MatchingConfig.ready``.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_save

from accounts.models import User
from matching.models import UserPreference
from profiles.models import Member

from .cache import smart_match_cache_invalidate, smart_match_cache_invalidate_wanted_by

#: Member/User columns whose change does not affect the viewer's own scoring.
_MEMBER_IRRELEVANT = frozenset(
    {"last_active_at", "boosted_until", "image", "updated", "video_url", "video_uploaded_at"}
)
_USER_RELEVANT = frozenset(
    {"preferred_genders", "preferred_age_min", "preferred_age_max", "profile_complete"}
)


_USER_PREFERENCES = frozenset({"preferred_genders", "preferred_age_min", "preferred_age_max"})


def _member_saved(sender, instance: Member, created: bool, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= _MEMBER_IRRELEVANT:
        return
    smart_match_cache_invalidate(user=instance.user_id)


def _user_saved(sender, instance: User, created: bool, update_fields=None, **kwargs):
    if created:
        return
    if update_fields is not None and not (set(update_fields) & _USER_RELEVANT):
        return
    smart_match_cache_invalidate(user=instance.pk)
    if update_fields is None or set(update_fields) & _USER_PREFERENCES:
        # Others whose results this member may now belong in (issue 15); the ones they left
        # drop them when their cached list is read.
        smart_match_cache_invalidate_wanted_by(user=instance)


def _interests_changed(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # interest.members.add(...): the members are in pk_set
        if pk_set:
            for user_id in Member.objects.filter(pk__in=pk_set).values_list("user_id", flat=True):
                smart_match_cache_invalidate(user=user_id)
        return
    smart_match_cache_invalidate(user=instance.user_id)


def _preference_saved(sender, instance: UserPreference, **kwargs):
    smart_match_cache_invalidate(user=Member.objects.filter(pk=instance.user_id).values("user_id"))


def connect() -> None:
    post_save.connect(_preference_saved, sender=UserPreference, dispatch_uid="smart_pref")
    post_save.connect(_member_saved, sender=Member, dispatch_uid="smart_member_saved")
    post_save.connect(_user_saved, sender=User, dispatch_uid="smart_user_saved")
    m2m_changed.connect(
        _interests_changed, sender=Member.interests.through, dispatch_uid="smart_interests"
    )
