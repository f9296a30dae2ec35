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
"""

from __future__ import annotations

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
