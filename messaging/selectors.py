"""Read side of messaging (SPEC §8): permission-checked lookups, chat history, mailbox pages
with cursor pagination, and the unread count."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching.models import Block
from matching.selectors import blocked_user_ids, is_blocked_pair
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


def _blocked_between(sender_user: str, recipient_user: str) -> Exists:
    """An EXISTS subquery: a block in either direction between the two user columns."""
    return Exists(
        Block.objects.filter(
            Q(blocker_id=OuterRef(sender_user), blocked_id=OuterRef(recipient_user))
            | Q(blocker_id=OuterRef(recipient_user), blocked_id=OuterRef(sender_user))
        )
    )


def unread_count(*, user_id: UUID | str) -> int:
    """Messages to ``user_id`` (a User id) not yet read, not deleted by them, and not from a
    member either side blocked (SPEC §8 badge). Exactly one query (the partial unread index)."""
    return (
        Message.objects.filter(
            recipient__user_id=user_id, date_read__isnull=True, recipient_deleted=False
        )
        .exclude(_blocked_between("sender__user_id", "recipient__user_id"))
        .count()
    )


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
    (SPEC §6: a block hides both members everywhere)."""
    other = chat_partner(user=user, other_id=other_id)
    if is_blocked_pair(user_id=user.pk, other_id=other.user_id):
        raise Http404
    return other


def message_for_participant(*, user: User, message_id: UUID | str) -> Message:
    """The message ``message_id`` if ``user`` is its sender or recipient and has not deleted
    it on their side; Http404 for anyone else (SPEC §8 permissions)."""
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


def mailbox_page(*, member: Member, container: str, cursor: str | None = None) -> Page:
    """One page (10, newest first) of ``member``'s ``container`` (SPEC §8), keyset-paginated on
    (created, id). Hides messages deleted on the member's side and from blocked members.
    Two queries: the blocked ids and the page."""
    me = member.pk
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
    hidden = blocked_user_ids(user_id=member.user_id)
    if hidden:
        qs = qs.exclude(Q(sender__user_id__in=hidden) | Q(recipient__user_id__in=hidden))
    qs = (
        _before(qs, cursor_decode(cursor))
        .select_related("sender", "recipient", "story")
        .order_by("-created", "-id")
    )
    rows = list(qs[: MAILBOX_PAGE_SIZE + 1])
    more = len(rows) > MAILBOX_PAGE_SIZE
    rows = rows[:MAILBOX_PAGE_SIZE]
    return Page(rows, cursor_encode(rows[-1]) if more else None)


def chat_history(*, member: Member, other: Member, before: str | None = None) -> Page:
    """The latest 50 messages between the two members that ``member`` has not deleted, returned
    oldest first; ``next_cursor`` loads the 50 before them (SPEC §8)."""
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
