"""Account e-mail tasks."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from miel.mail import EMAIL_TASK_OPTIONS, one_line

from .models import User


@shared_task(**EMAIL_TASK_OPTIONS)
def send_welcome_email(self, user_id: str) -> None:  # type: ignore[no-untyped-def]
    """Send the welcome e-mail to ``user_id`` (a User UUID string)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    with translation.override(user.email_language):  # the language they signed up / chose
        context = {"user": user, "site_url": settings.SITE_URL}
        subject = one_line(render_to_string("accounts/email/welcome_subject.txt", context))
        body = render_to_string("accounts/email/welcome_message.txt", context)
    send_mail(subject, body, None, [user.email])  # SMTP down: retried with backoff
