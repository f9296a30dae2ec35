"""Account e-mail tasks."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from miel import emails
from miel.mail import EMAIL_TASK_OPTIONS, one_line

from .models import User


@shared_task(**EMAIL_TASK_OPTIONS)
def send_welcome_email(self, user_id: str) -> None:
    """Send the welcome e-mail to ``user_id`` (a User UUID string)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    with translation.override(user.email_language):  # the language they signed up / chose
        context = {"user": user, "site_url": settings.SITE_URL}
        subject = one_line(render_to_string("accounts/email/welcome_subject.txt", context))
        body = render_to_string("accounts/email/welcome_message.txt", context)
        button = _("Complete my profile")
    # SMTP down: retried with backoff (EMAIL_TASK_OPTIONS)
    emails.branded_mail_send(
        to=[user.email],
        subject=subject,
        text=body,
        language=user.email_language,
        button_label=button,
    )


@shared_task(**EMAIL_TASK_OPTIONS)
def send_account_email(self, message: dict) -> None:
    """Send one account e-mail (verification link, "account already exists", password reset,
    ...) that :meth:`accounts.adapters.AccountAdapter.send_mail` rendered in the request and
    queued after commit (rules §3: sign-up answers in the same time whether or not the address
    is registered). ``message``: ``subject``, ``body``, ``from_email``, ``to`` (list) and
    ``alternatives`` (list of [content, mimetype]). Retried with backoff on mail-server
    errors."""
    email = EmailMultiAlternatives(
        subject=one_line(message["subject"]),
        body=message["body"],
        from_email=message.get("from_email"),
        to=list(message["to"]),
    )
    email.content_subtype = message.get("content_subtype") or "plain"
    for content, mimetype in message.get("alternatives", []):
        email.attach_alternative(content, mimetype)
    email.send()
