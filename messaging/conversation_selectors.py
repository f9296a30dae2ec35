"""Read side of the conversations list (issue 15, rules §8): one row per conversation with its
last message and unread count, and the strip of new matches without a message yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from matching.models import Block, Like
from profiles.models import Member

from .models import Message
from .selectors import (
    _HIDDEN_MEMBERS_SQL,
    _MEMBER_ID_SQL,
    _UNREAD_SQL,
    _uid,
    cursor_decode,
    cursor_encode,
)

CONVERSATIONS_PAGE_SIZE = 20
NEW_MATCHES_LIMIT = 20
#: "Online" as accounts.User.is_online counts it (rules §5).
ONLINE_WINDOW = timedelta(minutes=15)

# One query for a page of rows: the member's messages (not deleted on their side, not with a
# blocked member) ranked per other member by a window function; the newest of each pair is the
# row, the window's SUM its unread count. Joined to the other member and to the owner's
# ConversationState; the badge count rides along as a scalar subquery (rules §16: the page is
# one query). Its cost grows with the member's own message count (an index range on each of
# message_sender_idx / message_recipient_idx), not with the table's.
# Constant text built from constants; values only ever go in as parameters.
_CONVERSATIONS_SQL = (
    "WITH me AS (" + _MEMBER_ID_SQL + "),"  # noqa: S608
    " mine AS ("
    "  SELECT m.id, m.text, m.created, m.sender_id, m.recipient_id, m.date_read, m.story_id,"
    "   m.sender_deleted, m.recipient_deleted, m.sender_starred, m.recipient_starred,"
    "   m.sender_archived, m.recipient_archived,"
    "   CASE WHEN m.sender_id = (SELECT id FROM me) THEN m.recipient_id ELSE m.sender_id END"
    "    AS other_id"
    "  FROM messaging_message m"
    "  WHERE ((m.sender_id = (SELECT id FROM me) AND NOT m.sender_deleted)"
    "     OR (m.recipient_id = (SELECT id FROM me) AND NOT m.recipient_deleted))"
    "), ranked AS ("
    "  SELECT mine.*,"
    "   ROW_NUMBER() OVER (PARTITION BY other_id ORDER BY created DESC, id DESC) AS rn,"
    "   SUM(CASE WHEN recipient_id = (SELECT id FROM me) AND date_read IS NULL THEN 1 ELSE 0 END)"
    "    OVER (PARTITION BY other_id) AS unread"
    "  FROM mine"
    "  WHERE other_id NOT IN (" + _HIDDEN_MEMBERS_SQL + ")"
    ")"
    " SELECT r.id, r.text, r.created, r.sender_id, r.recipient_id, r.date_read, r.story_id,"
    "  r.sender_deleted, r.recipient_deleted, r.sender_starred, r.recipient_starred,"
    "  r.sender_archived, r.recipient_archived,"
    "  r.other_id, r.unread, o.user_id AS other_user_id, o.name AS other_name,"
    "  o.image AS other_image,"
    "  CASE WHEN o.last_active_at >= %s THEN 1 ELSE 0 END AS other_online,"
    "  CASE WHEN cs.muted THEN 1 ELSE 0 END AS muted,"
    "  CASE WHEN cs.archived_at >= r.created THEN 1 ELSE 0 END AS archived,"
    "  (" + _UNREAD_SQL + ") AS badge"
    " FROM ranked r JOIN profiles_member o ON o.id = r.other_id"
    " LEFT JOIN messaging_conversationstate cs"
    "  ON cs.owner_id = (SELECT id FROM me) AND cs.other_id = r.other_id"
    " WHERE r.rn = 1"
)
_ARCHIVED_SQL = " AND cs.archived_at IS NOT NULL AND cs.archived_at >= r.created"
_NOT_ARCHIVED_SQL = " AND (cs.archived_at IS NULL OR cs.archived_at < r.created)"
_CURSOR_SQL = " AND (r.created < %s OR (r.created = %s AND r.id < %s))"
_ORDER_SQL = " ORDER BY r.created DESC, r.id DESC LIMIT %s"


@dataclass
class ConversationRow:
    """A conversation as the list shows it: the other member and the last message."""

    other_user_id: UUID
    other_name: str
    other_image: str
    online: bool
    last: Message
    mine: bool  #: the last message is the viewer's own
    unread: int  #: messages to the viewer in this conversation not read yet
    muted: bool
    archived: bool


@dataclass
class ConversationPage:
    rows: list[ConversationRow]
    next_cursor: str | None
    #: The viewer's badge count (conversations with unread messages), when the page has rows.
    unread: int | None = None


def conversation_page(
    *, user_id: UUID | str, archived: bool = False, cursor: str | None = None
) -> ConversationPage:
    """One page (20, newest first) of the conversations of the member of User ``user_id``
    (issue 15): one row per other member, with the last message the viewer has not deleted,
    the number of messages to the viewer not read yet, the other member's name, photo and presence,
    and the viewer's own mute / archive state. ``archived`` picks the Archived view (a
    conversation archived since its last message) instead of the main list. Conversations
    with a member either side blocked are left out (rules §6). Keyset-paginated on the last
    message's (created, id) by ``cursor`` (a malformed one = first page).

    Exactly one query, whatever the number of rows (the badge count included)."""
    uid = _uid(user_id)
    adapt = connection.ops.adapt_datetimefield_value
    online_since = adapt(timezone.now() - ONLINE_WINDOW)
    sql = _CONVERSATIONS_SQL + (_ARCHIVED_SQL if archived else _NOT_ARCHIVED_SQL)
    params: list[object] = [uid, uid, uid, online_since, uid, uid, uid]
    position = cursor_decode(cursor)
    if position is not None:
        sql += _CURSOR_SQL
        created = adapt(position[0])
        params += [created, created, _uid(position[1])]
    sql += _ORDER_SQL
    params.append(CONVERSATIONS_PAGE_SIZE + 1)
    messages = list(Message.objects.raw(sql, params))
    more = len(messages) > CONVERSATIONS_PAGE_SIZE
    messages = messages[:CONVERSATIONS_PAGE_SIZE]
    rows = [
        ConversationRow(
            other_user_id=UUID(str(m.other_user_id)),
            other_name=m.other_name,
            other_image=m.other_image,
            online=bool(m.other_online),
            last=m,
            mine=m.sender_id != UUID(str(m.other_id)),
            unread=int(m.unread or 0),
            muted=bool(m.muted),
            archived=bool(m.archived),
        )
        for m in messages
    ]
    return ConversationPage(
        rows=rows,
        next_cursor=cursor_encode(messages[-1]) if more else None,
        unread=int(messages[0].badge) if messages else None,
    )


def new_matches(*, user_id: UUID | str, limit: int = NEW_MATCHES_LIMIT) -> list[Member]:
    """Members matched with the member of User ``user_id`` (both liked each other) with no
    message between the two yet, newest like first, at most ``limit``; blocked pairs and
    members no longer listed left out (issue 15 strip). One query."""
    me = Member.objects.filter(user_id=user_id).values("pk")
    messaged = Message.objects.filter(
        Q(sender_id=OuterRef("target_id"), recipient_id=OuterRef("source_id"))
        | Q(sender_id=OuterRef("source_id"), recipient_id=OuterRef("target_id"))
    )
    blocked = Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=OuterRef("target__user_id"))
        | Q(blocker_id=OuterRef("target__user_id"), blocked_id=user_id)
    )
    likes = (
        Like.objects.filter(source_id__in=me, target__listed=True)
        .filter(Exists(Like.objects.filter(source_id=OuterRef("target_id"), target_id__in=me)))
        .exclude(Exists(messaged))
        .exclude(Exists(blocked))
        .select_related("target")
        .only("target__user_id", "target__name", "target__image", "target__last_active_at")
        .order_by("-created_at", "-id")
    )
    return [like.target for like in likes[:limit]]
