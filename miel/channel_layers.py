"""The Redis channel layer with a *blocking* connection pool (SPEC §9, §16).

channels_redis builds a plain ``redis.asyncio.ConnectionPool``, which raises
``MaxConnectionsError`` the moment ``max_connections`` are in use: a burst of 1 000 sockets
(re)connecting at once then fails handshakes and message sends with a 500. The same pool made
blocking keeps the explicit limit (``REDIS_MAX_CONNECTIONS`` per server process) but makes a
burst wait its turn for up to ``pool_timeout`` seconds instead of failing.
"""

from __future__ import annotations

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index: int):  # type: ignore[no-untyped-def]
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinel setups keep channels_redis' own pool
            return super().create_pool(index)
        address = host.pop("address")
        timeout = host.pop("pool_timeout", 10)
        return BlockingConnectionPool.from_url(address, timeout=timeout, **host)
