"""The Redis channel layer with a *blocking* connection pool and a socket timeout longer than
its blocking reads (rules §9, §16).

- channels_redis builds a plain ``redis.asyncio.ConnectionPool``, which raises
  ``MaxConnectionsError`` the moment ``max_connections`` are in use: a burst of 1 000 sockets
  (re)connecting at once then fails handshakes and message sends with a 500. The same pool made
  blocking keeps the explicit limit (``REDIS_MAX_CONNECTIONS`` per server process) but makes a
  burst wait its turn for up to ``pool_timeout`` seconds instead of failing.
- redis-py 8 gives every connection a 5 s ``socket_timeout`` by default, exactly the
  ``BZPOPMIN`` timeout channels_redis waits for messages with (``brpop_timeout``). Whenever a
  server process had no event for 5 s, the read could time out first: ``TimeoutError`` inside
  ``receive()`` killed the consumer that was reading and closed its user's socket, and events
  for that user were lost (channels_redis issue #422, redis-py issue #4091). The layer therefore
  sets ``socket_timeout`` to ``brpop_timeout`` + :data:`SOCKET_TIMEOUT_MARGIN` unless the host
  config says otherwise: still finite, so a dead Redis is noticed.
- :meth:`BlockingPoolRedisChannelLayer.groups_with_members` tells, from sync code and in one
  round trip per Redis host, which groups have a socket in them at all (issue 20). A push to a
  member with no socket open (most likes, most messages to someone away) then costs one
  ``EXISTS`` instead of the trip to the sending thread's event loop and ``group_send``'s two
  asynchronous round trips (~0.05 ms of CPU instead of ~0.22 ms). Exact, not a guess: Redis
  deletes a sorted set when its last member goes, so a group's key exists exactly while a
  channel is in it (or until its expiry, when ``group_send`` cleans it).
"""

from __future__ import annotations

import os
import threading

import redis
from channels_redis.core import RedisChannelLayer
from channels_redis.utils import create_pool
from redis.asyncio import BlockingConnectionPool

#: Seconds a socket read may wait beyond the layer's blocking-pop timeout.
SOCKET_TIMEOUT_MARGIN = 10


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index: int):
        host = dict(self.hosts[index])
        host.setdefault("socket_timeout", self.brpop_timeout + SOCKET_TIMEOUT_MARGIN)
        if "address" not in host:  # sentinel setups keep channels_redis' own pool
            return create_pool(host)
        address = host.pop("address")
        timeout = host.pop("pool_timeout", 10)
        return BlockingConnectionPool.from_url(address, timeout=timeout, **host)

    _sync_lock = threading.Lock()

    def _sync_client(self, index: int) -> redis.Redis | None:
        """A synchronous client of host ``index`` for this process (recreated after a fork), or
        None for a sentinel host (no plain address to reach)."""
        host = self.hosts[index]
        if "address" not in host:
            return None
        clients: dict = self.__dict__.setdefault("_sync_clients", {})
        key = (os.getpid(), index)
        with self._sync_lock:
            if key not in clients:
                clients[key] = redis.Redis.from_url(
                    host["address"],
                    socket_connect_timeout=host.get("socket_connect_timeout", 2),
                    socket_timeout=host.get("socket_timeout", 2),
                )
            return clients[key]

    def groups_with_members(self, groups: list[str]) -> set[str] | None:
        """Which of ``groups`` have at least one channel now: one pipelined ``EXISTS`` per
        group, one round trip per Redis host (see the module docstring). None when it cannot
        tell (a sentinel host): then every group is to be sent to. Raises redis'
        ConnectionError / TimeoutError when Redis cannot be reached."""
        by_host: dict[int, list[str]] = {}
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
            by_host.setdefault(self.consistent_hash(group), []).append(group)
        found: set[str] = set()
        for index, names in by_host.items():
            client = self._sync_client(index)
            if client is None:
                return None
            if len(names) == 1:  # the usual push: one member, no pipeline to build
                counts = [client.exists(self._group_key(names[0]))]
            else:
                pipe = client.pipeline(transaction=False)
                for name in names:
                    pipe.exists(self._group_key(name))
                counts = pipe.execute()
            found.update(name for name, n in zip(names, counts, strict=True) if n)
        return found
