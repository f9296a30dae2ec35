"""Read replica against a REAL PostgreSQL streaming standby (issue 21).

The fixture makes a standby of the local server with ``scripts/pg_replica.sh`` (pg_basebackup
-R, a second cluster on ``MIEL_REPLICA_PORT``, default 5433), adds it as database ``replica1``
and removes it afterwards. Replay on the standby is then *paused*, so what the primary writes
afterwards is invisible on the replica: a page that shows the old value read the replica, one
that shows the new value read the primary.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from matching.models import Like
from profiles.models import Member
from tests.conftest import is_postgresql, require_service
from tests.factories import MemberFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg_replica.sh"
PORT = int(os.environ.get("MIEL_REPLICA_PORT", "5433"))


def _primary_is_local() -> bool:
    s = connection.settings_dict
    return (
        is_postgresql()
        and s.get("HOST") in ("127.0.0.1", "localhost")
        and bool(shutil.which("psql"))
    )


def _wait_replayed(alias: str) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()")
        target = cur.fetchone()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connections[alias].cursor() as cur:
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cur.fetchone()[0]:
                return
        time.sleep(0.1)
    raise AssertionError("the replica did not catch up within 30 s")


def _replay(alias: str, *, paused: bool) -> None:
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="module")
def standby_port():
    """A streaming standby of the local server for this module's tests; its port."""
    require_service(_primary_is_local(), "needs DATABASE_URL on a local PostgreSQL and psql")
    workdir = Path(tempfile.mkdtemp(prefix="miel-replica-"))
    workdir.chmod(0o755)  # the standby runs as the postgres user when we are root
    datadir = workdir / "cluster"
    env = {**os.environ, "PRIMARY_PORT": str(connection.settings_dict.get("PORT") or 5432)}
    started = subprocess.run(  # noqa: S603 - our own script
        [str(SCRIPT), "start", str(PORT), str(datadir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if started.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        require_service(False, f"could not start a replica: {started.stderr[-2000:]}")
    try:
        yield PORT
    finally:
        subprocess.run(  # noqa: S603
            [str(SCRIPT), "stop", str(PORT), str(datadir)], env=env, timeout=120, check=False
        )
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def replica(settings, standby_port):
    """The alias of a live streaming replica of the test database (``replica1``)."""
    config = dict(connections["default"].settings_dict)
    config["PORT"] = str(standby_port)
    config["OPTIONS"] = {k: v for k, v in config["OPTIONS"].items() if k != "pool"}
    config["CONN_MAX_AGE"] = None  # one connection for the whole test (opened below)
    config["TEST"] = {}
    connections.settings["replica1"] = config  # the same dict as settings.DATABASES
    # Django's test case refuses connections to aliases it was not set up with; this one is
    # opened here, once, and stays open (persistent) until the end of the test.
    connections["replica1"].connect()
    settings.DATABASE_REPLICAS = ["replica1"]
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 2.0
    try:
        yield "replica1"
    finally:
        with contextlib.suppress(Exception):  # never leave replay paused
            _replay("replica1", paused=False)
        connections["replica1"].close()
        if hasattr(connections._connections, "replica1"):
            delattr(connections._connections, "replica1")
        del connections.settings["replica1"]


def test_pages_read_the_replica_writes_go_to_the_primary_and_a_writer_reads_its_writes(
    client, replica
):
    viewer = MemberFactory(description="The viewer")
    viewed = MemberFactory(description="Old description")
    client.force_login(viewer.user)
    _wait_replayed(replica)
    with connections[replica].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone()[0] is True  # a real standby
    _replay(replica, paused=True)

    # Someone else's change, on the primary only: the replica still has the old row.
    Member.objects.filter(pk=viewed.pk).update(description="New description")
    assert Member.objects.using(replica).get(pk=viewed.pk).description == "Old description"

    page = client.get(f"/members/{viewed.user_id}/")
    assert page.status_code == 200
    assert "Old description" in page.text  # read from the replica
    assert "New description" not in page.text
    assert "miel_rw" not in page.cookies  # a read sets no read-your-writes mark

    # A page that is not replica-eligible reads the primary.
    me = client.get("/me/")
    assert me.status_code == 200

    # A write request: the like lands on the primary (the paused replica cannot have it)...
    liked = client.post(f"/members/{viewed.user_id}/like/", {"action": "like"})
    assert liked.status_code in (200, 302)
    assert Like.objects.filter(source=viewer, target=viewed).exists()
    assert not Like.objects.using(replica).filter(source=viewer, target=viewed).exists()
    assert "miel_rw" in liked.cookies

    # ...and for a few seconds this member's pages read the primary: they see what is new.
    page = client.get(f"/members/{viewed.user_id}/")
    assert "New description" in page.text

    # The same holds in another browser of the same member (the mark is also in the cache).
    other_browser = client.__class__()
    other_browser.force_login(viewer.user)
    _wait_until_mark_is_only_in_cache = other_browser.get(f"/members/{viewed.user_id}/")
    assert "New description" in _wait_until_mark_is_only_in_cache.text

    # Once the window has passed, the page reads the (still paused) replica again.
    time.sleep(2.2)
    page = client.get(f"/members/{viewed.user_id}/")
    assert "Old description" in page.text

    # Replay resumed: the replica catches up and the page shows the new value.
    _replay(replica, paused=False)
    _wait_replayed(replica)
    page = client.get(f"/members/{viewed.user_id}/")
    assert "New description" in page.text


def test_readyz_reports_the_replica_and_its_lag(client, replica):
    _wait_replayed(replica)
    report = client.get("/readyz").json()
    assert report["checks"]["replica"]["state"] == "up"
    assert report["checks"]["replica"]["lag_s"] < 5
