"""Real-time pushes to a user's WebSocket group (rules §9).

Services call :func:`push_to_user` (or :func:`push_to_users` for several events of one
action) inside their transaction; the events are sent only after the database commit, and a
channel-layer failure (Redis down) is logged, never raised: the data is already saved and the
next page load shows it. After a failure to reach Redis, pushes are skipped (and logged) for
``REDIS_RETRY_SECONDS`` instead of each waiting for its own connection error; the next push
after that tries again (issue 13 item 1).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from miel.breaker import UNREACHABLE, Breaker
from miel.page_cache import viewer_pages_changed

logger = logging.getLogger(__name__)

#: Open while the channel layer's Redis was just found unreachable.
layer_breaker = Breaker("channel layer")

#: The consumer handler name every pushed event goes through.
EVENT_HANDLER = "miel.event"
#: Longest a request waits for the channel layer before giving up on a push (seconds).
SEND_TIMEOUT = 5.0

_loop_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for channel-layer sends from sync code (a daemon thread).

    ``async_to_sync`` outside an ASGI server (gunicorn's WSGI threads, Celery workers) runs
    each call on a brand-new event loop, and channels_redis keeps its connection pool per
    loop: every push opened and closed new Redis connections (about 30 ms per message sent on
    a loaded 2-core machine, rules §16). One long-lived loop keeps one pool. Recreated after a
    fork (the thread does not survive it).
    """
    global _loop, _loop_pid
    with _loop_lock:
        if _loop is None or _loop_pid != os.getpid() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="miel-realtime", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def _run(layer, func, *args: Any) -> Any:
    """``await func(*args)`` for ``layer`` from sync code; its result. Raises TimeoutError
    after :data:`SEND_TIMEOUT` seconds (the send is then cancelled)."""
    from channels_redis.core import RedisChannelLayer

    if not isinstance(layer, RedisChannelLayer):
        # The in-memory layer's queues belong to the server's loop: reach it the standard way.
        return async_to_sync(func)(*args)
    future = asyncio.run_coroutine_threadsafe(func(*args), _sender_loop())
    try:
        return future.result(timeout=SEND_TIMEOUT)
    except TimeoutError:
        future.cancel()
        raise


def user_group(user_id: UUID | str) -> str:
    """Group name for one user's sockets, built only from the id (rules §9)."""
    return f"user.{UUID(str(user_id)).hex}"


async def _send_all(
    layer,
    items: list[tuple[UUID | str, dict[str, Any]]],
    exclude: tuple[UUID | str, str] | None = None,
) -> int:
    """One ``group_send`` per item, concurrently; returns how many failed (each is logged).
    ``exclude``: (user id, channel name) of a socket that has the event already (the sending
    socket's own answer): that user's event goes to their other sockets only, when the layer
    can leave a channel out (:class:`miel.channel_layers.BlockingPoolRedisChannelLayer`)."""

    def send(user_id, event):
        message = {"type": EVENT_HANDLER, "event": event}
        group = user_group(user_id)
        if exclude is not None and str(user_id) == str(exclude[0]) and _can_exclude(layer):
            return layer.group_send(group, message, exclude=exclude[1])
        return layer.group_send(group, message)

    results = await asyncio.gather(
        *(send(user_id, event) for user_id, event in items), return_exceptions=True
    )
    failed = 0
    for (user_id, _event), result in zip(items, results, strict=True):
        if isinstance(result, UNREACHABLE):
            failed += 1
            _unreachable(f"realtime push to {user_id}", result)
        elif isinstance(result, BaseException):
            failed += 1
            logger.warning("realtime push to %s failed", user_id, exc_info=result)
    return failed


def _unreachable(what: str, exc: BaseException) -> None:
    """Log ``what`` as skipped because the channel layer cannot be reached; open the breaker."""
    if layer_breaker.failed():
        logger.error("channel layer unreachable (%s): pushes are skipped for a while", exc)
    logger.warning("%s skipped: channel layer unreachable", what)


def send_many(items: Iterable[tuple[UUID | str, dict[str, Any]]]) -> bool:
    """Send each ``(user_id, event)`` to that user's sockets now, in one trip to the event loop
    (one ``group_send`` per user, run concurrently). ``event`` is JSON-able with a ``type``.

    Returns False when the channel layer is missing or any send failed (each failure is logged;
    the others are still delivered).
    """
    items = list(items)
    layer = get_channel_layer()
    if layer is None or not items:
        return layer is not None
    if _skipped_while_down(items):
        return False
    try:
        items = _with_sockets(layer, items)
        if not items:  # nobody has a socket open: nothing to send
            layer_breaker.succeeded()
            return True
        failed = _run(layer, _send_all, layer, items)
    except UNREACHABLE as exc:
        _unreachable(f"realtime push of {len(items)} event(s)", exc)
        return False
    except Exception:  # channel layer unusable: the events are best-effort by design
        logger.warning("realtime push failed", exc_info=True)
        return False
    if failed == 0:
        layer_breaker.succeeded()
    return failed == 0


def _skipped_while_down(items: list[tuple[UUID | str, dict[str, Any]]]) -> bool:
    """True, each push logged as skipped, while the breaker is open (the channel layer was just
    found unreachable); False otherwise."""
    if not layer_breaker.is_open:
        return False
    for user_id, _event in items:
        logger.warning("realtime push to %s skipped: channel layer down", user_id)
    return True


def _with_sockets(
    layer, items: list[tuple[UUID | str, dict[str, Any]]]
) -> list[tuple[UUID | str, dict[str, Any]]]:
    """The ``items`` whose user has a socket in their group now (issue 20: a push to a member
    with none open costs one round trip from this thread, not a ``group_send``); all of them
    when the layer cannot tell. Raises what the layer's Redis client raises when unreachable."""
    check = getattr(layer, "groups_with_members", None)
    if check is None:
        return items
    groups = {user_id: user_group(user_id) for user_id, _event in items}
    present = check(list(set(groups.values())))
    if present is None:
        return items
    return [(user_id, event) for user_id, event in items if groups[user_id] in present]


def has_socket(user_id: UUID | str) -> bool | None:
    """Whether ``user_id`` has a socket open now (their group has a channel, see
    :meth:`miel.channel_layers.BlockingPoolRedisChannelLayer.groups_with_members`): one round
    trip to the layer's Redis. None when it cannot tell (no such layer, a sentinel host,
    Redis unreachable: logged): callers then do what they would for a member online."""
    layer = get_channel_layer()
    check = getattr(layer, "groups_with_members", None)
    if check is None or layer_breaker.is_open:
        return None
    group = user_group(user_id)
    try:
        present = check([group])
    except UNREACHABLE as exc:
        _unreachable(f"socket check of {user_id}", exc)
        return None
    return None if present is None else group in present


def send_now(user_id: UUID | str, event: dict[str, Any]) -> bool:
    """Send ``event`` (JSON-able, with a ``type`` key) to ``user_id``'s sockets immediately.

    Returns False (and logs) when the channel layer is unreachable.
    """
    return send_many([(user_id, event)])


def _can_exclude(layer) -> bool:
    from miel.channel_layers import BlockingPoolRedisChannelLayer

    return isinstance(layer, BlockingPoolRedisChannelLayer)


#: The list :func:`pushes_collected` gathers pushes into, in this context (None: send them).
_collected: ContextVar[list[tuple[UUID | str, dict[str, Any]]] | None] = ContextVar(
    "miel_realtime_collected", default=None
)


@contextmanager
def pushes_collected() -> Iterator[list[tuple[UUID | str, dict[str, Any]]]]:
    """Within the block, :func:`push_now` (the pushes after commit) adds its items to the
    yielded list instead of sending them, for a caller on an event loop to send with
    :func:`asend_many` once the block's work is back there: the socket's chat send (issue 20),
    whose pushes then skip the trips from its pool thread to this process's sending loop.
    Kept pages are still renewed at once. Items are only ever added after a commit."""
    items: list[tuple[UUID | str, dict[str, Any]]] = []
    token = _collected.set(items)
    try:
        yield items
    finally:
        _collected.reset(token)


async def asend_many(
    items: list[tuple[UUID | str, dict[str, Any]]],
    *,
    exclude: tuple[UUID | str, str] | None = None,
) -> bool:
    """:func:`send_many` from code on the server's event loop: one concurrent ``group_send``
    per item on this loop's channel layer. ``exclude``: (user id, channel name) of the socket
    that has the event already; that user's copy goes to their other sockets only (none: no
    copy at all). Never raises: False (logged) when the layer is missing, down or a send
    failed, as for :func:`send_many`."""
    layer = get_channel_layer()
    if layer is None or not items:
        return layer is not None
    if _skipped_while_down(items):
        return False
    try:
        failed = await _send_all(layer, items, exclude)
    except Exception:
        logger.warning("realtime push failed", exc_info=True)
        return False
    if failed == 0:
        layer_breaker.succeeded()
    return failed == 0


def push_now(items: list[tuple[UUID | str, dict[str, Any]]]) -> bool:
    """Send each ``(user_id, event)`` now, as a push of a change to those members: their kept
    pages are renewed first (what is pushed to a member changed their pages, issue 20,
    :mod:`miel.page_cache`). What :func:`push_to_users` runs after commit; call it directly
    from code already running after commit. Returns what :func:`send_many` returns (True
    when the items were gathered by :func:`pushes_collected`)."""
    viewer_pages_changed(user_id for user_id, _event in items)
    collected = _collected.get()
    if collected is not None:
        collected.extend(items)
        return True
    # A single event goes through send_now (the seam tests replace to record pushes).
    if len(items) == 1:
        return send_now(*items[0])
    return send_many(items)


def push_to_users(items: Iterable[tuple[UUID | str, dict[str, Any]]]) -> None:
    """Queue ``(user_id, event)`` pairs to be sent together after commit: one callback, one
    trip to the event loop, one concurrent ``group_send`` per pair (rules §9, §16)."""
    items = list(items)
    if items:
        transaction.on_commit(lambda: push_now(items))


#: Channel-layer message (not forwarded to the browser) asking each socket of a user to re-check
#: its session; handled by ``RealtimeConsumer.session_check``.
SESSION_CHECK = "session.check"


def sessions_recheck(user_id: UUID | str, *, ended_session_key: str | None = None) -> None:
    """After commit, make every open socket of ``user_id`` re-check the session it was opened
    with and close (code 4401) when that session no longer signs the user in: logout, password
    change elsewhere, ban, deletion (rules §3, §9). ``ended_session_key``: a session being
    logged out right now (its socket closes without waiting for the store). Best-effort like
    every push: a channel-layer failure is logged."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        message = {"type": SESSION_CHECK, "ended": ended_session_key or ""}
        if layer_breaker.is_open:
            logger.warning("session re-check push to %s skipped: channel layer down", user_id)
            return
        try:
            _run(layer, layer.group_send, user_group(user_id), message)
        except UNREACHABLE as exc:
            _unreachable(f"session re-check push to {user_id}", exc)
        except Exception:
            logger.warning("session re-check push to %s failed", user_id, exc_info=True)

    transaction.on_commit(send)


def push_to_user(user_id: UUID | str, event_type: str, **payload: Any) -> None:
    """Queue ``{"type": event_type, **payload}`` for ``user_id``, sent after commit."""
    push_to_users([(user_id, {"type": event_type, **payload})])
