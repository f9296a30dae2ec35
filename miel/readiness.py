"""What ``/readyz`` reports: whether each service this process uses answers now (issue 13
item 12).

Four checks, run side by side, each bounded by ``READYZ_TIMEOUT_SECONDS`` and all together by
that plus one second, so a service that hangs (rather than refusing) never hangs the probe:

- ``database``: ``SELECT 1`` through the psycopg pool when there is one (a checked-out
  connection is checked first, see ``DATABASES`` in settings), else a connection of its own;
- ``cache`` and ``channel_layer``: ``PING`` to their Redis on a connection of its own;
- ``broker``: ``PING`` to the Celery broker's Redis (a connection check for other brokers);
- ``replica``: each read replica (``DATABASE_REPLICA_URLS``, issue 21) on a connection of its
  own: in recovery, and how many seconds its replay is behind (``lag_s``, 0 when it has
  replayed all it received). Beyond ``REPLICA_MAX_LAG_SECONDS`` it is ``lagging``.

Each state is ``up``, ``down``, ``timeout`` or ``not used`` (the embedded default's in-process
cache, channel layer and eager Celery need no service). Only the checks named in
``READYZ_REQUIRED`` (default: the database) decide readiness: without Redis the site still
serves (README "When Redis is down"), and a load balancer that took every process out because
of it would turn a degraded site into no site.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

UP, DOWN, TIMEOUT, NOT_USED, LAGGING = "up", "down", "timeout", "not used", "lagging"
CHECK_NAMES = ("database", "cache", "channel_layer", "broker", "replica")

#: Extra facts a check reports beside its state (the replica lag), by check name.
_details: dict[str, dict[str, Any]] = {}


def _redis_ping(url: str, timeout: float) -> str:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=None
    )
    try:
        return UP if client.ping() else DOWN
    finally:
        client.close()


def check_database(timeout: float) -> str:
    """``SELECT 1`` on the default database; ``up`` or raises."""
    conn = connections[DEFAULT_DB_ALIAS]
    # Django's PostgreSQL wrapper has ``pool`` (None without DB_POOL); the base class does not.
    pool = getattr(conn, "pool", None) if conn.vendor == "postgresql" else None
    if pool is not None:
        pool.open()
        # A pooled connection that died in an outage fails once and the pool drops it; the
        # retry takes a fresh one, so /readyz is 200 as soon as the database is back.
        for attempt in (1, 2):
            try:
                with pool.connection(timeout=timeout) as pg:
                    pg.execute("SELECT 1")
                return UP
            except psycopg.OperationalError:
                if attempt == 2:
                    raise
        return UP
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        conn.close()  # this runs on a helper thread: leave no connection behind
    return UP


def check_cache(timeout: float) -> str:
    config = settings.CACHES["default"]
    if "redis" not in config["BACKEND"].lower():
        return NOT_USED
    location = config["LOCATION"]
    url = location[0] if isinstance(location, list | tuple) else location.split(",")[0]
    return _redis_ping(url, timeout)


def check_channel_layer(timeout: float) -> str:
    config = settings.CHANNEL_LAYERS.get("default", {})
    hosts = config.get("CONFIG", {}).get("hosts") or []
    if "redis" not in config.get("BACKEND", "").lower() or not hosts:
        return NOT_USED
    host = hosts[0]
    url = host.get("address") if isinstance(host, dict) else host
    if not isinstance(url, str):
        return NOT_USED  # sentinel / tuple setups: not checked here
    return _redis_ping(url, timeout)


def check_broker(timeout: float) -> str:
    from miel.celery import app

    url = app.conf.broker_url or ""
    if app.conf.task_always_eager or url.startswith("memory://"):
        return NOT_USED
    if urlsplit(url).scheme in ("redis", "rediss"):
        return _redis_ping(url, timeout)
    with app.connection_for_write(connect_timeout=timeout) as conn:
        # kombu takes seconds as a float here; its stubs say int.
        conn.ensure_connection(max_retries=1, timeout=timeout)  # type: ignore[arg-type]
    return UP


REPLICA_LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
       END
"""


def replica_lag(alias: str, timeout: float) -> tuple[bool, float]:
    """``(in_recovery, lag_seconds)`` of the replica database ``alias``, on a connection of
    its own (``connect_timeout`` and ``statement_timeout`` from ``timeout``). Raises
    ``psycopg.Error`` when it cannot be reached."""
    import math

    import psycopg

    config = settings.DATABASES[alias]
    with psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        dbname=config.get("NAME"),
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        connect_timeout=max(1, math.ceil(timeout)),
        options=f"-c statement_timeout={int(timeout * 1000)}",
        autocommit=True,
    ) as pg:
        row = pg.execute(REPLICA_LAG_SQL).fetchone()
    assert row is not None
    return bool(row[0]), float(row[1] or 0)


def check_replica(timeout: float) -> str:
    """Every replica answers and replays within ``REPLICA_MAX_LAG_SECONDS``: ``up``;
    ``lagging`` or ``down`` (one not in recovery is misconfigured); ``not used`` without
    replicas. The largest lag goes to the report as ``lag_s``."""
    aliases = list(getattr(settings, "DATABASE_REPLICAS", []))
    if not aliases:
        return NOT_USED
    max_lag = float(getattr(settings, "REPLICA_MAX_LAG_SECONDS", 30.0))
    worst = 0.0
    state = UP
    for alias in aliases:
        in_recovery, lag = replica_lag(alias, timeout)
        worst = max(worst, lag)
        if not in_recovery:
            state = DOWN
        elif lag > max_lag and state == UP:
            state = LAGGING
    _details["replica"] = {"lag_s": round(worst, 3)}
    return state


CHECKS: dict[str, Callable[[float], str]] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
    "replica": check_replica,
}


def readiness() -> tuple[bool, dict[str, Any]]:
    """Run every check now; ``(ready, report)``. ``ready`` is True when every check named in
    ``READYZ_REQUIRED`` is ``up`` (or ``not used``). ``report`` is JSON-able:
    ``{"status": "ready" | "not ready", "checks": {name: {"state", "required", "ms"}}}``.
    Never raises; returns within about ``READYZ_TIMEOUT_SECONDS`` + 1 s."""
    timeout = float(getattr(settings, "READYZ_TIMEOUT_SECONDS", 2.0))
    required = set(getattr(settings, "READYZ_REQUIRED", ["database"]))
    started = time.monotonic()
    results: dict[str, tuple[str, float]] = {}

    def run(name: str) -> None:
        begin = time.monotonic()
        try:
            state = CHECKS[name](timeout)
        except Exception as exc:
            logger.warning("readiness: %s is down (%s: %s)", name, type(exc).__name__, exc)
            state = DOWN
        results[name] = (state, time.monotonic() - begin)

    executor = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    try:
        wait([executor.submit(run, name) for name in CHECKS], timeout=timeout + 1)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    checks: dict[str, dict[str, Any]] = {}
    for name in CHECKS:
        state, seconds = results.get(name, (TIMEOUT, time.monotonic() - started))
        checks[name] = {
            "state": state,
            "required": name in required,
            "ms": round(seconds * 1000, 1),
        }
        if state in (UP, LAGGING):
            checks[name].update(_details.get(name, {}))
    ready = all(c["state"] in (UP, NOT_USED) for c in checks.values() if c["required"])
    return ready, {"status": "ready" if ready else "not ready", "checks": checks}
