"""Keeps the member's copies of user fields (``Member.listed`` from ``is_active`` /
``profile_complete``, ``Member.preferred_age_min`` / ``preferred_age_max``) in step when a User
is saved (the admin, allauth, services): the members list and smart-match scoring read the
copies, not the user (rules §5, §11, §16).

Also keeps the trust score (``profiles.trust``) current when one of its inputs is saved: this
app's photos, videos and member rows, and the ``accounts`` rows (user, allauth e-mail address)
that cannot call this layer. Reports (matching, safety) call
``trust.trust_score_recompute_on_commit`` from their services instead.
Connected by ``ProfilesConfig.ready``.

Also defines :data:`member_page_viewed`, the event this app sends for a higher one to act on
(docs/architecture.md "Side effects")."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from . import services, trust
from .models import Member, Photo, Video

#: Sent by ``profiles.views.member_detail`` each time a member's profile page is shown, with
#: ``viewer`` (the signed-in User) and ``viewed`` (the Member); ``sender`` is ``Member``.
#: ``matching`` records the profile view (rules §7, ``matching.signals``): who viewed whom is
#: matching's, a layer above. Sent with ``send`` (not ``send_robust``): an error in the
#: receiver fails the page as a direct call did.
member_page_viewed = Signal()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="profiles_member_listed")
def _member_follow_user(sender, instance, created, update_fields, **kwargs):
    if created or (
        update_fields is not None and not services.MEMBER_USER_FIELDS & set(update_fields)
    ):
        return  # a new user has no member yet; a save of other fields changes nothing here
    services.member_user_sync(user_ids=[instance.pk])


# --- trust score inputs ---------------------------------------------------------------------


@receiver(post_save, sender=Photo, dispatch_uid="trust_Photo")
@receiver(post_delete, sender=Photo, dispatch_uid="trust_del_Photo")
@receiver(post_save, sender=Video, dispatch_uid="trust_Video")
@receiver(post_delete, sender=Video, dispatch_uid="trust_del_Video")
def _trust_member_media_changed(sender, instance, **kwargs):
    user_id = Member.objects.filter(pk=instance.member_id).values_list("user_id", flat=True).first()
    if user_id is not None:
        trust.trust_score_recompute_user_id(user_id)


@receiver(post_save, sender=Member, dispatch_uid="trust_member")
def _trust_member_saved(sender, instance, created: bool, **kwargs):
    if created:  # profile completion creates the Member row
        trust.trust_score_recompute_user_id(instance.user_id)


_TRUST_USER_INPUTS = frozenset({"email_verified", "oauth_verified", "profile_complete"})


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="trust_user")
def _trust_user_saved(sender, instance, created: bool, update_fields=None, **kwargs):
    if update_fields is not None and not (set(update_fields) & _TRUST_USER_INPUTS):
        return  # includes the score's own trust_score-only writes
    trust.trust_score_recompute(user=instance)


@receiver(post_save, sender=EmailAddress, dispatch_uid="trust_email")
def _trust_email_address_saved(sender, instance, **kwargs):
    trust.trust_score_recompute_user_id(instance.user_id)
