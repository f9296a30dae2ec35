"""Django's PostgreSQL backend, whose connection pool checks a connection without a round trip
when nothing says it died (issue 20).

With ``CONN_HEALTH_CHECKS``, Django gives the psycopg pool ``ConnectionPool.check_connection``,
which sends an empty query to the server each time a connection is checked out: one network
round trip before every request's first query, and before every trip of a WebSocket consumer
to the database. It is there for issue 13 item 12 (after a PostgreSQL restart, the first
request works instead of getting a connection that died meanwhile).

:func:`check_connection` keeps that guarantee for less: a server that ends a connection
(restart, ``pg_terminate_backend``, an idle timeout, a proxy that drops it) sends its error
message and closes the socket, so the idle connection's socket becomes readable. An idle,
healthy connection has nothing to read. Only a readable (or already closed/broken) connection
is checked with the round trip, which replaces it when it is dead. A server that vanished
without closing anything (a cable cut) is caught by neither check before the query: the
round trip would wait just as the query does.

A middlebox with an idle timeout (a cloud NAT gateway, a load balancer) is different: it
forgets an idle connection without a word to either end, and answers its next packet with a
reset. Such a socket stays silent, yet the round trip fails at once (and the pool replaces the
connection) where the request's own query would fail. So a connection that sat unused for
more than :data:`IDLE_ROUND_TRIP_SECONDS` still gets the round trip: under load connections
come back within milliseconds and skip it; a quiet pool pays one round trip per idle
connection.
"""

from __future__ import annotations

import select
from time import monotonic
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base

#: A pooled connection last checked out longer ago than this (seconds) gets the round trip
#: whatever its socket says (middlebox idle timeouts are minutes: AWS NAT 350 s, Azure 4 min).
IDLE_ROUND_TRIP_SECONDS = 30.0


def check_connection(conn: Any) -> None:
    """Return quietly when the pooled connection ``conn`` (a psycopg ``Connection``) looks
    alive; raise (psycopg's error) when it is dead, so the pool replaces it.

    No round trip unless the socket has something to read (the server's goodbye) or psycopg
    already knows the connection is closed; then the pool's own check (an empty query)
    decides; also when it was last checked out over :data:`IDLE_ROUND_TRIP_SECONDS` ago (or
    its age is unknown). Otherwise costs one ``poll()`` system call, no network traffic."""
    from psycopg_pool import ConnectionPool

    now = monotonic()
    # The last check-out (this check's), else the pool's creation time of the connection.
    last = getattr(conn, "_miel_checked_at", None) or getattr(conn, "_created_at", None)
    conn._miel_checked_at = now
    recent = last is not None and now - last < IDLE_ROUND_TRIP_SECONDS
    if recent and not (conn.closed or conn.broken):
        try:
            poller = select.poll()
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
            if not poller.poll(0):
                return
        except (OSError, ValueError, AttributeError):
            pass  # no descriptor or no poll(): fall back to the round trip
    ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    """``django.db.backends.postgresql`` with :func:`check_connection` as the pool's check."""

    # Django's own (class attribute and method), unknown to django-stubs:
    _connection_pools: dict[str, Any]
    _configure_connection: Any

    @property
    def pool(self) -> Any:
        """The psycopg pool of this alias, as Django builds it (``OPTIONS["pool"]``), with
        :func:`check_connection` as its check when ``CONN_HEALTH_CHECKS`` is on."""
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not pool_options:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            if pool_options is True:
                pool_options = {}
            from psycopg_pool import ConnectionPool

            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True  # as Django: it sets autocommit later on
            checks = self.settings_dict["CONN_HEALTH_CHECKS"]
            pool = ConnectionPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,
                check=check_connection if checks else None,
                **pool_options,
            )
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]
