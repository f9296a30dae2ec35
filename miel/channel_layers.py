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
- :meth:`BlockingPoolRedisChannelLayer.group_send` is channels_redis' in two round trips
  instead of four (issue 20: two group sends per chat message): the group's expiry clean-up
  and member list in one pipeline, each channel's expiry clean-up inside the Lua script that
  stores the message (channels_redis sends them as a MULTI/EXEC pipeline before it).
"""

from __future__ import annotations

import logging
import os
import threading
import time

import redis
from channels_redis.core import RedisChannelLayer
from channels_redis.utils import create_pool
from redis.asyncio import BlockingConnectionPool

logger = logging.getLogger(__name__)

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

    #: channels_redis' group-send script with its per-channel expiry clean-up moved in:
    #: KEYS are the channels' keys; ARGV the message for each, the capacity of each, then the
    #: time, the expiry (seconds) and the clean-up's cutoff time. Returns how many channels
    #: were over capacity (their message dropped, as channels_redis does).
    GROUP_SEND_LUA = """
        local over_capacity = 0
        local n = #KEYS
        local current_time = ARGV[2 * n + 1]
        local expiry = ARGV[2 * n + 2]
        local cutoff = ARGV[2 * n + 3]
        for i = 1, n do
            redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, cutoff)
            if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + n]) then
                redis.call('ZADD', KEYS[i], current_time, ARGV[i])
                redis.call('EXPIRE', KEYS[i], expiry)
            else
                over_capacity = over_capacity + 1
            end
        end
        return over_capacity
    """

    async def group_send(self, group: str, message: dict, *, exclude: str | None = None) -> None:
        """Send ``message`` to every channel of ``group``, as channels_redis does (the same
        keys, messages, capacity and expiry rules), in two round trips to Redis: one pipeline
        for the group's clean-up and members, one script per Redis host holding channels.
        ``exclude``: a channel not to send to (a socket that has the message already); when it
        is the only member, the second round trip is not made."""
        assert self.require_valid_group_name(group), "Group name not valid"
        key = self._group_key(group)
        async with self.connection(self.consistent_hash(group)).pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
            pipe.zrange(key, 0, -1)
            _removed, members = await pipe.execute()
        channel_names = [member.decode("utf8") for member in members]
        if exclude is not None:
            channel_names = [name for name in channel_names if name != exclude]
        if not channel_names:
            return
        by_connection, messages, capacities = self._map_channel_keys_to_connection(
            channel_names, message
        )
        for index, keys in by_connection.items():
            now = time.time()
            args = [messages[k] for k in keys] + [capacities[k] for k in keys]
            args += [now, self.expiry, int(now) - int(self.expiry)]
            over = await self.connection(index).eval(self.GROUP_SEND_LUA, len(keys), *keys, *args)
            if over > 0:
                logger.info(
                    "%s of %s channels over capacity in group %s", over, len(channel_names), group
                )

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
