"""Keeps ``Member.listed`` in step with the user's ``is_active`` / ``profile_complete`` when a
User is saved (the admin, allauth, services): the members list reads the flag (SPEC §16)."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import services

_LISTING_FIELDS = frozenset({"is_active", "profile_complete"})


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="profiles_member_listed")
def _member_listed_follow_user(sender, instance, created, update_fields, **kwargs):  # type: ignore[no-untyped-def]
    if created or (update_fields is not None and not _LISTING_FIELDS & set(update_fields)):
        return  # a new user has no member yet; a save of other fields changes nothing here
    services.member_listed_sync(user_ids=[instance.pk])
