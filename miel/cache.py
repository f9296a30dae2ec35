"""The Redis cache that degrades instead of failing (issue 13 item 1).

Django's ``RedisCache`` raises on a connection error, and with the ``cached_db`` session engine
every signed-in request reads its session from the cache: a Redis outage answered 500 on every
page, and no message or like could be saved. :class:`DegradingRedisCache` keeps the site up:

- While Redis is unreachable, reads are misses (``get`` returns the default, ``get_many`` an
  empty dict, ``has_key`` False) and writes are skipped. ``add`` answers True and ``incr`` /
  ``decr`` answer ``delta`` as if the key were new, so limits kept in the cache let requests
  through rather than lock everyone out (fail open). Sessions therefore come from the database
  (``cached_db`` falls back to it on a miss) and are written to it as always.
- After a failure the cache is not tried again for ``retry_after`` seconds (OPTIONS, default
  5), so a Redis that hangs costs one socket timeout per process and window, not one per call.
  The next call after the window tries again: the cache recovers by itself.
- Writes and deletes skipped during the outage (a logout, a session key rotation, an
  invalidation) would leave stale entries behind if the same Redis comes back with its data.
  Every key therefore carries a cache *epoch* (``<prefix>:<epoch>:<version>:<key>``) kept in
  Redis under ``<prefix>:epoch``. A process that saw the cache fail bumps the epoch before it
  uses the cache again, which turns every older entry into a miss for all processes; the
  others re-read the epoch at most ``epoch_check_seconds`` (OPTIONS, default 1) after
  reading it last. The price is one cold cache after an outage.

The state (down until when, epoch, whether a failure was seen) is per process and per
location, shared by the per-thread cache instances Django creates.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

#: What counts as "Redis unreachable" (redis-py wraps socket errors in its ConnectionError).
UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

_MISSING = object()


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    down_until: float = 0.0  # time.monotonic() before which Redis is not tried
    failed: bool = False  # a call failed since the epoch was last bumped
    epoch: int | None = None
    epoch_read_at: float = 0.0


_states: dict[tuple[str, ...], _State] = {}
_states_lock = threading.Lock()


def _state_for(location: tuple[str, ...]) -> _State:
    with _states_lock:
        return _states.setdefault(location, _State())


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool.

    Django's client builds a new ``redis.Redis`` for every cache call, and redis-py's
    constructor copies its ~170 response callbacks each time: ~0.2 ms of CPU per call, three or
    four calls per signed-in request (the session, page versions, the bell's count) (issue 20;
    cProfile of like/pass). A ``redis.Redis`` over a pool holds no per-call state (each command
    borrows a connection from the pool), so one per pool serves every call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        """The ``redis.Redis`` of the pool Django would pick for ``key`` and ``write``."""
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def set_many(self, data: Mapping[Any, Any], timeout: Any) -> None:
        """Each key's ``SET`` with its expiry, in one round trip without MULTI/EXEC (Django's
        is MSET plus one EXPIRE per key inside a transaction: five commands for the one page
        version a like writes). ``set_many`` was never atomic in Django's contract; a
        ``timeout`` of 0 deletes, as ``set`` does."""
        client = self.get_client(None, write=True)
        if timeout == 0:
            client.delete(*data)
            return
        dumps = self._serializer.dumps  # type: ignore[attr-defined]
        if len(data) == 1:
            ((key, value),) = data.items()
            client.set(key, dumps(value), ex=timeout)
            return
        pipe = client.pipeline(transaction=False)
        for key, value in data.items():
            pipe.set(key, dumps(value), ex=timeout)
        pipe.execute()


class DegradingRedisCache(RedisCache):
    """``RedisCache`` whose calls degrade to misses / skipped writes while Redis is down.

    Extra OPTIONS (not passed to redis-py): ``retry_after`` (seconds between attempts while
    down, default 5) and ``epoch_check_seconds`` (how stale this process's copy of the epoch
    may be, default 1). The usual redis-py options (``socket_connect_timeout``,
    ``socket_timeout``) bound how long one attempt may hang.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        options = dict(self._options)
        self.retry_after = float(options.pop("retry_after", 5.0))
        self.epoch_check_seconds = float(options.pop("epoch_check_seconds", 1.0))
        self._options = options
        self._state = _state_for((*self._servers, self.key_prefix))
        self._epoch_key = f"{self.key_prefix}:epoch"

    # --- availability ---------------------------------------------------------------------
    @property
    def available(self) -> bool:
        """False while this process treats Redis as down (within ``retry_after`` of a failure)."""
        return time.monotonic() >= self._state.down_until

    def _sync_epoch(self) -> None:
        """Read the epoch when this process's copy is stale; bump it first after a failure."""
        state = self._state
        now = time.monotonic()
        if state.failed:
            client = self._cache.get_client(None, write=True)
            epoch = int(client.incr(self._epoch_key))
            with state.lock:
                state.epoch, state.epoch_read_at, state.failed = epoch, now, False
            logger.warning("Redis cache reachable again; cache epoch is now %s", epoch)
        elif state.epoch is None or now - state.epoch_read_at >= self.epoch_check_seconds:
            raw = self._cache.get_client(None).get(self._epoch_key)
            with state.lock:
                state.epoch, state.epoch_read_at = int(raw or 0), now

    def _guard(self, call, fallback: Any) -> Any:
        """``call()``'s result, or ``fallback`` when Redis is (or was just found) unreachable."""
        state = self._state
        if time.monotonic() < state.down_until:
            return fallback
        try:
            self._sync_epoch()
            return call()
        except UNAVAILABLE as exc:
            with state.lock:
                was_up = not state.failed
                state.failed = True
                state.down_until = time.monotonic() + self.retry_after
            if was_up:
                logger.warning(
                    "Redis cache unreachable (%s): reads are misses and writes are skipped;"
                    " retrying every %ss",
                    exc,
                    self.retry_after,
                )
            return fallback

    def make_key(self, key, version=None):
        """``<prefix>:<epoch>:<version>:<key>`` (the epoch read by the guarded call)."""
        epoch = self._state.epoch or 0
        prefix = f"{self.key_prefix}:{epoch}" if self.key_prefix else str(epoch)
        return self.key_func(key, prefix, self.version if version is None else version)

    # --- the cache API --------------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: RedisCache.add(self, key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return self._guard(lambda: RedisCache.get(self, key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guard(lambda: RedisCache.delete(self, key, version), False)

    def get_many(self, keys, version=None):
        return self._guard(lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key, version=None):
        return self._guard(lambda: RedisCache.has_key(self, key, version), False)

    def incr(self, key, delta=1, version=None):
        return self._guard(lambda: RedisCache.incr(self, key, delta, version), delta)

    def incr_expiring(
        self,
        key: str,
        delta: int,
        timeout: int,
        version=None,
        *,
        mark: tuple[str, int, int] | None = None,
        unmark: str | None = None,
    ) -> tuple[int, bool]:
        """``key`` + ``delta`` (a missing key counts as 0), kept ``timeout`` more seconds, and
        in the same round trip a flag key set (``mark``: (key, integer value, seconds)) or
        taken away (``unmark``): INCRBY, EXPIRE and SET or DEL pipelined, where ``add`` then ``incr`` took
        three (the presence counter and "gone" mark of every socket connect and close, rules
        §16). Returns (the new value, whether ``unmark`` was there to take). While Redis is
        down: (``delta``, False)."""

        def call() -> tuple[int, bool]:
            made = self.make_and_validate_key(key, version=version)
            client = self._cache.get_client(made, write=True)
            pipe = client.pipeline(transaction=False)
            pipe.incrby(made, delta)
            pipe.expire(made, timeout)
            if mark is not None:
                pipe.set(self.make_and_validate_key(mark[0], version=version), mark[1], ex=mark[2])
            if unmark is not None:
                pipe.delete(self.make_and_validate_key(unmark, version=version))
            results = pipe.execute()
            return int(results[0]), bool(unmark is not None and results[-1])

        return self._guard(call, (delta, False))

    def delete_each(self, keys: list[str], version=None) -> list[bool]:
        """DEL each of ``keys`` in one round trip (a pipeline); for each, whether it was there
        (``delete_many`` tells nothing per key). While Redis is down: all False."""

        def call() -> list[bool]:
            made = [self.make_and_validate_key(k, version=version) for k in keys]
            if not made:
                return []
            pipe = self._cache.get_client(made[0], write=True).pipeline(transaction=False)
            for key in made:
                pipe.delete(key)
            return [bool(n) for n in pipe.execute()]

        return self._guard(call, [False] * len(keys))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: RedisCache.set_many(self, data, timeout, version), list(data))

    def delete_many(self, keys, version=None):
        self._guard(lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self):
        return self._guard(lambda: RedisCache.clear(self), False)

    def ping(self, timeout: float | None = None) -> bool:
        """One ``PING`` now, ignoring the retry window; True when Redis answered (for /readyz).
        Never raises."""
        try:
            client = self._cache.get_client(None)
            return bool(client.ping())
        except UNAVAILABLE:
            return False
