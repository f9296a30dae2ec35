"""Billing e-mails (rules §13) as Celery tasks."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from miel import emails
from miel.mail import EMAIL_TASK_OPTIONS, one_line

from .models import Transaction


@shared_task(**EMAIL_TASK_OPTIONS)
def send_payment_failed_email(self, user_id: str, invoice_id: str) -> bool:
    """Tell ``user_id`` (a User UUID string) that the payment of Stripe invoice ``invoice_id``
    failed and how to fix it, in their language. Queued once per failed invoice by the
    ``invoice.payment_failed`` webhook; sends nothing when the invoice has been paid since (a
    retry succeeded) or the account is gone. Returns True when an e-mail was sent; retries on
    SMTP errors."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    failed = Transaction.objects.filter(
        id=invoice_id, user_id=user_id, status=Transaction.Status.FAILED
    ).first()
    if user is None or failed is None or not user.email:
        return False
    context = {
        "user": user,
        "amount": failed.amount,
        "premium_url": f"{settings.SITE_URL.rstrip('/')}{reverse('billing:premium')}",
    }
    with translation.override(user.email_language):
        subject = one_line(render_to_string("billing/email/payment_failed_subject.txt", context))
        body = render_to_string("billing/email/payment_failed.txt", context)
    # An OSError (mail server down) is retried with backoff (EMAIL_TASK_OPTIONS).
    emails.branded_mail_send(
        to=[user.email], subject=subject, text=body, language=user.email_language
    )
    return True
