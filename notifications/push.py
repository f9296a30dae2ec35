"""Web Push with VAPID (issue 19 C).

Services call :func:`push_queue` inside their transaction; after the commit a Celery task
(:func:`notifications.tasks.push_send`) claims the event once per member (``PushDelivery``),
writes the text in the recipient's language (no message text unless they allow previews) and
sends it, encrypted (aes128gcm), to each of their browsers' subscriptions with pywebpush. A
subscription the push service answers 404 / 410 for is deleted. Without VAPID keys
(:func:`push_enabled`) nothing is queued.

The deduplication rule: no push for a message when the recipient has that chat open (their
socket said so, :func:`chat_open_mark`).
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from billing.services.entitlements import Feature, has_feature
from matching.models import MatchNotification
from messaging.models import Message
from profiles.models import Member

from .models import PushDelivery, PushSettings, PushSubscription

logger = logging.getLogger(__name__)

#: Kinds a member can switch on / off, and the PushSettings field of each.
KIND_FIELDS = {
    "match": "new_match",
    "message": "new_message",
    "like": "new_like",
    "story_reply": "story_reply",
    "view": "profile_view",
}
#: The switches of the Settings form (PushSettings fields).
SWITCHES = ("new_match", "new_message", "new_like", "story_reply", "profile_view", "previews")
#: How long a push service keeps an undelivered push (seconds).
PUSH_TTL = 24 * 60 * 60
#: How long a socket's "this chat is open" mark lasts without a refresh (its heartbeat: 30 s).
CHAT_OPEN_TTL = 75
#: Longest a preview shows of a message (characters).
PREVIEW_CHARS = 120


def push_enabled() -> bool:
    """Whether Web Push is configured (both VAPID keys set)."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def push_settings_for(user_id: UUID | str) -> PushSettings:
    """The member's push switches (defaults, unsaved, when they never changed them)."""
    return PushSettings.objects.filter(user_id=user_id).first() or PushSettings(user_id=user_id)


# --- "this chat is open" marks, set by the member's sockets ----------------------------------


def _chat_key(user_id: UUID | str, other_id: UUID | str) -> str:
    return f"chat-open:{UUID(str(user_id)).hex}:{UUID(str(other_id)).hex}"


def chat_open_mark(*, user_id: UUID | str, other_id: UUID | str, channel: str) -> None:
    """Record that a socket (``channel``) of ``user_id`` shows the chat with ``other_id``, for
    :data:`CHAT_OPEN_TTL` seconds (refreshed by the socket's heartbeat). Cache errors are
    ignored: at worst a push is sent that was not needed."""
    try:
        cache.set(_chat_key(user_id, other_id), channel, CHAT_OPEN_TTL)
    except Exception:
        logger.warning("chat-open mark not stored", exc_info=True)


def chat_open_clear(*, user_id: UUID | str, other_id: UUID | str, channel: str) -> None:
    """Forget ``channel``'s mark (the socket closed or left the chat)."""
    try:
        key = _chat_key(user_id, other_id)
        if cache.get(key) == channel:
            cache.delete(key)
    except Exception:
        logger.warning("chat-open mark not cleared", exc_info=True)


def chat_is_open(*, user_id: UUID | str, other_id: UUID | str) -> bool:
    """Whether ``user_id`` has a socket showing the chat with ``other_id`` right now."""
    try:
        return cache.get(_chat_key(user_id, other_id)) is not None
    except Exception:
        return False


def push_will_send(*, user_id: UUID | str, kind: str) -> bool:
    """Whether a ``kind`` event for ``user_id`` goes out as a Web Push (push on, a browser
    subscribed, the kind switched on): then no e-mail is sent for it."""
    if not push_enabled() or kind not in KIND_FIELDS:
        return False
    if not PushSubscription.objects.filter(user_id=user_id).exists():
        return False
    return bool(getattr(push_settings_for(user_id), KIND_FIELDS[kind]))


# --- queueing and sending --------------------------------------------------------------------


def push_queue(
    *,
    user_id: UUID | str,
    kind: str,
    key: str,
    actor_id: UUID | str | None = None,
    message_id: UUID | str | None = None,
) -> None:
    """After commit, queue a ``kind`` push (match, message, like, story_reply) for ``user_id``
    about ``actor_id`` (and ``message_id`` for a message). ``key`` names the event: the task
    pushes it once. Nothing when push is off, the member has no subscription or switched the
    kind off. Broker failures are logged, never raised."""
    if not push_enabled() or kind not in KIND_FIELDS:
        return

    def queue() -> None:
        from .tasks import push_send

        if not PushSubscription.objects.filter(user_id=user_id).exists():
            return
        if not getattr(push_settings_for(user_id), KIND_FIELDS[kind]):
            return
        if kind == "view":  # premium only: no task for a free member's views
            user = User.objects.filter(pk=user_id).first()
            if user is None or not _premium_only(user, kind):
                return
        try:
            push_send.delay(
                str(user_id),
                kind,
                key,
                str(actor_id) if actor_id else None,
                str(message_id) if message_id else None,
            )
        except Exception:
            logger.warning("could not queue push %s for %s", key, user_id, exc_info=True)

    transaction.on_commit(queue)


def _name(user_id: str | None) -> str:

    if not user_id:
        return ""
    member = Member.objects.filter(user_id=user_id).only("name").first()
    return member.name if member else ""


def push_payload(
    *, user, kind: str, actor_id: str | None, message_id: str | None
) -> dict[str, Any] | None:
    """The JSON the service worker shows (title, body, url, tag, lang, dir), in ``user``'s
    language; None when there is nothing to say any more (the message is gone). A free
    member's like names nobody; message text only with previews on."""

    prefs = push_settings_for(user.pk)
    language = user.email_language
    with translation.override(language):
        name = _name(actor_id)
        url, body = "/notifications/", ""
        if kind == "match":
            body = _("It's a match with %(name)s!") % {"name": name}
            url = f"/members/{actor_id}/chat/"
        elif kind == "like":
            if has_feature(user, Feature.SEE_WHO_LIKED_ME) and name:
                body = _("%(name)s liked you") % {"name": name}
            else:
                body = _("Someone liked you")
            url = "/lists/?type=target"
        elif kind == "view":
            body = _("%(name)s viewed your profile") % {"name": name}
            url = "/views/"
        elif kind in ("message", "story_reply"):
            text = ""
            if message_id:
                message = Message.objects.filter(pk=message_id, recipient__user=user).first()
                if message is None and kind == "message":
                    return None
                text = message.text if message else ""
            if kind == "message":
                body = _("New message from %(name)s") % {"name": name}
            else:
                body = _("%(name)s replied to your story") % {"name": name}
            if prefs.previews and text:
                body = f"{body}: {text[:PREVIEW_CHARS]}"
            url = f"/members/{actor_id}/chat/"
        return {
            "title": "Miel",
            "body": body,
            "url": url,
            # One notification per chat on the lock screen; likes are not grouped by member
            # (the tag would name the liker to a free member).
            "tag": "like" if kind == "like" else f"{kind}:{actor_id or ''}",
            "lang": language,
            "dir": "rtl" if translation.get_language_bidi() else "ltr",
            "icon": "/static/img/icons/icon-192.png",
        }


def _audience(endpoint: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _premium_only(user, kind: str) -> bool:
    """Profile-view pushes are for members who may see who viewed them (premium)."""

    return kind != "view" or has_feature(user, Feature.SEE_WHO_VIEWED_ME)


def push_deliver(
    *, user_id: str, kind: str, key: str, actor_id: str | None, message_id: str | None
) -> int:
    """Send the ``key`` push to every subscription of ``user_id``, once (the ``PushDelivery``
    claim); returns how many push services accepted it. Skipped (0) when push is off, the
    member is inactive, the kind is switched off (a profile view: also when not premium), or
    — for a message — the member has that chat open on a socket. During the member's quiet
    hours or Shabbat mode it is held instead (:func:`notifications.quiet.hold_if_quiet`) and
    goes out later in one summary. A 404 / 410 answer deletes that subscription; other
    failures are logged."""

    from . import quiet

    if not push_enabled():
        return 0
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not getattr(push_settings_for(user.pk), KIND_FIELDS.get(kind, ""), False):
        return 0
    if not _premium_only(user, kind):
        return 0
    if kind == "message" and actor_id and chat_is_open(user_id=user.pk, other_id=actor_id):
        return 0
    if not PushSubscription.objects.filter(user=user).exists():
        return 0
    if quiet.hold_if_quiet(user_id=user.pk, channel="push", kind=kind, key=key):
        return 0
    try:
        with transaction.atomic():
            PushDelivery.objects.create(user=user, key=key[:80])
    except IntegrityError:
        return 0  # already pushed
    payload = push_payload(user=user, kind=kind, actor_id=actor_id, message_id=message_id)
    if payload is None:
        return 0
    return _send_to_subscriptions(user, payload)


def push_summary_deliver(*, user, counts: dict[str, int], key: str) -> int:
    """Send ``user`` ONE push summing up what was held during their quiet hours / Shabbat
    (``counts`` per kind), once per ``key``; opens the notification centre. How many push
    services accepted it (0: push off, no subscription, or sent already)."""
    from . import quiet

    if not push_enabled() or not PushSubscription.objects.filter(user=user).exists():
        return 0
    try:
        with transaction.atomic():
            PushDelivery.objects.create(user=user, key=key[:80])
    except IntegrityError:
        return 0
    with translation.override(user.email_language):
        payload = {
            "title": _("While you were away on Miel"),
            "body": ", ".join(quiet.summary_lines(counts)),
            "url": "/notifications/",
            "tag": "summary",
            "lang": user.email_language,
            "dir": "rtl" if translation.get_language_bidi() else "ltr",
            "icon": "/static/img/icons/icon-192.png",
        }
    return _send_to_subscriptions(user, payload)


def _send_to_subscriptions(user, payload: dict[str, Any]) -> int:
    from pywebpush import WebPushException, webpush

    data = json.dumps(payload, ensure_ascii=False)
    sent = 0
    for sub in PushSubscription.objects.filter(user=user):
        try:
            webpush(
                subscription_info={
                    "endpoint": sub.endpoint,
                    "keys": {"p256dh": sub.p256dh, "auth": sub.auth},
                },
                data=data,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT, "aud": _audience(sub.endpoint)},
                ttl=PUSH_TTL,
                timeout=10,
            )
            sent += 1
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                PushSubscription.objects.filter(pk=sub.pk).delete()
            else:
                logger.warning("push to %s failed: %s", sub.pk, exc)
        except Exception:
            logger.warning("push to %s failed", sub.pk, exc_info=True)
    return sent


# --- subscriptions -----------------------------------------------------------------------------


class BadSubscription(ValueError):
    """The browser sent a subscription we cannot use (the message says why)."""


def _b64url_len(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, TypeError):
        return -1


def subscription_save(*, user, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store (or move to ``user``) the subscription of one browser. Raises
    :class:`BadSubscription` for an endpoint that is not an https URL (http only with
    ``PUSH_ALLOW_HTTP_ENDPOINTS``) or keys of the wrong size (p256dh 65 bytes, auth 16)."""
    from urllib.parse import urlsplit

    endpoint = (endpoint or "").strip()
    parts = urlsplit(endpoint)
    schemes = ("https", "http") if settings.PUSH_ALLOW_HTTP_ENDPOINTS else ("https",)
    if len(endpoint) > 1000 or parts.scheme not in schemes or not parts.netloc:
        raise BadSubscription(_("This browser's push address is not valid."))
    if _b64url_len(p256dh or "") != 65 or _b64url_len(auth or "") != 16:
        raise BadSubscription(_("This browser's push keys are not valid."))
    sub, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return sub


def subscription_delete(*, user, endpoint: str) -> bool:
    """Delete ``user``'s subscription at ``endpoint`` (this browser turned push off)."""
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


def push_settings_save(*, user, **switches: bool) -> PushSettings:
    """Save ``user``'s per-kind switches and ``previews`` (names of :class:`PushSettings`)."""
    values = {k: bool(v) for k, v in switches.items() if k in SWITCHES}
    prefs, _ = PushSettings.objects.update_or_create(user=user, defaults=values)
    return prefs


def push_prompt_done(*, user) -> None:
    """Never show ``user`` the after-first-match "turn on notifications" card again."""
    PushSettings.objects.update_or_create(user=user, defaults={"prompt_done": True})


def push_prompt_due(*, user) -> bool:
    """Whether to offer ``user`` the "turn on notifications" card (issue 19): push is set up,
    they have had a match, no browser of theirs is subscribed and they never answered the
    card. No query when push is off; one otherwise."""
    if not push_enabled() or not getattr(user, "is_authenticated", False):
        return False
    from django.db.models import Exists, OuterRef

    return (
        MatchNotification.objects.filter(user=user)
        .exclude(Exists(PushSettings.objects.filter(user=OuterRef("user"), prompt_done=True)))
        .exclude(Exists(PushSubscription.objects.filter(user=OuterRef("user"))))
        .exists()
    )
