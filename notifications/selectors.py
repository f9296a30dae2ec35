"""Reading the notification centre (issue 19)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from billing.services.entitlements import Feature, has_feature
from matching.selectors import blocked_user_ids

from .models import Notification

Kind = Notification.Kind

logger = logging.getLogger(__name__)


@dataclass
class NotificationItem:
    """One row as the list shows it. ``name`` is empty when the viewer may not see who."""

    id: UUID
    kind: str
    text: str
    name: str
    url: str
    created_at: object
    unread: bool


#: Seconds the bell's count is kept in the cache (services refresh it on every change).
UNREAD_CACHE_SECONDS = 300


def unread_cache_key(user_id: UUID | str) -> str:
    return f"notif-unread:{UUID(str(user_id)).hex}"


def unread_count(*, user_id: UUID | str) -> int:
    """How many of ``user_id``'s notifications are unread: one constant COUNT statement (run
    after every like, match and reply; the ORM's took more CPU to build than to run, issue
    20), on the ``notif_user_unread`` index."""
    from django.db import connections, router

    from miel.rawsql import db_uuid

    with connections[router.db_for_read(Notification)].cursor() as cursor:
        cursor.execute(_UNREAD_COUNT_SQL, [db_uuid(UUID(str(user_id)))])
        return int(cursor.fetchone()[0])


_UNREAD_COUNT_SQL = (
    "SELECT COUNT(*) FROM notifications_notification WHERE user_id = %s AND read_at IS NULL"
)


def unread_count_cached(*, user_id: UUID | str) -> int:
    """The bell's count on every page without a query per page: from the cache (kept current
    by :mod:`notifications.services` when a row is added or read, expiring after
    :data:`UNREAD_CACHE_SECONDS`), else :func:`unread_count` stored there. Cache errors fall
    back to the query."""
    from django.core.cache import cache

    key = unread_cache_key(user_id)
    try:
        value = cache.get(key)
    except Exception:
        value = None
    if isinstance(value, int):
        return value
    value = unread_count(user_id=user_id)
    try:
        cache.set(key, value, UNREAD_CACHE_SECONDS)
    except Exception:  # cache down: the next read counts again
        logger.warning("notification count not cached", exc_info=True)
    return value


def _may_see_actor(note: Notification, *, premium: dict[str, bool]) -> bool:
    """Likes and views name the other member only for recipients whose plan shows them (the
    rule of the Likes and Views pages, rules §6, §7); matches and story replies always do."""

    features: dict[str, Feature] = {
        Kind.LIKE: Feature.SEE_WHO_LIKED_ME,
        Kind.VIEW: Feature.SEE_WHO_VIEWED_ME,
    }
    feature = features.get(note.kind)
    if feature is None:
        return True
    if feature not in premium:
        premium[feature] = has_feature(note.user, feature)
    return premium[feature]


def _text(note: Notification, name: str) -> str:
    """The sentence for ``note`` as safe HTML: the member's name escaped and isolated in
    ``<bdi>`` (a Latin name in a Hebrew sentence must not turn the sentence around)."""
    html = _html(note, format_html("<bdi>{}</bdi>", name) if name else "")
    return mark_safe(html)  # noqa: S308 - translated text with the escaped name only


def _html(note: Notification, name: str) -> str:
    if note.kind == Kind.LIKE:
        return _("%(name)s liked you") % {"name": name} if name else _("Someone liked you")
    if note.kind == Kind.MATCH:
        return _("It's a match with %(name)s") % {"name": name}
    if note.kind == Kind.VIEW:
        if name:
            return _("%(name)s viewed your profile") % {"name": name}
        return _("Someone viewed your profile")
    if note.kind == Kind.STORY_REPLY:
        return _("%(name)s replied to your story") % {"name": name}
    role, _sep, action = note.detail.partition(":")
    if role == "reporter":
        if action == "dismiss":
            return _("We reviewed your report and took no action.")
        return _("We reviewed your report and acted on it. Thank you.")
    if action in ("lift",):
        return _("Your appeal was accepted: your account is active again.")
    if action in ("uphold",):
        return _("Your appeal was reviewed: the decision stands.")
    return _("A moderator acted on your account or content.")


def notification_item(
    note: Notification, *, premium: dict[str, bool] | None = None
) -> NotificationItem:
    """``note`` as the list shows it, in the active language."""
    premium = {} if premium is None else premium
    name = ""
    if note.actor_id and _may_see_actor(note, premium=premium):
        member = getattr(note.actor, "member", None)
        name = getattr(member, "name", "") or getattr(note.actor, "name", "")
    url = note.url
    if note.kind in (Kind.LIKE, Kind.VIEW) and not name:
        url = "/lists/?type=target" if note.kind == Kind.LIKE else "/views/"
    return NotificationItem(
        id=note.pk,
        kind=note.kind,
        text=_text(note, name),
        name=name,
        url=url,
        created_at=note.created_at,
        unread=note.read_at is None,
    )


def notification_list(*, user, limit: int = 100) -> list[NotificationItem]:
    """``user``'s latest notifications (at most ``limit``), newest first, leaving out those
    about members either side has blocked."""

    blocked = blocked_user_ids(user_id=user.pk)
    notes = (
        Notification.objects.filter(user=user)
        .exclude(actor_id__in=blocked)
        .select_related("user", "actor__member")
        .order_by("-created_at")[:limit]
    )
    premium: dict[str, bool] = {}
    return [notification_item(n, premium=premium) for n in notes]
