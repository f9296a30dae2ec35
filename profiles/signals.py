"""Keeps the member's copies of user fields (``Member.listed`` from ``is_active`` /
``profile_complete``, ``Member.preferred_age_min`` / ``preferred_age_max``) in step when a User
is saved (the admin, allauth, services): the members list and smart-match scoring read the
copies, not the user (SPEC §5, §11, §16)."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import services


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="profiles_member_listed")
def _member_follow_user(sender, instance, created, update_fields, **kwargs):
    if created or (
        update_fields is not None and not services.MEMBER_USER_FIELDS & set(update_fields)
    ):
        return  # a new user has no member yet; a save of other fields changes nothing here
    services.member_user_sync(user_ids=[instance.pk])
