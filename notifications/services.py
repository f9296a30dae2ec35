"""Creating notifications and marking them read (issue 19).

The services that cause an event (a like, a match, a profile view, a story reply, a moderation
decision) call :func:`notification_queue` inside their transaction; the row is written and the
``notification.new`` socket event sent only after the commit, so a rolled-back action notifies
nobody. The event carries the unread count and, for likes and views, the actor only when the
recipient's plan shows who liked / viewed them (same rule as the Likes and Views pages).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from miel import emails, realtime
from miel.mail import one_line
from miel.rawsql import insert, insert_select_sql

from . import quiet
from .models import KEEP_FOR, Notification
from .push import push_queue

Kind = Notification.Kind

logger = logging.getLogger(__name__)


def _notification_store(
    *,
    user_id: UUID,
    kind: str,
    actor_id: UUID | None,
    url: str,
    detail: str,
    message_id: UUID | None = None,
    recipient: User | None = None,
) -> Notification | None:
    """The notification row (in the caller's transaction), its Web Push and story-reply e-mail
    queued after commit; None for an inactive account. ``recipient``: the account of
    ``user_id`` as the caller just loaded it (its ``is_active`` is used, no query)."""
    if recipient is not None and recipient.pk == user_id and "is_active" in recipient.__dict__:
        active = recipient.is_active
    else:
        active = User.objects.filter(pk=user_id, is_active=True).exists()
    if not active:
        return None
    with transaction.atomic(savepoint=False):  # part of the caller's transaction, if any
        if kind == Kind.VIEW and actor_id is not None:
            # Repeated views by the same member refresh one unread row instead of piling up.
            existing = (
                Notification.objects.select_for_update()
                .filter(user_id=user_id, kind=kind, actor_id=actor_id, read_at__isnull=True)
                .first()
            )
            if existing is not None:
                existing.created_at = timezone.now()
                existing.save(update_fields=["created_at"])
                return existing
        note = Notification(user_id=user_id, kind=kind, actor_id=actor_id, url=url, detail=detail)
        insert(note)  # the ORM's INSERT without its compilation (issue 20: every like)
        if kind == Kind.STORY_REPLY:
            transaction.on_commit(partial(_queue_story_reply_email, note.pk))
        _push_queue_for(note, message_id=message_id)
    return note


def _push_queue_for(note: Notification, *, message_id: UUID | None = None) -> None:
    """Web Push for the kinds a member can ask for (issue 19 C), once per stored row."""
    push_queue(
        user_id=note.user_id,
        kind=str(note.kind),
        key=f"notification:{note.pk}",
        actor_id=note.actor_id,
        message_id=message_id,
    )


#: The kinds :func:`notification_insert_sql` stores: a view refreshes an unread row instead
#: of adding one, a story reply also queues an e-mail (both through :func:`notification_queue`).
INSERT_SQL_KINDS = (Kind.LIKE, Kind.MATCH)


def notification_insert_sql(
    *, user_id: UUID, kind: str, actor_id: UUID | None, url: str, source: str
) -> tuple[Notification, str, list]:
    """A ``kind`` notification for ``user_id`` (about ``actor_id``, linking to ``url``) as one
    part of the caller's statement: ``(row, sql, params)``, ``sql`` being an INSERT that stores
    ``row`` once per row of ``source``, a common table expression of that statement (see
    :func:`miel.rawsql.insert_select_sql`). For a cause and its notification written in one
    round trip (a like, issue 20): ``source`` has a row exactly when the cause was stored,
    and only for an active account (the caller's statement checks it: :func:`notification_queue`
    stores nothing for an inactive one). Once the statement stored it, the caller calls
    :func:`notification_inserted`. Only :data:`INSERT_SQL_KINDS`; ValueError for the others."""
    if Kind(kind) not in INSERT_SQL_KINDS:
        raise ValueError(f"{kind} notifications go through notification_queue")
    note = Notification(user_id=user_id, kind=Kind(kind), actor_id=actor_id, url=url)
    sql, params = insert_select_sql(note, source=source)
    return note, sql, params


def notification_inserted(note: Notification, *, events: tuple[dict[str, Any], ...] = ()) -> None:
    """What :func:`notification_queue` does once its row is stored, for a row that
    :func:`notification_insert_sql`'s statement stored (``note``): after commit, the Web Push
    queued and ``notification.new`` with the new unread count pushed after ``events``."""
    note._state.adding = False
    _push_queue_for(note)
    transaction.on_commit(
        partial(_notification_announce, note.user_id, str(note.kind), tuple(events))
    )


def _notification_announce(
    user_id: UUID, kind: str, events: tuple[dict[str, Any], ...] = ()
) -> None:
    """After commit: the bell's new unread count, cached and pushed to the member's sockets,
    after ``events`` (the caller's own live events for the member, in one push). No name and
    no text in the bell's event: the count is all the bell needs, and a free member's socket
    must not learn who liked them one event at a time. A member known to have no socket open
    gets neither count nor push: their cached count is dropped and their pages renewed."""
    from miel.page_cache import viewer_pages_changed_soon

    from . import selectors

    if realtime.has_socket(user_id) is False:
        # Nobody to tell now (issue 20): no count, no push. The bell's cached count is
        # dropped (the next page counts) in the same round trip that renews their pages, and
        # within a request the one that renews the requester's.
        viewer_pages_changed_soon([user_id], forget=[selectors.unread_cache_key(user_id)])
        return
    count = selectors.unread_count(user_id=user_id)
    _cache_count(user_id, count)
    # Already after commit: pushed now, which also renews the member's kept pages (their bell
    # showed the old count, issue 20).
    bell = {"type": "notification.new", "kind": str(kind), "unread_count": count}
    realtime.push_now([(user_id, event) for event in (*events, bell)])


def _queue_story_reply_email(notification_id: UUID) -> None:
    from .tasks import send_story_reply_email

    try:
        send_story_reply_email.delay(str(notification_id))
    except Exception:  # broker down: the reply is saved and in the centre; e-mail best effort
        logger.warning("could not queue story-reply e-mail %s", notification_id, exc_info=True)


def story_reply_email_send_once(*, notification_id: UUID | str) -> bool:
    """E-mail the story owner about the story reply of ``notification_id``, at most once (a
    conditional UPDATE claims ``emailed_at``), in their language, without the reply's text.
    Nothing when their "A reply to my story" e-mail switch is off, the account is inactive, or
    a Web Push goes out for it (the deduplication rule: not both a push and an e-mail).
    Returns True when sent; raises OSError (claim released) when the mail server is down."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext as _

    from . import push

    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, kind=Kind.STORY_REPLY, emailed_at__isnull=True
    ).update(emailed_at=now)
    if not claimed:
        return False
    note = Notification.objects.select_related("user", "actor__member").get(pk=notification_id)
    user = note.user
    if not user.is_active or not (user.email_notifications or {}).get("story_reply", True):
        return False
    if push.push_will_send(user_id=user.pk, kind="story_reply"):
        return False
    if quiet.hold_if_quiet(
        user_id=user.pk, channel="email", kind="story_reply", key=f"story_reply:{note.pk}"
    ):
        return False  # quiet hours / Shabbat: in the summary after (docs/rules.md §19)
    member = getattr(note.actor, "member", None) if note.actor_id else None
    with translation.override(user.email_language):
        context = {
            "user": user,
            "name": getattr(member, "name", "") or _("A member"),
            "chat_url": f"{settings.SITE_URL}{note.url}",
            "settings_url": f"{settings.SITE_URL}/settings/",
        }
        subject = _("%(name)s replied to your story") % {"name": context["name"]}
        body = render_to_string("notifications/email/story_reply.txt", context)
    try:
        emails.branded_mail_send(
            to=[user.email],
            subject=one_line(subject),
            text=body,
            language=user.email_language,
            from_email=settings.DEFAULT_FROM_EMAIL,
            unsubscribe_user=user,
            unsubscribe_kind="story_reply",
        )
    except OSError:
        Notification.objects.filter(pk=notification_id, emailed_at=now).update(emailed_at=None)
        raise
    return True


def like_digest_send(*, now: datetime | None = None) -> int:
    """The daily "someone liked me" e-mail (beat task ``notifications-like-digest``): one
    e-mail per member with like notifications not yet e-mailed, not read and not pushed, saying
    how many (never who: the Likes page's premium rule applies to the e-mail too). Members with
    the "Someone liked me" e-mail switch off get nothing (their rows are claimed all the same).
    Each member's rows are claimed with a conditional UPDATE first, so a task that runs twice
    sends once. Returns how many e-mails were sent; a mail-server failure releases that
    member's claim and is logged (the next run tries again)."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import ngettext

    from .models import PushDelivery

    now = now or timezone.now()
    pending = Notification.objects.filter(
        kind=Kind.LIKE, emailed_at__isnull=True, read_at__isnull=True
    )
    sent = 0
    for user_id in set(pending.values_list("user_id", flat=True)):
        pushed = set(
            PushDelivery.objects.filter(
                user_id=user_id, key__startswith="notification:"
            ).values_list("key", flat=True)
        )
        ids = [
            pk
            for pk in pending.filter(user_id=user_id).values_list("pk", flat=True)
            if f"notification:{pk}" not in pushed
        ]
        if not ids:
            continue
        claimed = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(
            emailed_at=now
        )
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if not claimed or user is None:
            continue
        if not (user.email_notifications or {}).get("new_like", True):
            continue
        if quiet.hold_if_quiet(
            user_id=user_id,
            channel="email",
            kind="like",
            key=f"likes:{min(ids)}",
            count=claimed,
            now=now,
        ):
            continue  # quiet hours / Shabbat: in the summary after (docs/rules.md §19)
        with translation.override(user.email_language):
            subject = ngettext(
                "%(count)d new like on Miel", "%(count)d new likes on Miel", claimed
            ) % {"count": claimed}
            body = render_to_string(
                "notifications/email/like_digest.txt",
                {
                    "user": user,
                    "count": claimed,
                    "likes_url": f"{settings.SITE_URL}/lists/?type=target",
                    "settings_url": f"{settings.SITE_URL}/settings/",
                },
            )
        try:
            emails.branded_mail_send(
                to=[user.email],
                subject=subject,
                text=body,
                language=user.email_language,
                from_email=settings.DEFAULT_FROM_EMAIL,
                unsubscribe_user=user,
                unsubscribe_kind="new_like",
            )
        except OSError:
            Notification.objects.filter(pk__in=ids, emailed_at=now).update(emailed_at=None)
            logger.warning("like digest to %s not sent", user_id, exc_info=True)
            continue
        sent += 1
    return sent


def notification_queue(
    *,
    user_id: UUID,
    kind: str,
    actor_id: UUID | None = None,
    url: str = "",
    detail: str = "",
    message_id: UUID | None = None,
    recipient: User | None = None,
    events: tuple[dict[str, Any], ...] = (),
) -> None:
    """Store a ``kind`` notification for ``user_id`` (about ``actor_id``, linking to ``url``)
    in the caller's transaction (it exists exactly when the like, match or reply that caused
    it does, with no commit of its own), and after commit push ``notification.new`` with the
    new unread count to the member's open sockets and queue a Web Push for the kinds members
    can ask for (``message_id``: the chat message of a story reply, for previews). Nothing
    for an inactive account (``recipient``: that account as the caller loaded it moments ago,
    which saves the query that checks it; issue 20). ``events``: the caller's own live events
    for the same member (``{"type": ...}``), sent before ``notification.new`` in the same push
    after commit (one page-version write, one trip to the channel layer; issue 20); they go
    only where the notification is stored. A push failure is logged by the realtime layer,
    never raised into the caller's request."""
    note = _notification_store(
        user_id=user_id,
        kind=Kind(kind),
        actor_id=actor_id,
        url=url,
        detail=detail,
        message_id=message_id,
        recipient=recipient,
    )
    if note is not None:
        transaction.on_commit(
            partial(_notification_announce, user_id, str(Kind(kind)), tuple(events))
        )


def _cache_count(user_id: UUID, count: int) -> None:
    """Store the bell's count (see :func:`selectors.unread_count_cached`); errors ignored."""
    from django.core.cache import cache

    from .selectors import UNREAD_CACHE_SECONDS, unread_cache_key

    try:
        cache.set(unread_cache_key(user_id), count, UNREAD_CACHE_SECONDS)
    except Exception:  # cache down: the next read counts again
        logger.warning("notification count not cached", exc_info=True)


def notifications_mark_read(*, user_id: UUID, now: datetime | None = None) -> int:
    """Mark every unread notification of ``user_id`` read (the list was opened); how many."""
    marked = Notification.objects.filter(user_id=user_id, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
    if marked:  # now (this member's next page) and again once committed
        _cache_count(user_id, 0)
        transaction.on_commit(lambda: _cache_count(user_id, 0))
    return marked


def notifications_prune(*, now: datetime | None = None) -> int:
    """Delete notifications older than 30 days (:data:`KEEP_FOR`), and the push-delivery
    claims of that age (a push that old is never retried); how many notifications went."""
    from .models import PushDelivery

    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _ = Notification.objects.filter(created_at__lt=cutoff).delete()
    PushDelivery.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- one-click unsubscribe (issue 19 D) ---------------------------------------------------------


def unsubscribe_resolve(*, token: str):
    """``(user, kind)`` of an unsubscribe link's token, or None (bad signature, unknown or
    deleted account)."""

    found = emails.unsubscribe_token_read(token)
    if found is None:
        return None
    user_id, kind = found
    try:
        user = User.objects.filter(pk=user_id).first()
    except (ValueError, TypeError, Exception):  # a signed but malformed id
        return None
    return (user, kind) if user is not None else None


def email_kind_label(kind: str) -> str:
    """What an unsubscribe link stops, in the active language."""
    from django.utils.translation import gettext as _

    return {
        "new_match": _("e-mails about new matches"),
        "new_message": _("e-mails about new messages"),
        "new_like": _("the daily e-mail about new likes"),
        "story_reply": _("e-mails about replies to your story"),
        "all": _("all notification e-mails (matches, messages, likes, story replies)"),
    }.get(kind, "")


def email_kind_unsubscribe(*, user, kind: str) -> None:
    """Turn off ``user``'s ``kind`` e-mail switch (``all``: every one), idempotently; a
    ``SELECT … FOR UPDATE`` keeps two clicks from losing another switch's change."""

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        switches = dict(locked.email_notifications or {})
        names = [k for k in emails.UNSUBSCRIBE_KINDS if k != "all"] if kind == "all" else [kind]
        for name in names:
            switches[name] = False
        locked.email_notifications = switches
        locked.save(update_fields=["email_notifications"])
