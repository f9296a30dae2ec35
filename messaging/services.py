"""Write side of messaging (rules §8, §9): send, mark read, star, archive, delete.

Every write runs in one transaction; WebSocket pushes and e-mail tasks are queued with
``transaction.on_commit`` and never make a write fail (the message is saved even when Redis is
down; the next page load shows it).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import UserInteraction
from matching.services import interaction_record
from miel import metrics
from miel.rawsql import insert_unless_conflict
from miel.realtime import push_to_user, push_to_users
from miel.text import is_visibly_empty, text_check
from notifications.push import push_queue
from profiles.models import Member

from .models import MESSAGE_MAX_CHARS, ConversationState, Message
from .nudges import nudge_match
from .selectors import can_message, story_thumbnail_url, unread_count
from .tasks import message_email_notify, new_message_email_unneeded

logger = logging.getLogger(__name__)


class MessageRefused(ValidationError):
    """The message cannot be sent (not a mutual match, blocked pair, self, incomplete
    member): the views answer 403."""


#: An idempotency key: what the chat page generates (a UUID, hex or with dashes) and more.
CLIENT_KEY_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


class MessageLimited(MessageRefused):
    """Over a sending limit (issue 16: messages per minute, new conversations per day for new
    accounts): nothing stored; the views answer 429."""


#: The window of MESSAGES_PER_MINUTE and of NEW_CONVERSATIONS_PER_DAY.
MINUTE = timedelta(minutes=1)
DAY = timedelta(hours=24)


def limited_account(member: Member, *, now: datetime) -> bool:
    """Whether ``member`` is under the new-conversation limit (issue 16): the account is
    younger than NEW_ACCOUNT_HOURS or has no approved photo (``Member.image`` is the main
    approved photo, kept by profiles.services). ``member.user`` should be loaded."""
    young = member.user.date_joined > now - timedelta(hours=settings.NEW_ACCOUNT_HOURS)
    return young or not member.image


def _lock_sender(sender: Member) -> None:
    """Serialise one member's sends until the transaction ends, so two concurrent requests
    cannot both pass a limit (PostgreSQL: a transaction-scoped advisory lock, no row written;
    SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"send:{sender.pk}"]
            )


def message_limits_check(*, sender: Member, recipient: Member, now: datetime) -> bool:
    """Apply the sending limits of issue 16 to ``sender`` writing to ``recipient`` at ``now``
    (settings, 0 = no limit): at most MESSAGES_PER_MINUTE messages in the last 60 s, and for a
    :func:`limited_account` at most NEW_CONVERSATIONS_PER_DAY conversations opened in the last
    24 h (a conversation is opened by the first message between two members).

    Returns whether this message opens a conversation (only computed for limited accounts).
    Raises :class:`MessageLimited` (translated, code ``rate_limited``) over a limit. Call it
    inside the send's transaction: it takes the sender's lock first, when a limit applies
    to this send (none: nothing to serialise, no lock, no query)."""
    per_minute = settings.MESSAGES_PER_MINUTE
    per_day = settings.NEW_CONVERSATIONS_PER_DAY
    day_limited = bool(per_day) and limited_account(sender, now=now)
    if not per_minute and not day_limited:
        return False
    _lock_sender(sender)
    if per_minute and (
        Message.objects.filter(sender=sender, created__gt=now - MINUTE).count() >= per_minute
    ):
        raise MessageLimited(
            _("You are sending messages too fast. Wait a minute and try again."),
            code="rate_limited",
        )
    if not day_limited:
        return False
    opens = not Message.objects.filter(
        Q(sender=sender, recipient=recipient) | Q(sender=recipient, recipient=sender)
    ).exists()
    if opens and (
        Message.objects.filter(
            sender=sender, opens_conversation=True, created__gt=now - DAY
        ).count()
        >= per_day
    ):
        raise MessageLimited(
            _(
                "New accounts can start %(count)d new conversations a day. Add a profile photo "
                "or come back tomorrow to start more; your current chats keep working."
            )
            % {"count": per_day},
            code="rate_limited",
        )
    return opens


class NudgeNeeded(Exception):
    """The text matches the nudge list and the sender has not confirmed it yet (issue 16):
    nothing was stored; the chat asks "Are you sure?" (send anyway / edit)."""


def message_clean_text(text: str | None) -> str:
    """Strip ``text`` and check it is 1-2000 characters (characters, not bytes; rules §8).
    Raises ValidationError with a translated message: code ``bad_characters`` for a NUL or an
    unpaired surrogate (issue 13 item 11), ``empty`` for nothing but whitespace and invisible
    characters (zero-width spaces…), ``too_long``."""
    text = text_check(text).strip()
    if is_visibly_empty(text):
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
        # Issue 16: the recipient's chat offers "Does this bother you?" with a report link.
        "nudged": message.nudged,
        "report_url": (
            f"{reverse('matching:report', args=[message.sender.user_id])}?message={message.pk}"
            if message.nudged
            else None
        ),
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
    text: str | None,
    story: Any = None,
    client_key: str | None = None,
    ask_first: bool = False,
    chat_rule: bool | None = None,
) -> Message:
    """Send ``text`` from ``sender`` to ``recipient`` (rules §8).

    ``story`` (a stories.Story, optional) marks a story reply; the chat shows its thumbnail.
    ``recipient.user`` should be loaded (select_related) to save a query.

    ``client_key`` (issue 13 item 14): the sender's idempotency key for this message (8-64
    characters of ``[A-Za-z0-9_-]``; ValidationError code ``bad_client_key`` otherwise). When
    the sender already has a message with that key to the same recipient, that message is
    returned and nothing is stored or pushed again (a retried POST); a concurrent duplicate
    is caught by the unique (sender, client_key) constraint. The same key to another
    recipient raises ValidationError (code ``client_key_reused``).

    Nudges (issue 16): a text matching the nudge list (:func:`messaging.nudges.nudge_match`)
    is stored with ``nudged=True`` so the recipient is asked "Does this bother you?"; with
    ``ask_first`` (the chat form before the sender confirmed) it raises :class:`NudgeNeeded`
    instead and stores nothing. Nothing is ever refused for its words.

    The chat rule (issue 16): only between a mutual match without a block
    (:func:`messaging.selectors.can_message`); a conversation whose pair is no longer a match
    stays readable but takes no new message. ``chat_rule``: that rule's answer when the caller
    read it for this request already (:func:`messaging.selectors.chat_send_pair`'s
    ``may_message``, issue 20: one statement less per send); None asks
    :func:`messaging.selectors.can_message`.

    Raises ValidationError for empty/too-long text and MessageRefused (nothing stored) when the
    two are not a mutual match or one blocked the other (code ``not_match``), the recipient is
    the sender (``self``), or the recipient's profile is incomplete or the account inactive
    (``unavailable``).

    Limits (issue 16, :func:`message_limits_check`): over MESSAGES_PER_MINUTE or, for a new
    account, NEW_CONVERSATIONS_PER_DAY it raises :class:`MessageLimited` (a MessageRefused,
    code ``rate_limited``) and stores nothing.

    Queries: the chat rule (one query, none with ``chat_rule``), when a limit applies the
    sender's lock (PostgreSQL) and the count of the last minute, for limited accounts two more
    (an earlier message of the pair, the day's count), the message INSERT (with a ``client_key``: on PostgreSQL ``ON CONFLICT DO NOTHING`` on the
    key's unique index, elsewhere in a savepoint; the key is looked up only when the INSERT
    finds it taken or the send is refused), the interaction INSERT (``message``,
    weight 3.0, rules §11) and the recipient's unread count for the event. After commit, in
    one callback: ``message.new`` to the recipient's sockets
    (with their unread count) and to the sender's other tabs; then the "new message" e-mail task,
    which makes the e-mail decisions (rules §8) outside the request. The task is not queued when
    the loaded recipient already rules an e-mail out (active in the last 5 minutes, e-mail off):
    it would return without sending.
    """
    text = message_clean_text(text)
    if client_key is not None and not CLIENT_KEY_RE.fullmatch(client_key):
        raise ValidationError(
            _("This message could not be sent. Reload the page."), code="bad_client_key"
        )
    try:
        now, opens, nudged = _message_send_checks(
            sender=sender, recipient=recipient, text=text, ask_first=ask_first, chat_rule=chat_rule
        )
    except (MessageRefused, NudgeNeeded):
        # A retry of a message that was stored (the pair unmatched since, a limit reached, a
        # nudge confirmed the first time) gets that message, not a refusal.
        earlier = _message_by_client_key(sender=sender, recipient=recipient, key=client_key)
        if earlier is not None:
            return earlier
        raise
    fields = {
        "sender": sender,
        "recipient": recipient,
        "text": text,
        "story": story,
        "created": now,
        "opens_conversation": opens,
    }
    if client_key is None:
        message = Message.objects.create(**fields, nudged=nudged)
    elif connection.vendor == "postgresql":
        # One INSERT that skips a taken key (no savepoint, issue 20); the earlier message is
        # looked up only then.
        message = Message(**fields, nudged=nudged, client_key=client_key)
        if not insert_unless_conflict(message, conflict=_CLIENT_KEY_CONFLICT):
            earlier = _message_by_client_key(sender=sender, recipient=recipient, key=client_key)
            if earlier is None:  # the key's message is gone (deleted by both sides)
                raise IntegrityError("client key taken by a message that no longer exists")
            return earlier
    else:
        # Stored first, looked up only when the key is taken (a retry, or a concurrent one):
        # the unique (sender, client_key) constraint decides, and a send costs no lookup.
        try:
            with transaction.atomic():
                message = Message.objects.create(**fields, nudged=nudged, client_key=client_key)
        except IntegrityError:
            earlier = _message_by_client_key(sender=sender, recipient=recipient, key=client_key)
            if earlier is None:
                raise
            return earlier
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
    metrics.MESSAGES_SENT.inc()  # /metrics (issue 21); a rare rollback after this over-counts
    return message


def _message_send_checks(
    *, sender: Member, recipient: Member, text: str, ask_first: bool, chat_rule: bool | None
) -> tuple[datetime, bool, bool]:
    """The refusals of :func:`message_send` in its order, inside its transaction: oneself,
    an unavailable recipient, the chat rule, the limits (taking the sender's lock), the nudge
    to confirm. Returns ``(now, opens_conversation, nudged)``."""
    if sender.pk == recipient.pk:
        raise MessageRefused(_("You cannot message yourself."), code="self")
    if not recipient.user.profile_complete or not recipient.user.is_active:
        raise MessageRefused(_("This member cannot receive messages."), code="unavailable")
    if chat_rule is None:
        chat_rule = can_message(sender_id=sender.user_id, recipient_id=recipient.user_id)
    if not chat_rule:
        raise MessageRefused(
            _("You can only message your matches: you both need to like each other first."),
            code="not_match",
        )
    now = timezone.now()
    opens = message_limits_check(sender=sender, recipient=recipient, now=now)
    nudged = nudge_match(text)
    if nudged and ask_first:
        raise NudgeNeeded
    return now, opens, nudged


#: The unique index of the idempotency key (``messaging_message_unique_client_key``), as
#: ``ON CONFLICT`` names it.
_CLIENT_KEY_CONFLICT = '("sender_id", "client_key") WHERE "client_key" IS NOT NULL'


def _message_by_client_key(*, sender: Member, recipient: Member, key: str | None) -> Message | None:
    """The sender's message stored with idempotency key ``key``, or None (also for no key).
    Raises ValidationError (``client_key_reused``) when it went to another recipient."""
    if key is None:
        return None
    earlier = Message.objects.select_related("story").filter(sender=sender, client_key=key).first()
    if earlier is not None and earlier.recipient_id != recipient.pk:
        raise ValidationError(
            _("This message could not be sent. Reload the page."), code="client_key_reused"
        )
    return earlier


def conversation_mark_read(*, reader: Member, other: Member) -> list[str]:
    """Mark every unread message from ``other`` to ``reader`` read (rules §8: opening a thread).

    Returns the ids marked now (a concurrent call marks each message once: the rows are locked
    and the UPDATE is conditional on ``date_read IS NULL``). After commit: ``message.read`` to
    ``other``'s sockets (ids and time) and to ``reader``'s tabs (their new unread count) when
    anything changed. Nothing unread (most page views): one indexed query, no transaction.
    """
    unread = Message.objects.filter(
        sender_id=other.pk, recipient_id=reader.pk, date_read__isnull=True
    )
    if not unread.exists():
        return []
    with transaction.atomic():
        return _conversation_mark_read_locked(reader=reader, other=other, base=unread)


def _conversation_mark_read_locked(
    *, reader: Member, other: Member, base: QuerySet[Message]
) -> list[str]:
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
    """Star or unstar ``message`` on ``member``'s side only (rules §8 fix). Idempotent."""
    field = f"{_side(message, member)}_starred"
    Message.objects.filter(pk=message.pk).update(**{field: starred})
    setattr(message, field, starred)
    return message


def message_set_archived(*, member: Member, message: Message, archived: bool) -> Message:
    """Archive or unarchive ``message`` on ``member``'s side only (rules §8 fix). Idempotent."""
    field = f"{_side(message, member)}_archived"
    Message.objects.filter(pk=message.pk).update(**{field: archived})
    setattr(message, field, archived)
    return message


@transaction.atomic
def message_delete(*, member: Member, message: Message) -> bool:
    """Delete ``message`` on ``member``'s side (soft delete, rules §8). When both sides have
    deleted it, the row is removed from the database (unless a report carries it as
    evidence, rules §6); returns True in that case.

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


def conversation_set_archived(*, owner: Member, other: Member, archived: bool) -> None:
    """Archive (or bring back) ``owner``'s conversation with ``other``, for ``owner`` only
    (issue 15). Archived = hidden from the list until a newer message arrives. Idempotent;
    concurrent calls are safe (one unique row per pair, update_or_create)."""
    ConversationState.objects.update_or_create(
        owner=owner, other=other, defaults={"archived_at": timezone.now() if archived else None}
    )


def conversation_set_muted(*, owner: Member, other: Member, muted: bool) -> None:
    """Mute (or unmute) ``owner``'s conversation with ``other``, for ``owner`` only
    (issue 15): a muted conversation sends ``owner`` no new-message e-mail or reminder
    (messaging.tasks). Idempotent and race-safe like :func:`conversation_set_archived`."""
    ConversationState.objects.update_or_create(owner=owner, other=other, defaults={"muted": muted})
