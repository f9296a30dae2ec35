"""A real Celery worker for integration tests (shared by messaging and stories tests).

Usage (the test needs ``transactional_db`` so the worker, another process, sees committed rows)::

    from tests.celery_worker import celery_worker

    @pytest.mark.integration
    def test_something(transactional_db, redis_url):
        with celery_worker() as worker:
            some_task.delay(...)
            worker.wait_for(lambda: len(worker.emails()) == 1)

The worker is ``celery -A miel worker`` in a subprocess with:

- the same database as the test, by its real NAME (pytest-django's ``test_<name>``),
- ``REDIS_URL`` as broker, ``CELERY_TASK_ALWAYS_EAGER=false``,
- a unique queue per run (``CELERY_QUEUE``), which the test process also sends to while the
  context is open, so parallel runs on one Redis never steal each other's tasks,
- a file-based e-mail backend in a temporary folder, so tests can count and read the e-mails
  the worker sent (:meth:`CeleryWorker.emails`).

PostgreSQL and Redis are required (an SQLite test database is in memory, invisible to another
process); without them the test is skipped locally and fails in CI (``require_service``).
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from email.message import Message as EmailMessage
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tests.conftest import require_service

BASE_DIR = Path(__file__).resolve().parent.parent
#: The file-based backend ends every message with this line.
_EMAIL_SEPARATOR = "-" * 79


def test_database_url() -> str:
    """A ``DATABASE_URL`` pointing at the database this test process uses right now."""
    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = quote(s.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = s.get("HOST") or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(s['NAME'], safe='')}"


def wait_for_other_db_sessions_to_end(timeout: float = 10.0) -> None:
    """After stopping a subprocess that used the test database, wait until PostgreSQL has
    closed its sessions, so pytest-django can drop the test database at the end."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.1)
    # Inside a running event loop (e.g. Playwright's) ``connection`` is context-local and
    # would outlive the test; the tests using these helpers are transactional, so closing it
    # is safe (Django reconnects on the next query).
    connection.close()


class CeleryWorker:
    """Handle on a running worker subprocess."""

    def __init__(self, *, process: subprocess.Popen, queue: str, email_dir: Path, log: Path):
        self.process = process
        self.queue = queue
        self.email_dir = email_dir
        self.log_path = log

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def emails(self) -> list[EmailMessage]:
        """Every e-mail the worker has sent so far, parsed, oldest file first."""
        found: list[EmailMessage] = []
        for path in sorted(self.email_dir.glob("*.log")):
            for chunk in path.read_text(errors="replace").split(_EMAIL_SEPARATOR + "\n"):
                if chunk.strip():
                    found.append(email.message_from_string(chunk))
        return found

    def wait_for(
        self, predicate: Callable[[], object], *, timeout: float = 20.0, interval: float = 0.1
    ) -> object:
        """Poll ``predicate`` until truthy; raise AssertionError (with the worker log) after
        ``timeout`` seconds. Returns the predicate's value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if self.process.poll() is not None:
                raise AssertionError(f"celery worker exited early:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout}s; worker log:\n{self.log()[-4000:]}"
                )
            time.sleep(interval)

    def idle(self, seconds: float = 1.0) -> None:
        """Give the worker time to run anything it would (for asserting nothing more happens)."""
        time.sleep(seconds)


@contextmanager
def celery_worker(
    *,
    concurrency: int = 1,
    pool: str = "solo",
    extra_env: dict[str, str] | None = None,
    ready_timeout: float = 30.0,
    queue: str | None = None,
    extra_args: Sequence[str] = (),
) -> Iterator[CeleryWorker]:
    """Start ``celery -A miel worker`` against the test database and ``REDIS_URL``; stop it on
    exit. While open, tasks sent from the test process go to the worker's unique queue (not
    eager). Raises AssertionError if the worker does not become ready in ``ready_timeout`` s.

    ``queue``: consume this queue instead of a new unique one (a second worker taking over a
    first one's queue). ``extra_args``: more worker options (e.g. ``["--include", "mod"]``)."""
    from miel.celery import app

    require_service(bool(settings.REDIS_URL), "needs REDIS_URL for a real Celery worker")
    require_service(
        connection.vendor == "postgresql", "needs DATABASE_URL (PostgreSQL) for a real worker"
    )

    queue = queue or f"miel-test-{uuid.uuid4().hex[:12]}"
    workdir = Path(tempfile.mkdtemp(prefix="miel-celery-"))
    email_dir = workdir / "emails"
    email_dir.mkdir()
    log = workdir / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "miel.settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": queue,
        # django-environ drops the first "/" of the path, hence four slashes.
        "EMAIL_URL": f"filemail:///{email_dir}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # Close DB connections after each task so the test DB can be dropped at teardown.
        "DB_CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "miel",
        "worker",
        "--loglevel=INFO",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "-Q",
        queue,
        "-n",
        f"{queue}-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        *extra_args,
    ]
    # Flush this process's writes: the worker must see every row created so far.
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
            cmd, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    worker = CeleryWorker(process=process, queue=queue, email_dir=email_dir, log=log)
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    try:
        worker.wait_for(lambda: " ready." in worker.log(), timeout=ready_timeout)
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue
        yield worker
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        process.terminate()  # warm shutdown: finishes the running task
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        _purge_queue(app, queue)
        wait_for_other_db_sessions_to_end()
        shutil.rmtree(workdir, ignore_errors=True)


def _purge_queue(app, queue: str) -> None:
    """Drop whatever is left in the run's queue so Redis does not keep dead keys."""
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    except Exception:  # noqa: S110 (best effort cleanup)
        pass
