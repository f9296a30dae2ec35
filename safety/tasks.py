"""Safety e-mails (rules §6): moderation outcomes, in each member's own language."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from miel import emails

from .models import ModerationDecision

ROLES = ("reporter", "member")


def decision_email_send(*, decision_id: str, role: str) -> bool:
    """E-mail the outcome of decision ``decision_id`` to its ``role``: ``reporter`` (the member
    who reported) or ``member`` (the member it is about), in their language (``User.language``).
    Service messages: sent whatever the member's notification switches say. Returns False when
    the decision or the recipient is gone. Raises OSError when the mail server is down."""
    decision = (
        ModerationDecision.objects.select_related("member__member", "report__reporter")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or role not in ROLES:
        return False
    user = decision.member if role == "member" else getattr(decision.report, "reporter", None)
    if user is None or not user.email:
        return False
    member = getattr(decision.member, "member", None)
    context = {
        "user": user,
        "role": role,
        "action": decision.action,
        "reported_name": member.name if member else "",
        "site_url": settings.SITE_URL,
    }
    with translation.override(user.email_language):
        subject = render_to_string("safety/email/decision_subject.txt", context).strip()
        body = render_to_string("safety/email/decision_message.txt", context)
    emails.branded_mail_send(
        to=[user.email], subject=subject, text=body, language=user.email_language
    )
    return True


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_decision_email(self, decision_id: str, role: str) -> bool:
    """Queue wrapper of :func:`decision_email_send`; retries while SMTP is unreachable."""
    try:
        return decision_email_send(decision_id=decision_id, role=role)
    except OSError as exc:
        raise self.retry(exc=exc) from exc
