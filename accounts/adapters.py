"""django-allauth adapters: where the account flow meets Miel's rules (rules §3)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, gettext, gettext_noop

from miel import emails
from miel.client_ip import client_ip
from miel.mail import one_line

from .models import User


def email_site() -> SimpleNamespace:
    """What account e-mails call the site: ``SITE_NAME`` at ``SITE_URL``'s host
    (:func:`miel.emails.email_site`). The sites framework's row is still the default
    "example.com", and e-mails naming a stranger's domain look like phishing."""
    return emails.email_site()


#: The button of each account e-mail's HTML part (the e-mail's main link).
_BUTTONS = {
    "account/email/email_confirmation": gettext_noop("Confirm my e-mail address"),
    "account/email/email_confirmation_signup": gettext_noop("Confirm my e-mail address"),
    "account/email/password_reset_key": gettext_noop("Choose a new password"),
    "account/email/account_already_exists": gettext_noop("Choose a new password"),
    "account/email/unknown_account": gettext_noop("Sign up"),
}


def recipient_language(email: str) -> str:
    """The language of an account e-mail to ``email``: the account's e-mail language when the
    address belongs to a user, else the language of the current request."""
    from .models import User

    user = User.objects.filter(email__iexact=email).only("language").first()
    if user is not None:
        return user.email_language
    return get_language() or settings.LANGUAGE_CODE


def email_held_by_another(email: str, user_id: uuid.UUID) -> bool:
    """True when an account other than ``user_id`` has ``email`` (any case), as its login
    e-mail or as an allauth address, verified or not."""
    return (
        EmailAddress.objects.filter(email__iexact=email).exclude(user_id=user_id).exists()
        or User.objects.filter(email__iexact=email).exclude(pk=user_id).exists()
    )


#: Session key naming the banned account that may appeal (set here at sign-in, read by the
#: safety app's appeal form, which sits above accounts).
APPEAL_SESSION_KEY = "safety_appeal_user"


class AccountAdapter(DefaultAccountAdapter):
    """Sends users without a complete profile to onboarding after login."""

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_authenticated and not user.profile_complete:
            return reverse("profiles:complete_profile")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Logging in from the verification link finishes a sign-up: onboarding comes next.
        user = request.user
        if user.is_authenticated and not user.profile_complete:
            return reverse("profiles:complete_profile")
        return super().get_signup_redirect_url(request)

    def clean_email(self, email: str) -> str:
        return super().clean_email(email).strip().lower()

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client behind ``TRUSTED_PROXY_COUNT`` proxies (``miel/client_ip.py``): allauth's
        per-IP rate limits (failed logins, sign-ups, resets) count per client, not per proxy."""
        return client_ip(request) or super().get_client_ip(request)

    def format_email_subject(self, subject: str) -> str:
        """Subjects start with the site name ("Miel · Confirm your e-mail address") and are one
        line whatever a member typed (:func:`miel.mail.one_line`)."""
        return one_line(f"{emails.site_name()} · {subject}")

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the e-mail now and send it from a Celery task queued after commit
        (:func:`accounts.tasks.send_account_email`): the page answers without waiting for the
        mail server, and sign-up takes the same time whether it mails a verification link or
        an "account already exists" notice. The e-mail is in the recipient's language, names
        the site ``SITE_NAME``, has its links on ``SITE_URL`` (not the request's host) and a
        branded HTML part (:meth:`render_mail`)."""
        from .tasks import send_account_email

        request = allauth_context.request
        ctx = {"request": request, "email": email, **context, "current_site": email_site()}
        origin = request.build_absolute_uri("/") if request is not None else ""
        for key, value in list(ctx.items()):
            if origin and key.endswith("_url") and str(value).startswith(origin):
                ctx[key] = f"{settings.SITE_URL.rstrip('/')}/{value[len(origin) :]}"
        with translation.override(recipient_language(email)):
            message = self.render_mail(template_prefix, email, ctx)
        payload = {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
            "to": list(message.to),
            "content_subtype": message.content_subtype,
            "alternatives": [
                [alt[0], alt[1]] for alt in getattr(message, "alternatives", None) or []
            ],
        }
        transaction.on_commit(lambda: send_account_email.delay(payload))

    def send_confirmation_mail(self, request: HttpRequest, emailconfirmation, signup: bool) -> None:
        """Never mail a confirmation link to an address another account holds (an old
        unverified row, added before such addresses were refused): "Re-send verification" on
        ``/accounts/email/`` would mail that member each time (rules §3)."""
        address = emailconfirmation.email_address
        if address.user_id is not None and email_held_by_another(address.email, address.user_id):
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's text e-mail plus Miel's branded HTML part built from the same text."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        label = _BUTTONS.get(template_prefix)
        branded = EmailMultiAlternatives(
            message.subject,
            message.body,
            message.from_email,
            message.to,
            headers=message.extra_headers,
        )
        branded.attach_alternative(
            emails.branded_html(
                subject=message.subject,
                text=message.body,
                button_label=gettext(label) if label else "",
            ),
            "text/html",
        )
        return branded

    def respond_user_inactive(self, request: HttpRequest, user):
        """A deactivated account that gave its right password: a banned member goes to the
        appeal form (rules §6), which reads who from the session; others get allauth's page."""
        request.session[APPEAL_SESSION_KEY] = str(user.pk)
        return redirect("safety:appeal")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Marks users who signed up through Google/Facebook as ``oauth_verified`` (rules §3)."""

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        user.oauth_verified = True
        user.provider = sociallogin.account.provider
        user.save(update_fields=["oauth_verified", "provider"])
        return user
