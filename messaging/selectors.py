"""Read side of messaging (rules §8): permission-checked lookups, chat history, mailbox pages
with cursor pagination, and the unread count."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from django.db import connection
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching.selectors import is_blocked_pair, shown_by_direct_link
from miel.rawsql import db_uuid, instance_from_row
from profiles.models import Member

from .models import Message

MAILBOX_PAGE_SIZE = 10
CHAT_PAGE_SIZE = 50


class Container:
    INBOX = "inbox"
    OUTBOX = "outbox"
    STARRED = "starred"
    ARCHIVED = "archived"
    ALL = (INBOX, OUTBOX, STARRED, ARCHIVED)


# The mailbox's subqueries as SQL text: built with the ORM (nested querysets, Case/When) they
# cost ~6 ms of CPU per page to compile, more than running the whole query (rules §16).
#: The member id of one User id (%s): an InitPlan, run once per query.
_MEMBER_ID_SQL = "SELECT id FROM profiles_member WHERE user_id = %s"
#: Members on the other side of a block with one User id (%s twice), either way. PostgreSQL
#: runs it once per query (a hashed subplan), so filtering messages by it needs no join.
_HIDDEN_MEMBERS_SQL = (
    "SELECT id FROM profiles_member WHERE user_id IN ("
    "SELECT blocked_id FROM matching_block WHERE blocker_id = %s"
    " UNION ALL SELECT blocker_id FROM matching_block WHERE blocked_id = %s)"
)
#: The badge: conversations with unread messages to the member of one User id (distinct
#: senders of messages not read, not deleted on their side, not from a blocked member; %s three
#: times). Walks the partial ``message_unread_idx``.
# Constant text built from the constants above; values only ever go in as parameters.
_UNREAD_SQL = (
    "SELECT COUNT(DISTINCT sender_id) FROM messaging_message"  # noqa: S608
    f" WHERE recipient_id = ({_MEMBER_ID_SQL})"
    " AND date_read IS NULL AND NOT recipient_deleted"
    f" AND sender_id NOT IN ({_HIDDEN_MEMBERS_SQL})"
)


def _uid(user_id: UUID | str) -> str | UUID:
    """``user_id`` as the database stores a UUID (a uuid on PostgreSQL, hex text on SQLite)."""
    return db_uuid(UUID(str(user_id)))


def unread_count(*, user_id: UUID | str) -> int:
    """Conversations of ``user_id`` (a User id) with messages to them not yet read, not deleted
    by them, and not from a member either side blocked (rules §8 badge; issue 15: the badge
    counts conversations, not messages). Exactly one query (the partial unread index)."""
    uid = _uid(user_id)
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [uid, uid, uid])
        return cursor.fetchone()[0]


#: Both likes of a pair and a block either way, by User ids, in one statement (see
#: :func:`can_message`). Constant SQL; values go in as parameters.
_CAN_MESSAGE_SQL = (
    "SELECT EXISTS(SELECT 1 FROM matching_like l"
    " JOIN profiles_member s ON s.id = l.source_id JOIN profiles_member t ON t.id = l.target_id"
    " WHERE s.user_id = %s AND t.user_id = %s),"
    " EXISTS(SELECT 1 FROM matching_like l"
    " JOIN profiles_member s ON s.id = l.source_id JOIN profiles_member t ON t.id = l.target_id"
    " WHERE s.user_id = %s AND t.user_id = %s),"
    " EXISTS(SELECT 1 FROM matching_block"
    " WHERE (blocker_id = %s AND blocked_id = %s) OR (blocker_id = %s AND blocked_id = %s))"
)


def can_message(*, sender_id: UUID | str, recipient_id: UUID | str) -> bool:
    """THE chat rule (issue 16): may the user ``sender_id`` send ``recipient_id`` (User ids) a
    message, a story reply or a typing event? Only when the two are a mutual match (each liked
    the other) and neither blocked the other. Every path that writes into a conversation or
    pushes into it asks this function (messaging.services.message_send, the chat page, the
    WebSocket typing frame). One query. Never raises; False for the same id twice."""
    if str(sender_id) == str(recipient_id):
        return False
    s, r = _uid(sender_id), _uid(recipient_id)
    with connection.cursor() as cursor:
        cursor.execute(_CAN_MESSAGE_SQL, [s, r, r, s, s, r, r, s])
        mine, theirs, blocked = cursor.fetchone()
    return bool(mine) and bool(theirs) and not bool(blocked)


def has_conversation(*, member: Member, other: Member) -> bool:
    """True when any message exists between the two members (either direction)."""
    return Message.objects.filter(
        Q(sender_id=member.pk, recipient_id=other.pk)
        | Q(sender_id=other.pk, recipient_id=member.pk)
    ).exists()


def chat_partner(*, user: User, other_id: UUID | str) -> Member:
    """The member (by User id) ``user`` may open a chat with: a complete member, not themself.

    Raises Http404 otherwise. Block rules are checked by the caller (the chat page hides a
    blocked member; sending explains the refusal)."""
    member = (
        Member.objects.select_related("user")
        .filter(user_id=other_id, user__profile_complete=True, user__is_active=True)
        .first()
    )
    if member is None or member.user_id == user.pk:
        raise Http404
    return member


def conversation_for_participant(*, user: User, other_id: UUID | str) -> Member:
    """Like :func:`chat_partner`, and also Http404 when either member blocked the other
    (rules §6: a block hides both members everywhere) or when the other is paused or
    incognito and a stranger to ``user`` (:func:`matching.selectors.shown_by_direct_link`)."""
    other = chat_partner(user=user, other_id=other_id)
    if is_blocked_pair(user_id=user.pk, other_id=other.user_id):
        raise Http404
    if not shown_by_direct_link(viewer_id=user.pk, member=other):
        raise Http404
    return other


#: The columns a chat send reads of both members (``message_send``: the rules, the limits, the
#: event, the e-mail decision); anything else is loaded on first use.
CHAT_SEND_MEMBER_FIELDS = ("id", "user_id", "name", "image")
CHAT_SEND_USER_FIELDS = (
    "id",
    "email",
    "is_active",
    "profile_complete",
    "date_joined",
    "last_active_at",
    "email_notifications",
)


#: The pair of :func:`chat_send_pair`: the columns of CHAT_SEND_MEMBER_FIELDS, then of
#: CHAT_SEND_USER_FIELDS, then whether the member liked the other one of the pair, then
#: whether a block lies between the member and the sender (parameters: sender, recipient,
#: sender, sender, sender, recipient, as User ids). The like and block parts are the chat
#: rule of :func:`can_message` (both liked, no block), read row by row.
_CHAT_SEND_SQL = (
    "SELECT m.id, m.user_id, m.name, m.image,"
    " u.id, u.email, u.is_active, u.profile_complete, u.date_joined, u.last_active_at,"
    " u.email_notifications,"
    " EXISTS(SELECT 1 FROM matching_like l JOIN profiles_member t ON t.id = l.target_id"
    " WHERE l.source_id = m.id AND t.user_id IN (%s, %s) AND t.user_id <> m.user_id),"
    " EXISTS(SELECT 1 FROM matching_block b"
    " WHERE (b.blocker_id = %s AND b.blocked_id = m.user_id)"
    " OR (b.blocker_id = m.user_id AND b.blocked_id = %s))"
    " FROM profiles_member m JOIN accounts_user u ON u.id = m.user_id"
    " WHERE m.user_id IN (%s, %s)"
)


def chat_send_pair(*, user: User, other_id: UUID | str) -> tuple[Member, Member]:
    """``(sender, recipient)`` members for ``user`` sending a chat message to the member whose
    User id is ``other_id``, in one query (rules §8, §16), each with its ``user``; only
    :data:`CHAT_SEND_MEMBER_FIELDS` and :data:`CHAT_SEND_USER_FIELDS` are loaded (a page
    rendering either member should load it afresh).

    Raises Http404 when ``user`` has no member or is inactive or incomplete as stored now (a
    socket's user was loaded when it opened: a ban since then stops its sends here), or the
    recipient is ``user`` themself, unknown, incomplete, inactive, or either of the two blocked
    the other: a blocked conversation looks like one that does not exist (rules §6).

    The recipient's ``may_message`` is the answer of the chat rule (:func:`can_message`: a
    mutual match, no block) read in the same statement, for
    :func:`messaging.services.message_send`'s ``chat_rule``.

    One SQL statement rather than the ORM's: compiling the ORM query (two joined models and
    the block EXISTS) cost ~2.9 ms of CPU per send against ~0.5 ms for this, a third of a
    send over the socket (issue 20: 300 messages a second)."""
    try:
        other_id = UUID(str(other_id))
    except ValueError:
        raise Http404 from None
    if other_id == user.pk:
        raise Http404
    me_id, to_id = db_uuid(user.pk), db_uuid(other_id)
    with connection.cursor() as cursor:
        cursor.execute(_CHAT_SEND_SQL, [me_id, to_id, me_id, me_id, me_id, to_id])
        rows = cursor.fetchall()
    by_user: dict[UUID, Member] = {}
    split = len(CHAT_SEND_MEMBER_FIELDS)
    for row in rows:
        member = instance_from_row(Member, CHAT_SEND_MEMBER_FIELDS, row[:split])
        member.user = instance_from_row(User, CHAT_SEND_USER_FIELDS, row[split:-2])
        member.liked_other, member.blocked = bool(row[-2]), bool(row[-1])
        by_user[member.user_id] = member
    me, other = by_user.get(user.pk), by_user.get(other_id)
    if (
        me is None
        or other is None
        or not me.user.is_active  # banned or closed since the socket opened
        or not me.user.profile_complete
        or other.blocked
        or not other.user.profile_complete
        or not other.user.is_active
    ):
        raise Http404
    other.may_message = me.liked_other and other.liked_other  # not blocked: checked above
    return me, other


def message_for_participant(*, user: User, message_id: UUID | str) -> Message:
    """The message ``message_id`` if ``user`` is its sender or recipient and has not deleted
    it on their side; Http404 for anyone else (rules §8 permissions)."""
    message = (
        Message.objects.select_related("sender", "recipient", "story")
        .filter(
            Q(sender__user_id=user.pk, sender_deleted=False)
            | Q(recipient__user_id=user.pk, recipient_deleted=False),
            pk=message_id,
        )
        .first()
    )
    if message is None:
        raise Http404
    return message


def message_for_reader(*, user: User, message_id: UUID | str) -> Message:
    """:func:`message_for_participant` for marking a message read: also Http404 when either
    participant blocked the other, so no read receipt crosses a block (rules §6, §8)."""
    message = message_for_participant(user=user, message_id=message_id)
    other = message.recipient if message.sender.user_id == user.pk else message.sender
    if is_blocked_pair(user_id=user.pk, other_id=other.user_id):
        raise Http404
    return message


# --- cursor pagination ------------------------------------------------------------------------


def cursor_encode(message: Message) -> str:
    raw = f"{message.created.isoformat()}|{message.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str | None) -> tuple[datetime, UUID] | None:
    """Decode a cursor from the URL; a malformed one is treated as "first page"."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, pk = raw.split("|", 1)
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is None:
            return None
        # A tampered offset near year 1 or 9999 overflows when the database converts it to
        # UTC (a 500 on SQLite): normalise here, where the error can be caught.
        return moment.astimezone(UTC), UUID(pk)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None


def _before(qs: QuerySet[Message], cursor: tuple[datetime, UUID] | None) -> QuerySet[Message]:
    if cursor is None:
        return qs
    created, pk = cursor
    return qs.filter(Q(created__lt=created) | Q(created=created, id__lt=pk))


@dataclass
class Page:
    messages: list[Message]
    next_cursor: str | None
    #: The viewer's unread count (the navigation badge), when the page query computed it.
    unread: int | None = None


#: Columns a mailbox row shows (``_mailbox_row.html``); the rest of each member stays unread.
_MAILBOX_FIELDS = (
    "text",
    "sender_id",
    "recipient_id",
    "created",
    "date_read",
    "story_id",
    *(
        f"{side}_{flag}"
        for side in ("sender", "recipient")
        for flag in ("deleted", "starred", "archived")
    ),
    *(
        f"{side}__{field}"
        for side in ("sender", "recipient")
        for field in ("user_id", "name", "image")
    ),
)


def mailbox_page(
    *,
    container: str,
    cursor: str | None = None,
    member: Member | None = None,
    user_id: UUID | str | None = None,
    with_unread: bool = False,
) -> Page:
    """One page (10, newest first) of a member's ``container`` (rules §8), keyset-paginated on
    (created, id). The member is ``member`` or the one of User ``user_id`` (no member: an empty
    page). Hides messages deleted on the member's side and from blocked members.

    One query: the member id, the blocked ids and (``with_unread``) the unread badge count are
    subqueries of the page query, which walks ``message_recipient_idx`` / ``message_sender_idx``
    in order, so its cost does not grow with the size of the mailbox. ``Page.unread`` is the
    badge count when asked for and the page is not empty, else None. Each message comes with
    ``sender`` and ``recipient`` holding only ``user_id``, ``name`` and ``image``."""
    if member is not None:
        me: RawSQL | UUID = member.pk
        user_id = member.user_id
    elif user_id is not None:
        me = RawSQL(_MEMBER_ID_SQL, [_uid(user_id)])  # noqa: S611 (constant SQL)
    else:
        raise TypeError("mailbox_page() needs member or user_id")
    uid = _uid(user_id)
    if container == Container.OUTBOX:
        qs = Message.objects.filter(sender_id=me, sender_deleted=False, sender_archived=False)
    elif container == Container.STARRED:
        qs = Message.objects.filter(
            Q(sender_id=me, sender_starred=True, sender_deleted=False)
            | Q(recipient_id=me, recipient_starred=True, recipient_deleted=False)
        )
    elif container == Container.ARCHIVED:
        qs = Message.objects.filter(
            Q(sender_id=me, sender_archived=True, sender_deleted=False)
            | Q(recipient_id=me, recipient_archived=True, recipient_deleted=False)
        )
    else:
        qs = Message.objects.filter(
            recipient_id=me, recipient_deleted=False, recipient_archived=False
        )
    hidden = (_HIDDEN_MEMBERS_SQL, [uid, uid])  # constant SQL, values as parameters
    qs = qs.exclude(sender_id__in=RawSQL(*hidden)).exclude(  # noqa: S611
        recipient_id__in=RawSQL(*hidden)  # noqa: S611
    )
    # The page's ids first, without joins (an index walk that stops after one page), then
    # only those rows joined to their two members.
    page_ids = _before(qs, cursor_decode(cursor)).order_by("-created", "-id").values("pk")
    qs = Message.objects.filter(pk__in=page_ids[: MAILBOX_PAGE_SIZE + 1])
    if with_unread:
        badge = RawSQL(_UNREAD_SQL, [uid, uid, uid], IntegerField())  # noqa: S611
        qs = qs.annotate(unread=badge)
    qs = qs.select_related("sender", "recipient").only(*_MAILBOX_FIELDS).order_by("-created", "-id")
    rows = list(qs[: MAILBOX_PAGE_SIZE + 1])
    more = len(rows) > MAILBOX_PAGE_SIZE
    rows = rows[:MAILBOX_PAGE_SIZE]
    unread = rows[0].unread if with_unread and rows else None
    return Page(rows, cursor_encode(rows[-1]) if more else None, unread)


def chat_history(*, member: Member, other: Member, before: str | None = None) -> Page:
    """The latest 50 messages between the two members that ``member`` has not deleted, returned
    oldest first; ``next_cursor`` loads the 50 before them (rules §8)."""
    qs = Message.objects.filter(
        Q(sender_id=member.pk, recipient_id=other.pk, sender_deleted=False)
        | Q(sender_id=other.pk, recipient_id=member.pk, recipient_deleted=False)
    )
    qs = _before(qs, cursor_decode(before)).select_related("story").order_by("-created", "-id")
    rows = list(qs[: CHAT_PAGE_SIZE + 1])
    more = len(rows) > CHAT_PAGE_SIZE
    rows = rows[:CHAT_PAGE_SIZE]
    rows.reverse()
    return Page(rows, cursor_encode(rows[0]) if more else None)


def message_flags(*, message: Message, member: Member) -> dict[str, bool]:
    """The viewing member's side of a message's per-participant flags."""
    mine = message.sender_id == member.pk
    return {
        "mine": mine,
        "starred": message.sender_starred if mine else message.recipient_starred,
        "archived": message.sender_archived if mine else message.recipient_archived,
    }


def story_thumbnail_url(message: Message) -> str | None:
    """URL of the replied-to story's image while the story still exists and is live (the
    stories app streams it after its own privacy check; the storage URL is never exposed)."""
    story = message.story
    if story is None or not story.is_active or story.expires_at <= timezone.now():
        return None
    return reverse("stories:image", kwargs={"story_id": story.pk})
