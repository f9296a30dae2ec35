"""Signal receivers that connect allauth/auth events to account services."""

from allauth.account.signals import email_confirmed, user_signed_up
from allauth.socialaccount.signals import social_account_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import services


@receiver(user_logged_in)
def _welcome_on_first_login(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
    services.welcome_email_send_once(user=user)


@receiver(email_confirmed)
def _mark_email_verified(sender, request, email_address, **kwargs):  # type: ignore[no-untyped-def]
    services.user_mark_email_verified(user=email_address.user)


@receiver(social_account_added)
def _mark_oauth_verified(sender, request, sociallogin, **kwargs):  # type: ignore[no-untyped-def]
    user = sociallogin.user
    if not user.oauth_verified:
        user.oauth_verified = True
        user.save(update_fields=["oauth_verified"])


@receiver(user_signed_up)
def _remember_signup_language(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
    """A new account reads e-mails in the language it signed up in (SPEC §15)."""
    language = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if language:
        services.user_set_language(user=user, language=language)
