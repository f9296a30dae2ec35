"""Write side of messaging (SPEC §8, §9): send, mark read, star, archive, delete.

Every write runs in one transaction; WebSocket pushes and e-mail tasks are queued with
``transaction.on_commit`` and never make a write fail (the message is saved even when Redis is
down; the next page load shows it).
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import UserInteraction
from matching.services import interaction_record
from miel.realtime import push_to_user, push_to_users
from notifications.push import push_queue
from profiles.models import Member

from .models import MESSAGE_MAX_CHARS, Message
from .selectors import can_message, story_thumbnail_url, unread_count
from .tasks import message_email_notify, new_message_email_unneeded

logger = logging.getLogger(__name__)


class MessageRefused(ValidationError):
    """The message cannot be sent (not a mutual match, blocked pair, self, incomplete
    member): the views answer 403."""


def message_clean_text(text: str | None) -> str:
    """Strip ``text`` and check it is 1-2000 characters (characters, not bytes; SPEC §8).
    Raises ValidationError with a translated message."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write a message first."), code="empty")
    if len(text) > MESSAGE_MAX_CHARS:
        raise ValidationError(
            _("A message can be at most %(max)d characters (this one has %(count)d).")
            % {"max": MESSAGE_MAX_CHARS, "count": len(text)},
            code="too_long",
        )
    return text


def message_event_payload(message: Message) -> dict[str, Any]:
    """The JSON shape of a message in ``message.new`` events (user ids, never member ids)."""
    return {
        "id": str(message.pk),
        "sender": str(message.sender.user_id),
        "recipient": str(message.recipient.user_id),
        "sender_name": message.sender.name,
        "text": message.text,
        "created": message.created.isoformat(),
        "story_image": story_thumbnail_url(message),
    }


def _queue_new_message_email(message_id: UUID) -> None:
    try:
        message_email_notify.delay(str(message_id))
    except Exception:  # broker down: the message is saved; the e-mail is best effort
        logger.warning("could not queue new-message e-mail for %s", message_id, exc_info=True)


@transaction.atomic
def message_send(
    *,
    sender: Member,
    recipient: Member,
    text: str,
    story: Any = None,
) -> Message:
    """Send ``text`` from ``sender`` to ``recipient`` (SPEC §8).

    ``story`` (a stories.Story, optional) marks a story reply; the chat shows its thumbnail.
    ``recipient.user`` should be loaded (select_related) to save a query.

    The chat rule (issue 16): only between a mutual match without a block
    (:func:`messaging.selectors.can_message`); a conversation whose pair is no longer a match
    stays readable but takes no new message.

    Raises ValidationError for empty/too-long text and MessageRefused (nothing stored) when the
    two are not a mutual match or one blocked the other (code ``not_match``), the recipient is
    the sender (``self``), or the recipient's profile is incomplete or the account inactive
    (``unavailable``).

    Queries: the chat rule (one query), the message INSERT, the interaction INSERT
    (``message``, weight 3.0, SPEC §11) and the recipient's unread count for the event. After commit, in one callback: ``message.new`` to the recipient's sockets
    (with their unread count) and to the sender's other tabs; then the "new message" e-mail task,
    which makes the e-mail decisions (SPEC §8) outside the request. The task is not queued when
    the loaded recipient already rules an e-mail out (active in the last 5 minutes, e-mail off):
    it would return without sending.
    """
    text = message_clean_text(text)
    if sender.pk == recipient.pk:
        raise MessageRefused(_("You cannot message yourself."), code="self")
    if not recipient.user.profile_complete or not recipient.user.is_active:
        raise MessageRefused(_("This member cannot receive messages."), code="unavailable")
    if not can_message(sender_id=sender.user_id, recipient_id=recipient.user_id):
        raise MessageRefused(
            _("You can only message your matches: you both need to like each other first."),
            code="not_match",
        )
    message = Message.objects.create(sender=sender, recipient=recipient, text=text, story=story)
    interaction_record(user=sender, target=recipient, action=UserInteraction.Action.MESSAGE)
    payload = message_event_payload(message)
    push_to_users(
        [
            (
                recipient.user_id,
                {
                    "type": "message.new",
                    "message": payload,
                    "unread_count": unread_count(user_id=recipient.user_id),
                },
            ),
            (sender.user_id, {"type": "message.new", "message": payload}),
        ]
    )
    message_id = message.pk
    if story is None:  # a story reply pushes as one (notifications.services)
        push_queue(
            user_id=recipient.user_id,
            kind="message",
            key=f"message:{message_id}",
            actor_id=sender.user_id,
            message_id=message_id,
        )
    if not new_message_email_unneeded(recipient.user, now=message.created):
        transaction.on_commit(lambda: _queue_new_message_email(message_id))
    return message


@transaction.atomic
def conversation_mark_read(*, reader: Member, other: Member) -> list[str]:
    """Mark every unread message from ``other`` to ``reader`` read (SPEC §8: opening a thread).

    Returns the ids marked now (a concurrent call marks each message once: the UPDATE is
    conditional on ``date_read IS NULL``). After commit: ``message.read`` to ``other``'s sockets
    (ids and time) and to ``reader``'s tabs (their new unread count) when anything changed.
    """
    base = Message.objects.filter(
        sender_id=other.pk, recipient_id=reader.pk, date_read__isnull=True
    )
    ids = list(base.select_for_update().values_list("id", flat=True))
    if not ids:
        return []
    now = timezone.now()
    base.filter(id__in=ids).update(date_read=now)
    id_strings = [str(i) for i in ids]
    push_to_user(
        other.user_id,
        "message.read",
        reader=str(reader.user_id),
        message_ids=id_strings,
        read_at=now.isoformat(),
    )
    push_to_user(
        reader.user_id,
        "message.read",
        reader=str(reader.user_id),
        message_ids=id_strings,
        read_at=now.isoformat(),
        unread_count=unread_count(user_id=reader.user_id),
    )
    return id_strings


def _side(message: Message, member: Member) -> str:
    if message.sender_id == member.pk:
        return "sender"
    if message.recipient_id == member.pk:
        return "recipient"
    raise ValidationError("not a participant")  # selectors already 404 before this


@transaction.atomic
def message_mark_read(*, member: Member, message: Message) -> bool:
    """Mark one received message read. Returns True if it changed. Only the recipient can;
    for the sender it is a no-op."""
    if message.recipient_id != member.pk or message.date_read is not None:
        return False
    now = timezone.now()
    changed = Message.objects.filter(pk=message.pk, date_read__isnull=True).update(date_read=now)
    if changed:
        message.date_read = now
        push_to_user(
            message.sender.user_id,
            "message.read",
            reader=str(member.user_id),
            message_ids=[str(message.pk)],
            read_at=now.isoformat(),
        )
        push_to_user(
            member.user_id,
            "message.read",
            reader=str(member.user_id),
            message_ids=[str(message.pk)],
            read_at=now.isoformat(),
            unread_count=unread_count(user_id=member.user_id),
        )
    return bool(changed)


def message_set_starred(*, member: Member, message: Message, starred: bool) -> Message:
    """Star or unstar ``message`` on ``member``'s side only (SPEC §8 fix). Idempotent."""
    field = f"{_side(message, member)}_starred"
    Message.objects.filter(pk=message.pk).update(**{field: starred})
    setattr(message, field, starred)
    return message


def message_set_archived(*, member: Member, message: Message, archived: bool) -> Message:
    """Archive or unarchive ``message`` on ``member``'s side only (SPEC §8 fix). Idempotent."""
    field = f"{_side(message, member)}_archived"
    Message.objects.filter(pk=message.pk).update(**{field: archived})
    setattr(message, field, archived)
    return message


@transaction.atomic
def message_delete(*, member: Member, message: Message) -> bool:
    """Delete ``message`` on ``member``'s side (soft delete, SPEC §8). When both sides have
    deleted it, the row is removed from the database (unless a report carries it as
    evidence, SPEC §6); returns True in that case.

    Safe when both participants delete at once: each sets its own flag (the row lock
    serialises them), then the row is deleted only where both flags are set, so the second
    transaction to commit removes it.
    """
    side = _side(message, member)
    Message.objects.filter(pk=message.pk).update(**{f"{side}_deleted": True})
    # A message attached to a report stays (hidden from both) as the report's evidence.
    removed, _ = (
        Message.objects.filter(pk=message.pk, sender_deleted=True, recipient_deleted=True)
        .filter(reports__isnull=True)
        .delete()
    )
    if not removed and side == "recipient" and message.date_read is None:
        # A deleted unread message no longer counts in the recipient's badge.
        push_to_user(
            member.user_id, "message.read", unread_count=unread_count(user_id=member.user_id)
        )
    return bool(removed)
