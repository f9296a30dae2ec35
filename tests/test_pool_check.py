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
