"""Account e-mail tasks."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from miel import emails

from .models import User


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def send_welcome_email(self, user_id: str) -> None:  # type: ignore[no-untyped-def]
    """Send the welcome e-mail to ``user_id`` (a User UUID string)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    with translation.override(user.email_language):  # the language they signed up / chose
        context = {"user": user, "site_url": settings.SITE_URL}
        subject = render_to_string("accounts/email/welcome_subject.txt", context).strip()
        body = render_to_string("accounts/email/welcome_message.txt", context)
        button = _("Complete my profile")
    try:
        emails.branded_mail_send(
            to=[user.email],
            subject=subject,
            text=body,
            language=user.email_language,
            button_label=button,
        )
    except OSError as exc:  # SMTP down: retry later
        raise self.retry(exc=exc) from exc
