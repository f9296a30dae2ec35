"""The one authenticated WebSocket, ``/ws/`` (rules §9).

Every write goes through a service, which queues events with :func:`miel.realtime.push_to_users`
after commit. Most writes come over HTTP; the one the socket takes itself is a chat message
(``chat.send``), the hottest write of the site (issue 20: 300 messages a second). Besides it the
consumer writes nothing but presence and ``last_active_at``. Client frames it understands:

- ``{"type": "chat.send", "to": "<user id>", "text": "...", "client_key": "<8-64 of
  [A-Za-z0-9_-]>"}`` → the chat send of :func:`messaging.services.message_send` (same rules,
  limits and idempotency key as the HTTP form) for the session's user. Answer:
  ``{"type": "chat.sent", "client_key": ..., "message": {...}}`` (the ``message.new`` shape), or
  ``{"type": "chat.failed", "client_key": ..., "code": "<code>"}`` with nothing stored (not a
  match, blocked, a limit, a nudge to confirm, bad text...). The page then posts the same form
  over HTTP with the same key, which shows the translated error or the "Are you sure?" prompt
  (``static/js/chat.js``); a message that was stored is never stored twice.

- ``{"type": "typing", "to": "<user id>"}`` → ``typing`` event to that user, only when the two
  may chat (:func:`messaging.selectors.can_message`: a mutual match, no block). The event's sender is always the session's user, whatever the frame says.
- ``{"type": "ping"}`` (or ``heartbeat``) → refreshes ``last_active_at`` (throttled to once a
  minute) and the open-chat mark, and answers ``{"type": "pong"}``.
- ``{"type": "chat.open", "with": "<user id>"}`` → this socket shows that chat: no Web Push
  for messages from that member meanwhile (issue 19 C, :mod:`notifications.push`).

A malformed frame (not JSON, over :data:`FRAME_MAX_BYTES`, nested deeper than 8, bad characters, not an object,
an unknown type, a typing frame without a valid user id) gets
``{"type": "error", "error": "<code>"}`` back and the socket stays open (issue 13 item 13).

On connect, ``presence`` "online" goes to the user's mutual matches that have a socket open;
"offline" goes to them ``PRESENCE_OFFLINE_GRACE_SECONDS`` after the user's last socket closed,
and neither is sent when a socket of the user's opens within that grace period (moving between
pages closes and opens the socket; so does a socket server restart).

Cost of a connect (issue 20: 5 000 sockets reconnecting within 15 s): one trip to a pool thread
(session, user in one statement, the presence counter in one Redis round trip; the matches are
read only when there is an "online" to announce; ``last_active_at`` written at most once a
minute), then ``group_add`` and one concurrent ``group_send`` per online match to notify. A
disconnect: the counter, ``group_discard``, and after the grace period one cache round trip
(the matches read only when "offline" is announced).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from importlib import import_module
from uuid import UUID

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from accounts.selectors import session_user
from miel.realtime import EVENT_HANDLER, asend_many, pushes_collected, user_group
from miel.text import BadJSON, json_loads_limited
from notifications.push import chat_open_clear, chat_open_mark
from profiles.models import Member
from profiles.services import LAST_ACTIVE_THROTTLE, user_touch_last_active

from . import services
from .models import MESSAGE_MAX_CHARS
from .selectors import chat_send_pair

logger = logging.getLogger(__name__)

#: Close code for refused (unauthenticated) sockets; the client stops reconnecting on it.
CLOSE_UNAUTHENTICATED = 4401
#: At most one typing event per recipient per this many seconds from one socket.
TYPING_MIN_INTERVAL = 1.0
#: How long a "may this user get my typing events" answer is cached per socket (seconds).
TYPING_PERMISSION_TTL = 30.0
#: Limits of a client frame (issue 13 item 13): the largest frame is a chat message of 2 000
#: characters; each takes up to 12 bytes once JSON-escaped (an emoji as two ``\\uXXXX``), plus
#: ~150 bytes of frame.
FRAME_MAX_BYTES = 12 * MESSAGE_MAX_CHARS + 1024
FRAME_MAX_DEPTH = 8
#: How long a socket's "the session still signs its user in" check holds for its writes
#: (``chat.send``), in seconds.
SESSION_RECHECK_SECONDS = 60.0
#: Open sockets per user (for presence across tabs and servers); refreshed by heartbeats.
PRESENCE_TTL = 60 * 60 * 24
#: How long the "gone" mark of a member whose last socket closed outlives the grace period
#: (``settings.PRESENCE_OFFLINE_GRACE_SECONDS``), in seconds: the mark is only read within it.
PRESENCE_GONE_MARGIN = 60


def _in_pool(func):
    """Run ``func`` (ORM / sync cache work) in the event loop's thread pool.

    ``database_sync_to_async`` defaults to ``thread_sensitive=True``: outside a request that
    means one thread per server process, so 1 000 sockets (re)connecting at once waited for
    each other's queries one by one (rules §16 reconnect target). These functions share no
    thread-bound state, so they may run side by side; each still closes its connection
    (returns it to the pool) when done.
    """
    return database_sync_to_async(func, thread_sensitive=False)


def _presence_key(user_id: UUID) -> str:
    return f"presence:{user_id.hex}"


def _gone_key(user_id: UUID) -> str:
    return f"presence-gone:{user_id.hex}"


def offline_grace_seconds() -> float:
    """``settings.PRESENCE_OFFLINE_GRACE_SECONDS``: how long after a member's last socket
    closes their matches are told "offline" (0: at once)."""
    return float(getattr(settings, "PRESENCE_OFFLINE_GRACE_SECONDS", 0) or 0)


def _presence_change(user_id: UUID, delta: int) -> tuple[int, bool]:
    """Count of ``user_id``'s open sockets after ``delta`` (shared cache: across servers), and
    whether the member's "gone" mark was there (``delta`` > 0: taken away, so a member back
    within the grace period is not announced again) or is now set (``delta`` < 0, when a grace
    period is on). One Redis round trip (:meth:`miel.cache.DegradingRedisCache.incr_expiring`).
    The mark is set on every close: while another socket is open it is never read (the count
    is above 0), and it expires ``PRESENCE_GONE_MARGIN`` s after the grace period. Its value
    is the close's time (ms since the epoch): only the last close's grace period counts."""
    key = _presence_key(user_id)
    grace = offline_grace_seconds()
    gone = _gone_key(user_id)
    mark = (
        (gone, int(time.time() * 1000), int(grace) + PRESENCE_GONE_MARGIN)
        if delta < 0 and grace > 0
        else None
    )
    unmark = gone if delta > 0 else None
    try:
        if hasattr(cache, "incr_expiring"):  # Redis (miel.cache): one round trip
            value, was_marked = cache.incr_expiring(
                key, delta, PRESENCE_TTL, mark=mark, unmark=unmark
            )
        else:
            cache.add(key, 0, PRESENCE_TTL)
            value = cache.incr(key, delta)
            was_marked = bool(unmark and cache.delete(unmark))
            if mark:
                cache.set(mark[0], mark[1], mark[2])
        if value < 0:
            cache.set(key, 0, PRESENCE_TTL)
        return value, was_marked
    except Exception:  # cache down: treat every socket as the only one
        logger.warning("presence counter unavailable", exc_info=True)
        return (1 if delta > 0 else 0), False


#: The user's mutual matches (by User id) with no block either way, in one constant statement:
#: likes to the user whose source the user liked back. Values go in as parameters.
_MATCH_USER_IDS_SQL = (
    "SELECT s.user_id FROM matching_like l"
    " JOIN profiles_member s ON s.id = l.source_id"
    " JOIN profiles_member t ON t.id = l.target_id"
    " WHERE t.user_id = %s"
    " AND EXISTS (SELECT 1 FROM matching_like r"
    " WHERE r.source_id = l.target_id AND r.target_id = l.source_id)"
    " AND s.user_id NOT IN (SELECT blocked_id FROM matching_block WHERE blocker_id = %s"
    " UNION ALL SELECT blocker_id FROM matching_block WHERE blocked_id = %s)"
)


def _match_user_ids(user_id: UUID) -> list[UUID]:
    """User ids of ``user_id``'s mutual matches with no block either way: one query.

    Raw SQL (the matches rule of :func:`matching.selectors.is_mutual_match` and the block rule,
    by User ids): building the equivalent ORM query cost more CPU than running it, on the
    connect path of every socket (rules §16 reconnect storm)."""
    uid = Member._meta.pk.get_db_prep_value(UUID(str(user_id)), connection)
    with connection.cursor() as cursor:
        cursor.execute(_MATCH_USER_IDS_SQL, [uid, uid, uid])
        return [UUID(str(row[0])) for row in cursor.fetchall()]


def _online(user_ids: list[UUID]) -> list[UUID]:
    """Those of ``user_ids`` with a socket open somewhere (presence counter above 0): one cache
    read, no query. Matches without a socket have nobody to tell, and each group_send costs
    Redis round trips on the socket server's event loop. If the cache is down, all of them."""
    if not user_ids:
        return []
    try:
        counts = cache.get_many([_presence_key(i) for i in user_ids])
    except Exception:
        logger.warning("presence counters unavailable", exc_info=True)
        return list(user_ids)
    return [i for i in user_ids if (counts.get(_presence_key(i)) or 0) > 0]


def _touch_due(user) -> bool:
    """Whether ``user_touch_last_active`` would write (it throttles to once a minute)."""

    last = user.last_active_at
    return last is None or timezone.now() - last >= LAST_ACTIVE_THROTTLE


@dataclass
class _Opened:
    user: object | None  # None: not authenticated
    notify: list[UUID] = field(default_factory=list)  # online matches to tell "online"


@_in_pool
def _socket_open(scope: dict) -> _Opened:
    """Everything a new socket needs from the database and cache, in one trip to a thread:
    the session's user (unless a middleware already put one in the scope), ``last_active_at``
    (written at most once a minute), the presence counter, and the online matches to tell
    "online" when this is the user's first open socket and they were not back within the grace
    period. Only then are the matches read: a page load, a second tab or a reconnect storm
    costs one statement (the account) per socket."""

    user = scope.get("user")
    if user is None and "session" in scope:
        user = session_user(scope["session"])
    if user is None or not user.is_authenticated:
        return _Opened(None)
    if _touch_due(user):
        with transaction.atomic():  # its two UPDATEs, one commit
            user_touch_last_active(user=user)
    count, came_back = _presence_change(user.pk, +1)
    # Back within the grace period (a page load, a server restart): the matches were never
    # told "offline", so nothing to announce.
    if count != 1 or came_back:
        return _Opened(user)
    return _Opened(user, _online(_match_user_ids(user.pk)))


@_in_pool
def _socket_closed(user_id: UUID) -> tuple[bool, list[UUID]]:
    """Presence counter -1. Returns (last socket, matches to tell "offline" now): with no grace
    period, the online matches (one query) when it was the last socket; with one, nobody yet
    (:class:`_OfflineAnnouncer` decides later), so closes cost the database nothing."""
    count, _marked = _presence_change(user_id, -1)
    if count > 0:
        return False, []
    if offline_grace_seconds() > 0:
        return True, []
    return True, _online(_match_user_ids(user_id))


@_in_pool
def _still_gone(user_ids: list[UUID]) -> dict[UUID, list[UUID]]:
    """After their grace period, of ``user_ids``: each member to announce "offline", with the
    online matches to tell (read now, one query each). A member is announced when they have
    still no socket open, their last close is a whole grace period ago (a later close's own
    wait announces it otherwise) and nobody announced it yet (the "gone" mark is taken, so of
    several closes within one grace period, on any server, only one announces). One cache
    round trip for all of them (a reconnect storm: nobody gone, nothing more), one more to
    take the marks of those gone. Cache down: nobody."""
    keys = {u: (_gone_key(u), _presence_key(u)) for u in user_ids}
    try:
        found = cache.get_many([k for pair in keys.values() for k in pair])
        now_ms = time.time() * 1000
        grace_ms = offline_grace_seconds() * 1000 - 50
        gone = [
            u
            for u, (mark, counter) in keys.items()
            if found.get(mark) is not None
            and (found.get(counter) or 0) <= 0
            and now_ms - int(found[mark]) >= grace_ms
        ]
        marks = [keys[u][0] for u in gone]
        if hasattr(cache, "delete_each"):  # Redis (miel.cache): one round trip
            taken = cache.delete_each(marks)
        else:
            taken = [cache.delete(mark) for mark in marks]
    except Exception:
        logger.warning("presence counter unavailable", exc_info=True)
        return {}
    return {u: _online(_match_user_ids(u)) for u, ok in zip(gone, taken, strict=True) if ok}


class _OfflineAnnouncer:
    """This process's delayed "offline" announcements (rules §9 presence, issue 20): each
    member whose last socket here closed is due ``grace`` seconds later (a later close here
    pushes it back); a single task wakes every :data:`ANNOUNCE_TICK` (at most a quarter of the
    grace period) and checks every member due in one trip to a pool thread
    (:func:`_still_gone`), where one task per close made 5 000 trips after a reconnect storm."""

    def __init__(self) -> None:
        self.due: dict[UUID, float] = {}
        self.task: asyncio.Task | None = None

    def schedule(self, user_id: UUID, grace: float) -> None:
        loop = asyncio.get_running_loop()
        self.due[user_id] = loop.time() + grace
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._run(min(ANNOUNCE_TICK, grace / 4)))

    async def _run(self, tick: float) -> None:
        loop = asyncio.get_running_loop()
        while self.due:
            await asyncio.sleep(tick)
            now = loop.time()
            ready = [u for u, at in self.due.items() if at <= now]
            if not ready:
                continue
            for user_id in ready:
                del self.due[user_id]
            try:
                announce = await _still_gone(ready)
                for user_id, notify in announce.items():
                    await _broadcast(user_id, "offline", notify)
            except Exception:  # never let one bad round stop the announcements
                logger.warning("offline announcements failed", exc_info=True)


#: Seconds between the announcer's checks (a quarter of the grace period when shorter).
ANNOUNCE_TICK = 0.5
#: The announcer of each running event loop (a server has one; the test suite one per test).
_announcers: dict[int, tuple[asyncio.AbstractEventLoop, _OfflineAnnouncer]] = {}


def _announcer() -> _OfflineAnnouncer:
    """The running event loop's :class:`_OfflineAnnouncer` (those of closed loops dropped)."""
    loop = asyncio.get_running_loop()
    for key, (other, _a) in list(_announcers.items()):
        if other.is_closed():
            del _announcers[key]
    if id(loop) not in _announcers or _announcers[id(loop)][0] is not loop:
        _announcers[id(loop)] = (loop, _OfflineAnnouncer())
    return _announcers[id(loop)][1]


@_in_pool
def _touch_last_active(user) -> None:

    with transaction.atomic():  # its two UPDATEs, one commit
        user_touch_last_active(user=user)


@_in_pool
def _chat_open_mark(user_id: UUID, other_id: UUID, channel: str) -> None:

    chat_open_mark(user_id=user_id, other_id=other_id, channel=channel)


@_in_pool
def _chat_open_clear(user_id: UUID, other_id: UUID, channel: str) -> None:

    chat_open_clear(user_id=user_id, other_id=other_id, channel=channel)


def _chat_failed(key: object, code: str) -> dict:
    return {
        "type": "chat.failed",
        "client_key": key if isinstance(key, str) else None,
        "code": code,
    }


@_in_pool
def _chat_send(user, frame: dict) -> tuple[dict, list]:
    """:func:`_chat_send_answer` with the send's pushes after commit gathered rather than sent
    (:func:`miel.realtime.pushes_collected`): returns (the answer frame, the pushes), which the
    consumer sends from its event loop."""
    with pushes_collected() as pushes:
        answer = _chat_send_answer(user, frame)
    return answer, pushes


def _chat_send_answer(user, frame: dict) -> dict:
    """A ``chat.send`` frame from ``user``'s socket: the chat send of the HTTP form
    (:func:`messaging.selectors.chat_send_pair` then :func:`messaging.services.message_send`
    with ``ask_first``), so the same rules, limits, nudges and idempotency key apply. Returns
    the answer frame: ``chat.sent`` with the ``message.new`` payload, or ``chat.failed`` with a
    code and nothing stored: ``bad_frame`` (no text or no valid ``client_key``),
    ``unavailable`` (unknown, incomplete, inactive or blocked recipient, or the sender), the
    service's codes (``not_match``, ``rate_limited``, ``empty``, ``too_long``,
    ``bad_characters``, ``client_key_reused``...), ``nudge`` (confirm first) or ``error`` (an
    unexpected failure, logged). Events after commit are the service's, as for HTTP."""
    text, key = frame.get("text"), frame.get("client_key")
    if not isinstance(text, str) or not isinstance(key, str):
        return _chat_failed(key, "bad_frame")
    try:
        sender, recipient = chat_send_pair(user=user, other_id=str(frame.get("to")))
        message = services.message_send(
            sender=sender,
            recipient=recipient,
            text=text,
            client_key=key,
            ask_first=True,
            chat_rule=getattr(recipient, "may_message", None),  # read with the pair
        )
    except Http404:
        return _chat_failed(key, "unavailable")
    except services.NudgeNeeded:
        return _chat_failed(key, "nudge")
    except ValidationError as exc:  # MessageRefused and MessageLimited included
        return _chat_failed(key, exc.code or "invalid")
    except Exception:  # the database down...: the page falls back to HTTP, which says why
        logger.warning("chat.send failed for %s", user.pk, exc_info=True)
        return _chat_failed(key, "error")
    return {
        "type": "chat.sent",
        "client_key": key,
        "message": services.message_event_payload(message),
    }


@_in_pool
def _may_receive_typing(user_id: UUID, other_id: UUID) -> bool:
    """Typing events only go to the other side of an open chat (issue 13 item 13, issue 16):
    the chat rule :func:`messaging.selectors.can_message` (a mutual match, no block) and an
    active, complete recipient."""

    from .selectors import can_message

    if user_id == other_id:
        return False
    if not Member.objects.filter(
        user_id=other_id, user__profile_complete=True, user__is_active=True
    ).exists():
        return False
    return can_message(sender_id=user_id, recipient_id=other_id)


@_in_pool
def _session_still_signs_in(scope: dict, user_id: UUID) -> bool:
    """True while the socket's session, read afresh from the store, still signs ``user_id`` in:
    it exists, names that user, the user is active and its password hash is current (channels'
    own session -> user check, on a new session object rather than the socket's cached one)."""
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if not key:
        return False
    fresh = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = session_user(fresh)
    return bool(user is not None and user.pk == user_id)


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    """One per browser tab. Joins ``user.<hex id>``; relays ``miel.event`` messages."""

    user_id: UUID | None = None
    #: The member whose chat this socket shows (``chat.open`` frame), for push deduplication.
    open_chat: UUID | None = None

    async def dispatch(self, message: dict) -> None:
        """channels' dispatch without its ``aclose_old_connections()`` before every handler.

        That call is a trip to the process's single thread-sensitive thread for every frame
        and every event (1 000 handshakes queued behind each other there), to close database
        connections of that thread, which this consumer never opens: its database work runs
        in pool threads (``_in_pool``) that close their own connection after each call.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        opened = await _socket_open(self.scope)
        if opened.user is None:
            # Accept then close with 4401 so the browser sees why and stops retrying.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            # End the consumer now: returning would leave its task waiting for a disconnect
            # that a refused socket never sends (uvicorn then never finished shutting down).
            raise StopConsumer
        user = opened.user
        self.user = user
        self.user_id = user.pk  # from here on disconnect() undoes the presence count
        self.typing_sent: dict[UUID, float] = {}
        self.typing_allowed: dict[UUID, tuple[bool, float]] = {}
        # The session was read at connect: the first minute of writes needs no re-check.
        self.session_checked_at = time.monotonic()
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.accept()
        await _broadcast(user.pk, "online", opened.notify)

    async def disconnect(self, code: int) -> None:
        if self.user_id is None:
            return
        if self.open_chat is not None:
            await _chat_open_clear(self.user_id, self.open_chat, self.channel_name)
        try:
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)
        except Exception:  # layer down while closing: nothing to clean that will not expire
            logger.warning("group_discard failed for %s", self.user_id, exc_info=True)
        await self._went_offline(self.user_id)

    async def websocket_disconnect(self, message: dict) -> None:
        """channels' handler without its ``aclose_old_connections()`` (a trip to the process's
        single thread-sensitive thread per close; see :meth:`dispatch`)."""
        await self.disconnect(message["code"])
        raise StopConsumer

    async def _went_offline(self, user_id: UUID) -> None:
        """This socket of ``user_id`` closed (or its session ended): if it was the last one,
        "offline" to the online matches, at once or after the grace period."""
        last, notify = await _socket_closed(user_id)
        if not last:
            return
        grace = offline_grace_seconds()
        if grace <= 0:
            await _broadcast(user_id, "offline", notify)
            return
        _announcer().schedule(user_id, grace)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """Decode a client frame with limits (size, depth, characters): a bad one gets an
        error frame instead of an exception that would close the socket."""
        if self.user_id is None:
            return
        raw = text_data if text_data is not None else bytes_data
        try:
            content = json_loads_limited(
                raw or "", max_bytes=FRAME_MAX_BYTES, max_depth=FRAME_MAX_DEPTH
            )
        except BadJSON:
            await self._error("bad_frame")
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs) -> None:
        if self.user_id is None:
            return
        if not isinstance(content, dict):
            await self._error("bad_frame")
            return
        kind = content.get("type")
        if kind == "typing":
            await self._typing(content.get("to"))
        elif kind in ("ping", "heartbeat"):
            if _touch_due(self.user):  # throttled: most heartbeats need no thread at all
                await _touch_last_active(self.user)
            if self.open_chat is not None:
                await _chat_open_mark(self.user_id, self.open_chat, self.channel_name)
            await self.send_json({"type": "pong"})
        elif kind == "chat.open":
            await self._chat_open(content.get("with"))
        elif kind == "chat.send":
            await self._chat_send(content)
        else:
            await self._error("unknown_type")

    async def _chat_send(self, frame: dict) -> None:
        """A ``chat.send`` frame. Writes need a session that still signs the user in: it is
        read afresh at most once a minute per socket (a logout, password change or ban
        elsewhere also closes the socket at once through ``session.check``, unless Redis
        was down then); a session that no longer does closes the socket with 4401."""
        user_id = self.user_id
        if user_id is None:
            return
        now = time.monotonic()
        if now - self.session_checked_at > SESSION_RECHECK_SECONDS:
            if not await _session_still_signs_in(self.scope, user_id):
                await self.send_json(_chat_failed(frame.get("client_key"), "unauthenticated"))
                await self._end_revoked(user_id)
                return
            self.session_checked_at = now
        answer, pushes = await _chat_send(self.user, frame)
        if pushes:
            # The sender's copy of message.new goes to their other sockets only: this one
            # gets the message in its answer (issue 20: one delivery less per message).
            await asend_many(pushes, exclude=(user_id, self.channel_name))
        await self.send_json(answer)

    async def _error(self, code: str) -> None:
        await self.send_json({"type": "error", "error": code})

    async def _chat_open(self, other: object) -> None:
        """``{"type": "chat.open", "with": "<user id>"}`` from a chat page: while this socket
        shows that chat, messages from that member are not also pushed (issue 19 C). ``with``
        empty or invalid: no chat open any more."""
        if self.open_chat is not None:
            await _chat_open_clear(self.user_id, self.open_chat, self.channel_name)
            self.open_chat = None
        try:
            self.open_chat = UUID(str(other))
        except ValueError:
            return
        await _chat_open_mark(self.user_id, self.open_chat, self.channel_name)

    async def miel_event(self, event: dict) -> None:
        """Handler of ``miel.event`` group messages: forward the event to the browser."""
        if self.user_id is not None:  # None once the session was revoked
            payload = event["event"]
            if payload.get("type") == "chat.closed":  # an unmatch or a block: no typing
                with contextlib.suppress(ValueError):
                    self.typing_allowed.pop(UUID(str(payload.get("with_user_id"))), None)
            await self.send_json(payload)

    async def session_check(self, event: dict) -> None:
        """Handler of ``session.check`` (``miel.realtime.sessions_recheck``: logout, password
        change, ban, deletion): close with 4401 when this socket's session was ended or no
        longer signs its user in, so a revoked session stops receiving events at once."""
        if self.user_id is None:
            return
        session_key = getattr(self.scope.get("session"), "session_key", None)
        ended = bool(event.get("ended")) and event.get("ended") == session_key
        if ended or not await _session_still_signs_in(self.scope, self.user_id):
            await self._end_revoked(self.user_id)

    async def _end_revoked(self, user_id: UUID) -> None:
        """The socket's session no longer signs ``user_id`` in: stop relaying events now, leave
        the user's group, tell the matches "offline" if it was the last socket, close 4401."""
        self.user_id = None
        await self.channel_layer.group_discard(user_group(user_id), self.channel_name)
        await self._went_offline(user_id)
        await self.close(code=CLOSE_UNAUTHENTICATED)

    # --- helpers --------------------------------------------------------------------------

    async def _typing(self, to: object) -> None:
        try:
            other = UUID(str(to))
        except ValueError:
            await self._error("bad_frame")
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
            {"type": EVENT_HANDLER, "event": {"type": "typing", "from": str(self.user_id)}},
        )


async def _broadcast(user_id: UUID, status: str, user_ids: list[UUID]) -> None:
    """``presence`` (``status``: online / offline) of ``user_id`` to each of ``user_ids`` (their
    online matches), one group_send each; a failure is logged, not raised."""
    if not user_ids:
        return
    layer = get_channel_layer()
    event = {"type": "presence", "user": str(user_id), "status": status}
    results = await asyncio.gather(
        *(
            layer.group_send(user_group(uid), {"type": EVENT_HANDLER, "event": event})
            for uid in user_ids
        ),
        return_exceptions=True,
    )
    if any(isinstance(r, BaseException) for r in results):
        logger.warning("presence broadcast failed for %s", user_id)
