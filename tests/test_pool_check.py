"""The PostgreSQL pool's check without a round trip (issue 20, ``miel/postgresql/base.py``).

A connection checked out of the pool is checked with an empty query only when its socket says
the server closed it; the end-to-end case (every pooled connection killed, the next request
still works) is ``tests/test_database_outage.py``.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from miel.postgresql.base import check_connection
from tests.conftest import is_postgresql, require_service


@pytest.fixture
def raw_connection(db):
    require_service(is_postgresql(), "needs DATABASE_URL pointing at PostgreSQL")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    conn = psycopg.connect(**params, autocommit=True)
    yield conn
    conn.close()


@pytest.fixture
def round_trips(monkeypatch):
    """How many times the pool's own check (the empty query) ran."""
    calls: list = []
    original = ConnectionPool.check_connection

    def counting(conn):
        calls.append(conn)
        return original(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counting))
    return calls


def test_a_healthy_idle_connection_passes_without_a_query(raw_connection, round_trips):
    raw_connection.execute("SELECT 1")
    check_connection(raw_connection)  # a connection of unknown age gets the round trip
    del round_trips[:]
    for _ in range(3):
        check_connection(raw_connection)
    assert round_trips == []
    assert raw_connection.execute("SELECT 2").fetchone() == (2,)


def test_a_connection_the_server_ended_fails_the_check(raw_connection, round_trips):
    pid = raw_connection.info.backend_pid
    with connection.cursor() as cursor:  # another session ends it, as a restart would
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    with pytest.raises(psycopg.OperationalError):  # noqa: PT012 (the goodbye may take a moment)
        while time.monotonic() < deadline:
            check_connection(raw_connection)
            time.sleep(0.05)
    assert round_trips  # the socket said "closed": the real check ran, and failed


def test_a_closed_connection_fails_the_check(raw_connection):
    raw_connection.close()
    with pytest.raises(psycopg.OperationalError):
        check_connection(raw_connection)


def test_production_pools_use_the_backend_with_this_check():
    """DB_POOL on PostgreSQL selects ``miel.postgresql`` (Django's backend + this check); the
    settings are read in a fresh interpreter, as a server starts."""
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        "DB_POOL": "true",
        "DJANGO_DEBUG": "true",
    }
    code = (
        "import json, miel.settings as s; d = s.DATABASES['default'];"
        "print(json.dumps([d['ENGINE'], d['CONN_HEALTH_CHECKS'], 'pool' in d['OPTIONS']]))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == ["miel.postgresql", True, True]


class _ForgetfulProxy:
    """A middlebox with an idle timeout (a cloud NAT gateway, a load balancer): after
    :meth:`forget` its open connections are dropped silently (nothing reaches either end),
    and the next packet a client sends on one is answered with a reset. New connections are
    forwarded as usual."""

    def __init__(self, target: tuple[str, int]) -> None:
        import socket
        import threading

        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.forgotten: set = set()
        self.lock = threading.Lock()
        self.live: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    def forget(self) -> None:
        with self.lock:
            self.forgotten.update(self.live)

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.live.append(client)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(client, src, dst), daemon=True).start()

    def _pump(self, client, src, dst) -> None:
        import socket
        import struct

        try:
            while data := src.recv(65536):
                with self.lock:
                    gone = client in self.forgotten
                if gone:
                    if src is client:  # the client's packet after the timeout: a reset
                        client.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        client.close()
                    return  # the server's bytes are lost too
                dst.sendall(data)
        except OSError:
            pass


def test_a_connection_a_middlebox_dropped_while_idle_is_replaced(db, monkeypatch):
    """A NAT gateway or load balancer between the app and PostgreSQL forgets a connection idle
    longer than its timeout (AWS NAT: 350 s, Azure: 4 min) without telling either end, and
    resets it at its next packet. The socket is not readable, so a check that trusts that alone
    hands the dead connection to the request; the round trip (which gets the reset) replaced
    it. A connection idle for long gets the round trip."""
    require_service(is_postgresql(), "needs DATABASE_URL pointing at PostgreSQL")
    from miel.postgresql import base as pg_base

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    proxy = _ForgetfulProxy(
        (params.pop("host", None) or "127.0.0.1", int(params.pop("port", 5432)))
    )
    clock = [time.monotonic()]
    monkeypatch.setattr(pg_base, "monotonic", lambda: clock[0])
    pool = ConnectionPool(
        kwargs={**params, "host": "127.0.0.1", "port": proxy.port, "autocommit": True},
        min_size=1,
        max_size=1,
        check=check_connection,
        open=True,
    )
    try:
        with pool.connection() as conn:
            conn.execute("SELECT 1")
        proxy.forget()
        clock[0] += 600  # ten idle minutes
        with pool.connection() as conn:
            assert conn.execute("SELECT 2").fetchone() == (2,)
    finally:
        pool.close()
        proxy.close()
