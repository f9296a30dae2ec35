"""The one authenticated WebSocket, ``/ws/`` (SPEC §9).

The socket only pushes: every write goes over HTTP through a service, which queues events with
:func:`miel.realtime.push_to_user` after commit. The consumer writes nothing but presence and
``last_active_at``. Client frames it understands:

- ``{"type": "typing", "to": "<user id>"}`` → ``typing`` event to that user (never to or from a
  blocked member). The event's sender is always the session's user, whatever the frame says.
- ``{"type": "ping"}`` (or ``heartbeat``) → refreshes ``last_active_at`` (throttled to once a
  minute) and answers ``{"type": "pong"}``.

On connect / last disconnect, ``presence`` (online / offline) goes to the user's mutual matches.
"""

from __future__ import annotations

import logging
import time
from uuid import UUID

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.cache import cache

from miel.realtime import user_group

logger = logging.getLogger(__name__)

#: Close code for refused (unauthenticated) sockets; the client stops reconnecting on it.
CLOSE_UNAUTHENTICATED = 4401
#: At most one typing event per recipient per this many seconds from one socket.
TYPING_MIN_INTERVAL = 1.0
#: How long a "may this user get my typing events" answer is cached per socket (seconds).
TYPING_PERMISSION_TTL = 30.0
#: Open sockets per user (for presence across tabs and servers); refreshed by heartbeats.
PRESENCE_TTL = 60 * 60 * 24


def _presence_key(user_id: UUID) -> str:
    return f"presence:{user_id.hex}"


@database_sync_to_async
def _touch_last_active(user) -> None:  # type: ignore[no-untyped-def]
    from accounts.services import user_touch_last_active

    user_touch_last_active(user=user)


@database_sync_to_async
def _match_user_ids(user_id: UUID) -> list[UUID]:
    """User ids of ``user_id``'s mutual matches (two Like rows), minus blocked ones."""
    from matching.models import Like
    from matching.selectors import blocked_user_ids

    liked = Like.objects.filter(source__user_id=user_id).values("target_id")
    ids = set(
        Like.objects.filter(target__user_id=user_id, source_id__in=liked).values_list(
            "source__user_id", flat=True
        )
    )
    return list(ids - blocked_user_ids(user_id=user_id))


@database_sync_to_async
def _may_receive_typing(user_id: UUID, other_id: UUID) -> bool:
    from matching.selectors import is_blocked_pair
    from profiles.models import Member

    if user_id == other_id:
        return False
    if not Member.objects.filter(user_id=other_id, user__profile_complete=True).exists():
        return False
    return not is_blocked_pair(user_id=user_id, other_id=other_id)


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    """One per browser tab. Joins ``user.<hex id>``; relays ``miel.event`` messages."""

    user_id: UUID | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept then close with 4401 so the browser sees why and stops retrying.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.user_id = user.pk
        self.typing_sent: dict[UUID, float] = {}
        self.typing_allowed: dict[UUID, tuple[bool, float]] = {}
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.accept()
        await _touch_last_active(user)
        if await self._presence_change(+1) == 1:
            await self._broadcast_presence("online")

    async def disconnect(self, code: int) -> None:
        if self.user_id is None:
            return
        try:
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)
        except Exception:  # layer down while closing: nothing to clean that will not expire
            logger.warning("group_discard failed for %s", self.user_id, exc_info=True)
        if await self._presence_change(-1) <= 0:
            await self._broadcast_presence("offline")

    async def receive_json(self, content, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.user_id is None or not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "typing":
            await self._typing(content.get("to"))
        elif kind in ("ping", "heartbeat"):
            await _touch_last_active(self.user)
            await self.send_json({"type": "pong"})

    async def miel_event(self, event: dict) -> None:
        """Handler of ``miel.event`` group messages: forward the event to the browser."""
        await self.send_json(event["event"])

    # --- helpers --------------------------------------------------------------------------

    async def _typing(self, to: object) -> None:
        try:
            other = UUID(str(to))
        except ValueError:
            return
        now = time.monotonic()
        if now - self.typing_sent.get(other, 0.0) < TYPING_MIN_INTERVAL:
            return
        allowed, checked = self.typing_allowed.get(other, (False, 0.0))
        if now - checked > TYPING_PERMISSION_TTL:
            allowed = await _may_receive_typing(self.user_id, other)
            self.typing_allowed[other] = (allowed, now)
        if not allowed:
            return
        self.typing_sent[other] = now
        # Built here from the session's user: a "from"/"sender" in the frame is ignored.
        await self.channel_layer.group_send(
            user_group(other),
            {"type": "miel.event", "event": {"type": "typing", "from": str(self.user_id)}},
        )

    async def _presence_change(self, delta: int) -> int:
        """Count of this user's open sockets after ``delta`` (shared cache: across servers)."""
        key = _presence_key(self.user_id)
        try:
            await cache.aadd(key, 0, PRESENCE_TTL)
            value = await cache.aincr(key, delta)
            if value < 0:
                await cache.aset(key, 0, PRESENCE_TTL)
            return value
        except Exception:  # cache down: treat every socket as the only one
            logger.warning("presence counter unavailable", exc_info=True)
            return 1 if delta > 0 else 0

    async def _broadcast_presence(self, status: str) -> None:
        try:
            ids = await _match_user_ids(self.user_id)
            event = {"type": "presence", "user": str(self.user_id), "status": status}
            for uid in ids:
                await self.channel_layer.group_send(
                    user_group(uid), {"type": "miel.event", "event": event}
                )
        except Exception:
            logger.warning("presence broadcast failed for %s", self.user_id, exc_info=True)
