"""Assistant write services (rules §12): send a message within the daily quota, clear history.

Quota: ``billing.services.entitlements.ai_daily_quota`` (free 5, premium 999) messages per day, the day
starting at midnight in the user's ``time_zone``. Enforced atomically: the user's row is locked
(``SELECT ... FOR UPDATE``) while today's AIUsageLog rows are counted and the new one inserted,
so two concurrent requests at the limit cannot both pass. The user's message is saved in that
same transaction, *before* the model is called, so an API error or timeout loses nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.services.entitlements import ai_daily_quota
from miel.text import is_visibly_empty, text_check
from profiles.models import Member

from . import llm, skills
from .models import AIConversation, AIMessage, AIUsageLog, UserProfileAnalysis

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 1000
HISTORY_FOR_CONTEXT = llm.CONTEXT_MESSAGES
#: Usage-log action of a call that failed; failed calls do not use up the quota.
ACTION_ERROR = "error"
ACTION_PENDING = "pending"
#: Usage-log action of an answer the member marked "Not what I asked": not counted either.
ACTION_REFUNDED = "refunded"
#: Quota actions that do not count against the daily limit.
NOT_COUNTED = (ACTION_ERROR, ACTION_REFUNDED)
#: At most this many "Not what I asked" refunds per quota day (so refunds cannot make the free
#: quota unlimited).
MAX_REFUNDS_PER_DAY = 3


class RefundRefused(Exception):
    """A "Not what I asked" refund that is not allowed; ``message`` says why (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QuotaExceeded(Exception):
    """The user has used today's assistant messages. ``resets_at`` is the next local midnight."""

    def __init__(self, *, limit: int, resets_at: datetime) -> None:
        super().__init__("assistant quota exceeded")
        self.limit = limit
        self.resets_at = resets_at

    @property
    def message(self) -> str:
        return _(
            "You have used all %(limit)d assistant messages for today. They come back at "
            "midnight — or go premium for 999 a day."
        ) % {"limit": self.limit}


@dataclass(frozen=True)
class QuotaStatus:
    used: int
    limit: int
    resets_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass
class AssistantTurn:
    user_message: AIMessage
    reply: AIMessage
    cards: list[dict] = field(default_factory=list)
    quota: QuotaStatus | None = None
    error: bool = False


def user_zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def quota_window(*, user: User, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(start, end) of the user's current quota day: local midnight to the next, as aware
    datetimes (rules §12)."""
    zone = user_zone(user)
    local_day = (now or timezone.now()).astimezone(zone).date()
    start = datetime.combine(local_day, time.min, tzinfo=zone)
    end = datetime.combine(local_day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _used_today(*, user: User, start: datetime) -> int:
    return (
        AIUsageLog.objects.filter(user_id=user.pk, created_at__gte=start)
        .exclude(action__in=NOT_COUNTED)
        .count()
    )


def quota_status(*, user: User, now: datetime | None = None) -> QuotaStatus:
    """Messages used today and the limit (read-only)."""
    start, end = quota_window(user=user, now=now)
    return QuotaStatus(
        used=_used_today(user=user, start=start), limit=ai_daily_quota(user), resets_at=end
    )


def conversation_active(*, user: User) -> AIConversation:
    """The user's open conversation, created on first use."""
    conversation = (
        AIConversation.objects.filter(user=user, is_active=True).order_by("-updated_at").first()
    )
    if conversation is None:
        conversation = AIConversation.objects.create(user=user, title=_("Assistant"))
    return conversation


@transaction.atomic
def _reserve(
    *, user: User, text: str, intent: str, target_user_id: str | None
) -> tuple[AIMessage, AIUsageLog, QuotaStatus]:
    """Check the quota under the user's row lock, then save the user message and its usage row.
    Raises :class:`QuotaExceeded`."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    start, end = quota_window(user=locked, now=now)
    limit = ai_daily_quota(locked)
    used = _used_today(user=locked, start=start)
    if used >= limit:
        raise QuotaExceeded(limit=limit, resets_at=end)
    conversation = conversation_active(user=locked)
    message = AIMessage.objects.create(
        conversation=conversation,
        role=AIMessage.Role.USER,
        content=text,
        metadata={"intent": intent, "target": target_user_id}
        if target_user_id
        else {"intent": intent},
        created_at=now,
    )
    log = AIUsageLog.objects.create(user=locked, action=ACTION_PENDING, created_at=now)
    return message, log, QuotaStatus(used=used + 1, limit=limit, resets_at=end)


def _history(*, conversation_id: uuid.UUID) -> list[dict]:
    rows = list(
        AIMessage.objects.filter(conversation_id=conversation_id)
        .order_by("-created_at", "-id")
        .values_list("role", "content")[:HISTORY_FOR_CONTEXT]
    )
    return [{"role": role, "content": content} for role, content in reversed(rows)]


def assistant_message_send(
    *,
    user: User,
    text: str = "",
    intent: str | None = None,
    target_user_id: str | None = None,
    backend: llm.Backend | None = None,
) -> AssistantTurn:
    """Answer one assistant message (rules §12).

    ``text`` is what the user typed (1-1000 characters); a quick action passes ``intent`` (one
    of :data:`assistant.skills.INTENTS`) and may leave ``text`` empty. ``target_user_id`` = the
    member whose page the panel is on (for "explain" / "openers").

    Raises ``ValidationError`` for empty or too long text, :class:`QuotaExceeded` over the
    limit. Backend errors and timeouts never raise: the reply is a friendly apology, logged as
    an ``error`` usage row that does not count against the quota, and the user message stays.
    The model call happens outside any transaction and lock.
    """
    text = text_check(text).strip()  # NUL / lone surrogate: ValidationError (issue 13 item 11)
    if is_visibly_empty(text):
        text = ""
    if intent not in skills.INTENTS:
        intent = None
    if not text and intent:
        text = skills.quick_action_text(intent)
    if not text:
        raise ValidationError(_("Write a message first."), code="empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            _("Messages to the assistant can be at most %(n)d characters.")
            % {"n": MAX_MESSAGE_CHARS},
            code="too_long",
        )
    intent = intent or skills.detect_intent(text)
    member = Member.objects.select_related("user").get(user=user)

    user_message, log, quota = _reserve(
        user=user, text=text, intent=intent, target_user_id=target_user_id
    )
    history = _history(conversation_id=user_message.conversation_id)

    error = False
    analysis = None
    if intent == "analyse":
        analysis = UserProfileAnalysis.objects.filter(
            user=user, updated_at__gt=timezone.now() - skills.ANALYSIS_TTL
        ).first()
    if analysis is not None:
        reply = llm.BackendReply(text=analysis.content, backend="stored-analysis")
    else:
        backend = backend or llm.get_backend()
        try:
            reply = backend.reply(
                llm.AssistantContext(
                    user=user,
                    member=member,
                    message=text,
                    intent=intent,
                    history=history,
                    target_user_id=target_user_id,
                )
            )
            if not reply.text:
                raise llm.LLMError("empty reply")
        except llm.LLMError:
            error = True
            reply = llm.BackendReply(
                text=_(
                    "Sorry, I could not answer right now. Your message is saved — please try "
                    "again in a moment."
                ),
                backend=getattr(backend, "name", "?"),
            )
        if intent == "analyse" and not error:
            UserProfileAnalysis.objects.update_or_create(
                user=user, defaults={"content": reply.text, "insights": reply.backend}
            )

    with transaction.atomic():
        answer = AIMessage.objects.create(
            conversation_id=user_message.conversation_id,
            role=AIMessage.Role.ASSISTANT,
            content=reply.text,
            metadata={
                "intent": intent,
                "cards": reply.cards,
                "backend": reply.backend,
                "error": error,
                "usage_log": str(log.pk),
            },
            tokens_used=reply.tokens,
        )
        AIUsageLog.objects.filter(pk=log.pk).update(
            action=ACTION_ERROR if error else f"chat:{intent}"[:40],
            tokens=reply.tokens,
            cost=reply.cost,
        )
        AIConversation.objects.filter(pk=user_message.conversation_id).update(
            updated_at=timezone.now()
        )
    if error:
        quota = QuotaStatus(used=quota.used - 1, limit=quota.limit, resets_at=quota.resets_at)
    return AssistantTurn(
        user_message=user_message, reply=answer, cards=reply.cards, quota=quota, error=error
    )


def assistant_answer_refund(*, user: User, message_id: uuid.UUID) -> QuotaStatus:
    """Refund "Not what I asked": the assistant answer ``message_id`` stops counting against the
    user's daily quota (rules §12). Returns the new quota status.

    Rules: only the user's own assistant answers, not error answers (they never counted), once
    per answer, and at most :data:`MAX_REFUNDS_PER_DAY` per quota day. Race-safe: the user's row
    is locked (as when a message is sent) and the answer re-read inside the lock, so two taps
    refund once. Raises :class:`RefundRefused` (already refunded, error answer, daily refund
    limit) and ``AIMessage.DoesNotExist`` for an unknown id or someone else's message.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        answer = AIMessage.objects.select_for_update().get(
            pk=message_id,
            conversation__user=locked,
            role=AIMessage.Role.ASSISTANT,
        )
        meta = dict(answer.metadata or {})
        if meta.get("error"):
            raise RefundRefused(_("This answer did not count against your messages."))
        if meta.get("refunded"):
            raise RefundRefused(_("You already told us this answer missed."))
        start, _end = quota_window(user=locked)
        refunds_today = AIUsageLog.objects.filter(
            user_id=locked.pk, created_at__gte=start, action=ACTION_REFUNDED
        ).count()
        log_id = meta.get("usage_log")
        log = (
            AIUsageLog.objects.filter(user_id=locked.pk, pk=log_id).first()
            if log_id is not None
            else None
        )
        if log is not None and log.created_at >= start and log.action not in NOT_COUNTED:
            if refunds_today >= MAX_REFUNDS_PER_DAY:
                raise RefundRefused(
                    _("You can mark at most %(n)d answers a day as not what you asked.")
                    % {"n": MAX_REFUNDS_PER_DAY}
                )
            log.action = ACTION_REFUNDED
            log.save(update_fields=["action"])
        meta["refunded"] = True
        answer.metadata = meta
        answer.save(update_fields=["metadata"])
    return quota_status(user=user)


def assistant_history_clear(*, user: User) -> int:
    """Delete the user's conversations and messages (the usage log stays: it is the quota).
    Returns the number of conversations removed."""
    _deleted, per_model = AIConversation.objects.filter(user=user).delete()
    return per_model.get(AIConversation._meta.label, 0)
