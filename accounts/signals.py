"""Signal receivers that connect allauth/auth events to account services."""

from allauth.account.signals import email_confirmed, user_signed_up
from allauth.socialaccount.signals import social_account_added
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from miel import realtime

from . import services
from .models import User


@receiver(user_logged_in)
def _welcome_on_first_login(sender, request, user, **kwargs):
    services.welcome_email_send_once(user=user)


@receiver(email_confirmed)
def _mark_email_verified(sender, request, email_address, **kwargs):
    services.user_mark_email_verified(user=email_address.user)


@receiver(social_account_added)
def _mark_oauth_verified(sender, request, sociallogin, **kwargs):
    user = sociallogin.user
    if not user.oauth_verified:
        user.oauth_verified = True
        user.save(update_fields=["oauth_verified"])


@receiver(user_signed_up)
def _remember_signup_language(sender, request, user, **kwargs):
    """A new account reads e-mails in the language it signed up in (rules §15)."""
    language = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if language:
        services.user_set_language(user=user, language=language)


# --- open sockets follow their session (rules §9) ---------------------------------------------
#: User fields whose change can end a session: the password hash it was signed with, or access.
_SESSION_FIELDS = frozenset({"password", "is_active"})


@receiver(user_logged_out)
def _close_logged_out_sockets(sender, request, user, **kwargs):
    if user is not None:
        session_key = getattr(getattr(request, "session", None), "session_key", None)
        realtime.sessions_recheck(user.pk, ended_session_key=session_key)


@receiver(post_save, sender=User)
def _recheck_sockets_on_access_change(sender, instance, created, update_fields=None, **kwargs):
    if not created and (update_fields is None or _SESSION_FIELDS & set(update_fields)):
        realtime.sessions_recheck(instance.pk)


@receiver(post_delete, sender=User)
def _close_deleted_users_sockets(sender, instance, **kwargs):
    realtime.sessions_recheck(instance.pk)
