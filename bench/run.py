"""``make bench``: the rules §16 benchmark on PostgreSQL + Redis over real HTTP.

Steps (each prints its time):

1. (Re)creates the bench database (``BENCH_DB``, default ``miel_bench``), migrates, seeds
   ``seed_demo --members N --clustered --seed 42`` (N = ``BENCH_MEMBERS``, default 100 000),
   ``VACUUM ANALYZE``; ``BENCH_REUSE=1`` keeps a database already seeded with the same N.
2. Fixtures: dense / mid / rural viewers with real sessions, like targets, a mailbox with 200
   conversations, a smart-match viewer with ~10 000 candidates, 1 000 WebSocket users.
3. In process: queries per request of every endpoint (Django test Client, full middleware),
   ``EXPLAIN (ANALYZE, BUFFERS)`` of the members query (dense and rural viewer), smart matches
   uncached / cached and the one-query-per-candidate baseline.
4. Starts the production HTTP server (gunicorn WSGI, ``DJANGO_DEBUG=false``, ``BENCH_WORKERS``
   processes x ``BENCH_THREADS`` threads; ``BENCH_SERVER=uvicorn``: the ASGI app instead) and
   measures every scenario with ``wrk`` at 1 and 8 connections, plus the
   WebSocket delivery / reconnect scenarios with 1 000 sockets.
5. Prints the table (p50 / p95 / p99 ms, requests/s, errors, queries per request, ratio to the
   baselines, targets met) and writes ``bench/results-<N>.json``.

Variables: BENCH_MEMBERS, BENCH_DB, BENCH_REDIS_URL (default redis://127.0.0.1:6379/15),
BENCH_PORT (8100; the socket server, uvicorn, uses the next port), BENCH_SERVER (gunicorn),
BENCH_WORKERS (2), BENCH_THREADS (4), BENCH_DURATION (seconds per wrk run, 8), BENCH_REUSE,
BENCH_SKIP_WS, PGHOST/PGPORT/PGUSER (127.0.0.1 / 5432 / postgres), BENCH_MESSAGES (0; N = top
the messages table up to N rows before measuring: the mailbox "with 1M messages" of rules §16).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
DB = os.environ.get("BENCH_DB", "miel_bench")
PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = os.environ.get("PGPORT", "5432")
PGUSER = os.environ.get("PGUSER", "postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PORT = int(os.environ.get("BENCH_PORT", "8100"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
# HTTP as in production: gunicorn WSGI workers (no per-request thread hops); "uvicorn" serves
# the ASGI app instead. The WebSocket scenario always uses a uvicorn process (/ws/ is ASGI).
SERVER = os.environ.get("BENCH_SERVER", "gunicorn")
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
# /ws/ processes (uvicorn): sockets spread over them as a production deployment would scale
# them; each handshake costs CPU on its process's one event loop.
WS_WORKERS = int(os.environ.get("BENCH_WS_WORKERS", "2"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
SHORT = max(2, DURATION // 3)  # the per viewer x distance runs
REUSE = os.environ.get("BENCH_REUSE") == "1"
SKIP_WS = os.environ.get("BENCH_SKIP_WS") == "1"
SKIP_HTTP = os.environ.get("BENCH_SKIP_HTTP") == "1"  # development: WebSocket scenarios only
#: Only the member pages + like/pass of issue 20 (bench/pages.py): no older HTTP scenarios, no
#: sockets, no in-process smart matches.
PAGES_ONLY = os.environ.get("BENCH_PAGES_ONLY") == "1"
#: The naive baseline loads every matching member into Python: at 1M one request outlasts the
#: server's 30 s worker timeout, so above 200 000 members it is measured at 100 000 only.
NAIVE_OVER_HTTP = MEMBERS <= 200_000
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "0"))  # e.g. 1000000: mailbox at 1M messages
SEED = 42
DISTANCES = (10, 25, 50, 100)
FILTERS = "gender=female&age_min=25&age_max=40&size=12&order=active"
HOST = "127.0.0.1"

T0 = time.monotonic()


def log(text: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {text}", flush=True)


# --- environment --------------------------------------------------------------------------------


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing: installing the Debian package (apt-get install wrk)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)  # noqa: S607
        path = shutil.which("wrk")
    if not path:
        raise SystemExit(
            "make bench needs the load generator wrk (Debian/Ubuntu: `sudo apt-get install wrk`, "
            "macOS: `brew install wrk`). Install it and run `make bench` again."
        )
    return path


def bench_env() -> dict[str, str]:
    """Production settings for the server and for this process (same secret: the members-list
    cursor is signed with it)."""
    return {
        "DATABASE_URL": f"postgres://{PGUSER}@{PGHOST}:{PGPORT}/{DB}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "MIEL_BENCH": "1",
        # The chat scenarios flood on purpose: the per-member limits (issue 16) are off.
        "MESSAGES_PER_MINUTE": "0",
        "NEW_CONVERSATIONS_PER_DAY": "0",
        # As in production, background work (e-mail notices) goes through Redis to a Celery
        # worker that the bench starts beside the server (``start_worker``), on its own queue;
        # nobody in the bench is really sent e-mail (dummymail).
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": os.environ.get("BENCH_CELERY_QUEUE", "miel-bench"),
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "miel.settings",
    }


def psql(sql: str, *, db: str = "postgres") -> str:
    result = subprocess.run(  # noqa: S603
        ["psql", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, "-d", db, "-tAc", sql],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, check=True)  # noqa: S603


def prepare_database() -> dict:
    marker = f"miel bench: {MEMBERS} members, clustered, seed {SEED}"
    info: dict = {"database": DB, "reused": False}
    if REUSE:
        comment = psql(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "  # noqa: S608
            f"WHERE datname = '{DB}'"
        )
        if comment == marker:
            log(f"reusing database {DB} ({marker}); applying any newer migrations")
            manage("migrate", "--noinput", "-v", "0")
            psql("VACUUM ANALYZE", db=DB)  # earlier runs' writes, if autovacuum is off
            info["reused"] = True
            return info
    log(f"creating database {DB}")
    psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{DB}"')
    started = time.monotonic()
    manage("migrate", "--noinput", "-v", "0")
    info["migrate_s"] = round(time.monotonic() - started, 1)
    log(f"seeding {MEMBERS:,} members (seed_demo --clustered)")
    started = time.monotonic()
    manage(
        "seed_demo",
        "--members",
        str(MEMBERS),
        "--clustered",
        "--seed",
        str(SEED),
        "--password",
        "bench-" + secrets.token_urlsafe(9),
        "-v",
        "0",
    )
    info["seed_s"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    psql("VACUUM ANALYZE", db=DB)
    info["vacuum_analyze_s"] = round(time.monotonic() - started, 1)
    psql(f"COMMENT ON DATABASE \"{DB}\" IS '{marker}'")
    return info


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# --- fixtures and in-process measurements ------------------------------------------------------


def build_fixtures() -> dict:
    from django.utils import timezone

    from accounts.models import User
    from bench import fixtures
    from profiles.models import Member

    rng = random.Random(SEED)
    viewers = fixtures.pick_viewers(rng=rng)
    logins = {label: fixtures.login(m.user) for label, m in viewers.items()}
    used = {str(m.user_id) for m in viewers.values()}
    dense = viewers["dense"]
    targets = fixtures.like_targets(viewer=dense, count=48)

    others = (
        Member.objects.select_related("user")
        .filter(user__profile_complete=True, user__email__startswith="member")
        .exclude(user_id__in=used)
        .exclude(user_id__in=targets)
        .order_by("-id")
    )
    mailbox_member, smart_member, sender_member, liker_member = list(others[:4])
    # like/pass: a premium member (unlimited likes, issue 16), so the scenario measures likes
    # and not the free allowance's 429 after 100 likes in 12 hours.
    User.objects.filter(pk=liker_member.user_id).update(
        premium_until=timezone.now() + timedelta(days=30)
    )
    mailbox_messages = fixtures.mailbox_with_conversations(
        member=mailbox_member, conversations=200, rng=rng
    )
    if MESSAGES:
        log(f"  topping messages up to {MESSAGES:,}")
        fixtures.filler_messages(total=MESSAGES, exclude=mailbox_member)
    candidates = fixtures.smart_viewer(member=smart_member, target=10_000)
    for m in (mailbox_member, smart_member, sender_member, liker_member):
        used.add(str(m.user_id))
    logins["mailbox"] = fixtures.login(mailbox_member.user)
    logins["smart"] = fixtures.login(smart_member.user)
    logins["sender"] = fixtures.login(sender_member.user)
    logins["liker"] = fixtures.login(liker_member.user)
    ws_logins = fixtures.logins_bulk(fixtures.ws_users(exclude=used, count=1000))
    fixtures.matched_with(member=sender_member, logins=ws_logins)  # only matches chat
    with __import__("django.db", fromlist=["connection"]).connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "viewers": viewers,
        "logins": logins,
        "targets": targets,
        "mailbox_messages": mailbox_messages,
        "smart_member": smart_member,
        "smart_candidates": candidates,
        "ws_logins": ws_logins,
    }


def members_path(distance: int, extra: str = "") -> str:
    return f"/members/?{FILTERS}&distance={distance}{extra}"


def walk_cursor(viewer, *, distance: int, pages: int) -> tuple[str | None, int, int]:  # type: ignore[no-untyped-def]
    """The keyset cursor of page ``pages`` for ``viewer`` (by following "load more"); returns
    (cursor, page reached, total shown on page 1)."""
    from django.http import QueryDict

    from matching.forms import discover_filters_from_query
    from matching.selectors.discovery import members_discover

    filters, size = discover_filters_from_query(
        QueryDict(f"{FILTERS}&distance={distance}"), user=viewer.user, member=viewer
    )
    cursor, page_no, total = None, 1, 0
    while page_no < pages:
        page = members_discover(
            viewer=viewer.user, filters=filters, page_size=size, viewer_member=viewer, cursor=cursor
        )
        total = total or page.total
        if not page.next_cursor:
            break
        cursor, page_no = page.next_cursor, page_no + 1
    return cursor, page_no, total


def count_queries(endpoints: dict[str, tuple[str, str, str, str]]) -> dict[str, int]:
    """Queries per request of each endpoint, through the test Client with full middleware,
    with the page cache off (``PAGE_CACHE_SECONDS=0``): the queries a page costs when rendered
    (a page-cache hit costs the session's user only)."""
    from django.test import override_settings

    with override_settings(PAGE_CACHE_SECONDS=0):
        return _count_queries(endpoints)


def _count_queries(endpoints: dict[str, tuple[str, str, str, str]]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    for name, (method, path, body, cookie) in endpoints.items():
        client = Client()
        for part in cookie.split("; "):
            key, value = part.split("=", 1)
            client.cookies[key] = value
        csrf = client.cookies["csrftoken"].value

        def call(
            client: Client = client,
            method: str = method,
            path: str = path,
            body: str = body,
            csrf: str = csrf,
        ) -> int:
            if method == "POST":
                return client.post(
                    path,
                    data=body,
                    content_type="application/x-www-form-urlencoded",
                    headers={"X-CSRFToken": csrf, "HX-Request": "true"},
                ).status_code
            return client.get(path).status_code

        call()  # warm: last-active write, caches
        with CaptureQueriesContext(connection) as ctx:
            status = call()
        if status != 200:
            raise SystemExit(f"{name}: {method} {path} answered {status} in process")
        out[name] = len(ctx.captured_queries)
    return out


def explain_members(viewers: dict, *, distance: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the count and page queries of the members list."""
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from matching.forms import discover_filters_from_query
    from matching.selectors.discovery import members_discover

    parts = []
    for label in ("dense", "rural"):
        viewer = viewers[label]
        filters, size = discover_filters_from_query(
            QueryDict(f"{FILTERS}&distance={distance}"), user=viewer.user, member=viewer
        )
        members_discover(viewer=viewer.user, filters=filters, page_size=size, viewer_member=viewer)
        with CaptureQueriesContext(connection) as ctx:
            page = members_discover(
                viewer=viewer.user, filters=filters, page_size=size, viewer_member=viewer
            )
        for q in ctx.captured_queries:
            sql = q["sql"]
            if "profiles_member" not in sql or "LIMIT" not in sql:
                continue
            if "COUNT(" in sql.upper():
                kind = "count (capped)"
            elif sql.startswith('SELECT "profiles_member"."id" AS "pk"'):
                kind = "boosted ids"
            else:
                kind = "page"
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cursor.fetchall())
            parts.append(
                f"-- {label} viewer ({viewer.city or 'no city'}), {distance} km, "
                f"{page.total}{'+' if page.total_is_capped else ''} results: {kind} query\n"
                f"{sql}\n\n{plan}\n"
            )
    # The boosted-ids prefilter inlines up to 1 000 ids: shorten those lists for reading.
    text = "\n".join(parts)
    return re.sub(
        r"(\{|\()('?[0-9a-f]{8}-?[0-9a-f-]{23,}'?(?:::uuid)?(?:, ?|,)){5,}[^})]*",
        lambda m: f"{m.group(1)}<{m.group(0).count(',') + 1} ids>",
        text,
    )


def smart_matches(member, candidates: int) -> dict:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.baselines import smart_one_query_per_candidate
    from matching.smart import score_candidates, smart_match_cache_invalidate, smart_matches_for

    score_ms, uncached_ms, cached_ms = [], [], []
    score_q = uncached_q = cached_q = 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            score_candidates(member=member)
            score_ms.append((time.perf_counter() - t) * 1000)
        score_q = len(ctx.captured_queries)
        smart_match_cache_invalidate(user=member.user)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            smart_matches_for(member=member)
            uncached_ms.append((time.perf_counter() - t) * 1000)
        uncached_q = len(ctx.captured_queries)
        for _ in range(4):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                result = smart_matches_for(member=member)
                cached_ms.append((time.perf_counter() - t) * 1000)
            cached_q = len(ctx.captured_queries)
            assert result.from_cache
    t = time.perf_counter()
    naive_queries = smart_one_query_per_candidate(member=member)
    naive_ms = (time.perf_counter() - t) * 1000
    return {
        "candidates": candidates,
        "score_ms": round(statistics.median(score_ms), 1),
        "score_queries": score_q,
        "uncached_ms": round(statistics.median(uncached_ms), 1),
        "uncached_queries": uncached_q,
        "cached_ms": round(statistics.median(cached_ms), 2),
        "cached_queries": cached_q,
        "naive_ms": round(naive_ms, 1),
        "naive_queries": naive_queries,
        "naive_ratio": round(naive_ms / statistics.median(score_ms), 1),
    }


def mailbox_selector_queries(member) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from messaging.selectors import mailbox_page

    with CaptureQueriesContext(connection) as ctx:
        mailbox_page(member=member, container="inbox")
    return len(ctx.captured_queries)


# --- the server and wrk ------------------------------------------------------------------------


def server_command(*, port: int, workers: int, asgi: bool) -> list[str]:
    """The production server command line: gunicorn (WSGI, ``gthread`` workers) for HTTP, or
    uvicorn (ASGI) when ``asgi`` (the ``/ws/`` processes, or ``BENCH_SERVER=uvicorn``)."""
    if asgi:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "miel.asgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--backlog",
            "4096",
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "miel.wsgi:application",
        "--no-control-socket",  # gunicorn 27's default is one path for the whole machine
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--log-level",
        "warning",
        "--backlog",
        "4096",
    ]


def start_server(
    env: dict[str, str],
    log_path: Path,
    *,
    port: int = PORT,
    workers: int = WORKERS,
    asgi: bool = SERVER == "uvicorn",
) -> subprocess.Popen:
    cmd = server_command(port=port, workers=workers, asgi=asgi)
    with socket.socket() as probe:  # never measure somebody else's server on that port
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise SystemExit(f"port {port} is in use: set BENCH_PORT to a free port") from exc
    with log_path.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            cmd,
            cwd=BASE_DIR,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"server did not start:\n{log_path.read_text()[-3000:]}")


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """One Celery worker process (production's layout: e-mail work is not the web server's)."""
    celery = str(Path(sys.executable).parent / "celery")
    with log_path.open("ab") as out:
        return subprocess.Popen(  # noqa: S603
            [celery, "-A", "miel", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
            cwd=BASE_DIR,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_idle(login, *, limit_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until the server answers the hello view quickly again (no request left over)."""
    deadline = time.monotonic() + limit_s
    request = urllib.request.Request(
        f"http://{HOST}:{PORT}/_bench/hello", headers={"Cookie": login.cookie}
    )
    while time.monotonic() < deadline:
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=limit_s):  # noqa: S310
            pass
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


def preflight(method: str, path: str, body: str, cookie: str, csrf: str) -> None:
    headers = {"Cookie": cookie, "X-CSRFToken": csrf, "HX-Request": "true"}
    data = None
    if method == "POST":
        data = body.encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        headers.pop("HX-Request")
    request = urllib.request.Request(
        f"http://{HOST}:{PORT}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310
            if r.status != 200 or r.url != f"http://{HOST}:{PORT}{path}":
                raise SystemExit(f"preflight {method} {path}: {r.status} at {r.url}")
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"preflight {method} {path}: HTTP {exc.code}") from exc


def wrk(
    wrk_bin: str,
    *,
    name: str,
    requests: list[tuple[str, str, str]],
    login,  # type: ignore[no-untyped-def]
    connections: int,
    seconds: int,
    url: str = "",
    split: bool = False,
) -> dict:
    """One wrk run of ``requests`` (cycled) as ``login``; ``split``: each wrk thread cycles
    through its own contiguous share of them only (``bench/wrk/requests.lua``)."""
    threads = 1 if connections == 1 else 2
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        for method, path, body in requests:
            f.write(f"{method}\t{path}\t{body}\n")
        req_file = f.name
    cmd = [
        wrk_bin,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(BASE_DIR / "bench" / "wrk" / "requests.lua"),
        "-H",
        f"Cookie: {login.cookie}",
        "-H",
        f"X-CSRFToken: {login.csrf}",
        "-H",
        "HX-Request: true" if requests[0][0] == "POST" else "Accept-Language: he",
        url or f"http://{HOST}:{PORT}",
        "--",
        req_file,
        str(threads),
        *(["split"] if split else []),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)  # noqa: S603
    os.unlink(req_file)
    lines = out.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    hist_line = next(line for line in lines if line.startswith("HIST"))
    hist = [tuple(map(int, pair.split(":"))) for pair in hist_line.split()[1:]]
    # A 4xx/5xx is in both errors_status and not_200; a 3xx only in not_200.
    errors = sum(v for k, v in summary.items() if k.startswith("errors_") and k != "errors_status")
    errors += summary["not_200"]
    return summarise(
        name=name,
        connections=connections,
        hist=hist,
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        errors=errors,
    )


def percentile(hist: list[tuple[int, int]], p: float) -> float:
    """The ``p`` percentile (ms) of a latency histogram of (microseconds, count)."""
    ordered = sorted(hist)
    total = sum(c for _, c in ordered)
    rank = p / 100 * total
    seen = 0
    for value, count in ordered:
        seen += count
        if seen >= rank:
            return value / 1000
    return ordered[-1][0] / 1000 if ordered else 0.0


def summarise(
    *, name: str, connections: int, hist: list, requests: int, seconds: float, errors: int
) -> dict:
    return {
        "scenario": name,
        "connections": connections,
        "requests": requests,
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(hist, 50), 2),
        "p95_ms": round(percentile(hist, 95), 2),
        "p99_ms": round(percentile(hist, 99), 2),
        "errors": errors,
        "seconds": round(seconds, 2),
        "_hist": hist,
    }


# --- report -----------------------------------------------------------------------------------


def find(results: list[dict], name: str, connections: int) -> dict | None:
    return next(
        (r for r in results if r["scenario"] == name and r["connections"] == connections), None
    )


def targets_100k(results: list[dict], smart: dict, ws: dict | None, queries: dict) -> list[dict]:
    """rules §16 targets (the 100k column; at 1M the members list target is p95 <= 60 ms)."""
    members_p95_target = 25 if MEMBERS < 500_000 else 60

    def row(target: str, measured: str, met: bool | None) -> dict:
        return {"target": target, "measured": measured, "met": met}

    out = []
    m1, m8 = find(results, "members (mixed)", 1), find(results, "members (mixed)", 8)
    if m1:
        out.append(
            row(
                f"members list p95 <= {members_p95_target} ms at 1 conn",
                f"{m1['p95_ms']} ms",
                m1["p95_ms"] <= members_p95_target,
            )
        )
    if m8 and MEMBERS < 500_000:
        out.append(
            row("members list >= 300 req/s at 8 conn", f"{m8['rps']} req/s", m8["rps"] >= 300)
        )
    p1, p50 = (
        find(results, "members page 1 (dense, 50 km)", 1),
        find(results, "members page 50 (keyset)", 1),
    )
    if p1 and p50:
        ratio = p50["p50_ms"] / p1["p50_ms"]
        out.append(row("page 50 <= 1.5x page 1", f"{ratio:.2f}x", ratio <= 1.5))
    l1, l8, h8 = (
        find(results, "like/unlike", 1),
        find(results, "like/unlike", 8),
        find(results, "hello world", 8),
    )
    if l1:
        out.append(row("like/unlike p95 <= 30 ms", f"{l1['p95_ms']} ms", l1["p95_ms"] <= 30))
    if l8 and h8:
        share = l8["rps"] / h8["rps"]
        out.append(row("like/unlike >= 12% of hello-world req/s", f"{share:.0%}", share >= 0.12))
    if ws:
        d = ws["delivery"]
        out.append(
            row(
                "message -> socket p95 <= 50 ms, p99 <= 100 ms, 1 000 sockets, 100 msg/s, none lost",
                f"p95 {d['p95_ms']} ms, p99 {d['p99_ms']} ms, lost {d['lost']}, "
                f"{d['achieved_rate_per_s']} msg/s, open failures {ws['open']['failed']}",
                d["p95_ms"] is not None
                and d["p95_ms"] <= 50
                and d["p99_ms"] <= 100
                and d["lost"] == 0
                and ws["open"]["failed"] == 0,
            )
        )
        rc = ws["reconnect"]
        out.append(
            row(
                "reconnect of 1 000 sockets within 5 s, no failed handshakes",
                f"{rc['seconds']} s, {rc['failed']} failed",
                rc["seconds"] <= 5 and rc["failed"] == 0,
            )
        )
    if smart and MEMBERS < 500_000:  # rules §16 sets no smart-match target at 1M
        out.append(
            row(
                "smart matches (10 000 candidates) <= 250 ms and <= 3 queries uncached",
                f"{smart['uncached_ms']} ms ({smart['candidates']} candidates), "
                f"{smart['uncached_queries']} queries in all (scoring {smart['score_queries']})",
                smart["uncached_ms"] <= 250 and smart["uncached_queries"] <= 3,
            )
        )
        out.append(
            row("smart matches cached <= 5 ms", f"{smart['cached_ms']} ms", smart["cached_ms"] <= 5)
        )
    mb1 = find(results, "mailbox (200 conversations)", 1)
    if mb1:
        out.append(
            row(
                "mailbox (200 conversations) <= 3 queries, p95 <= 30 ms",
                f"p95 {mb1['p95_ms']} ms, selector {queries.get('mailbox_selector')} queries "
                f"({queries.get('mailbox')} for the whole request)",
                mb1["p95_ms"] <= 30 and queries.get("mailbox_selector", 99) <= 3,
            )
        )
    return out


def print_report(report: dict) -> None:
    results = report["http"]
    queries = report["queries"]
    print()
    print(
        f"== make bench: {MEMBERS:,} members, {WORKERS} {SERVER} worker(s), {DURATION} s per run =="
    )
    header = (
        f"{'scenario':<38} {'conn':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'req/s':>8} {'err':>5} {'q/req':>5} {'x hello':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        q = queries.get(r.get("query_key", ""), "")
        ratio = r.get("rps_vs_hello")
        print(
            f"{r['scenario']:<38} {r['connections']:>4} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} {r['rps']:>8.1f} {r['errors']:>5} {q!s:>5} "
            f"{'' if ratio is None else f'{ratio:.0%}':>8}"
        )
    print()
    print("ratios to the baselines (latency p50, 1 connection; req/s at 8 connections):")
    for key, value in report["ratios"].items():
        print(f"  {key:<58} {value}")
    s = report["smart"]
    print()
    print(
        ""
        if not s
        else f"smart matches, 1 user vs {s['candidates']:,} candidates (in process): scoring "
        f"{s['score_ms']} ms / {s['score_queries']} queries; uncached (score + cache write) "
        f"{s['uncached_ms']} ms / {s['uncached_queries']} queries; cached {s['cached_ms']} ms / "
        f"{s['cached_queries']} query; one query per candidate {s['naive_ms']} ms / "
        f"{s['naive_queries']} queries ({s['naive_ratio']}x)"
    )
    ws = report.get("ws")
    if ws:
        d, rc = ws["delivery"], ws["reconnect"]
        print(
            f"WebSocket: {ws['sockets']} sockets opened in {ws['open']['seconds']} s "
            f"({ws['open']['failed']} failed); {d['messages']} messages at "
            f"{d['achieved_rate_per_s']} msg/s: p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms, "
            f"p99 {d['p99_ms']} ms, max {d['max_ms']} ms, lost {d['lost']}, HTTP {d['http_status']}"
        )
        print(f"reconnect: {rc['sockets']} sockets in {rc['seconds']} s, {rc['failed']} failed")
    print()
    print("targets (rules §16):")
    for t in report["targets"]:
        mark = "MET " if t["met"] else "MISS"
        print(f"  [{mark}] {t['target']}: {t['measured']}")
    from bench import pages

    pages.print_targets(report["page_targets"], members=MEMBERS)
    print()
    print(f"total runtime {report['runtime_s']:.0f} s; results in {report['output']}")


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    wrk_bin = ensure_wrk()
    env = bench_env()
    os.environ.update(env)
    db_info = prepare_database()
    flush_redis()
    log("collectstatic (production static files: WhiteNoise manifest)")
    manage("collectstatic", "--noinput", "-v", "0")

    import django

    django.setup()
    from django.db import connection

    log("fixtures: viewers, sessions, like targets, mailbox, smart viewer, socket users")
    fx = build_fixtures()
    viewers, logins = fx["viewers"], fx["logins"]
    dense = viewers["dense"]
    for label, m in viewers.items():
        log(f"  {label} viewer: {m.city or '(no city)'} ({m.latitude:.3f}, {m.longitude:.3f})")
    cursor50, page_reached, _ = walk_cursor(dense, distance=50, pages=50)
    if page_reached < 50:
        log(f"  only {page_reached} pages for the dense viewer at 50 km")
    page50 = members_path(50, f"&cursor={cursor50}") if cursor50 else members_path(50)

    like_lines = [("POST", f"/members/{t}/like/", "action=like") for t in fx["targets"]] + [
        ("POST", f"/members/{t}/like/", "action=unlike") for t in fx["targets"]
    ]
    endpoints = {
        "hello": ("GET", "/_bench/hello", "", logins["dense"].cookie),
        "members": ("GET", members_path(50), "", logins["dense"].cookie),
        "members_page50": ("GET", page50, "", logins["dense"].cookie),
        "members_naive": (
            "GET",
            "/_bench/members-naive/?" + FILTERS + "&distance=50",
            "",
            logins["dense"].cookie,
        ),
        "members_offset50": (
            "GET",
            "/_bench/members-offset/?" + FILTERS + "&distance=50&page=50",
            "",
            logins["dense"].cookie,
        ),
        "like": ("POST", f"/members/{fx['targets'][0]}/like/", "", logins["liker"].cookie),
        "mailbox": ("GET", "/messages/", "", logins["mailbox"].cookie),
        "smart": ("GET", "/smart-matches/", "", logins["smart"].cookie),
        "chat_send": (
            "POST",
            f"/members/{fx['ws_logins'][0].user_id}/chat/send/",
            "text=hello",
            logins["sender"].cookie,
        ),
    }
    log("queries per request (test Client, full middleware)")
    from bench import pages

    page_table = pages.scenarios(fx, members_path=members_path(50))
    queries = count_queries(pages.query_endpoints(page_table))
    if not PAGES_ONLY:
        queries.update(count_queries(endpoints))
    # the like above toggled target 0 on; reset it
    from matching.models import Like

    Like.objects.filter(source=dense, target__user_id=fx["targets"][0]).delete()
    queries["mailbox_selector"] = mailbox_selector_queries(
        __import__("profiles.models", fromlist=["Member"]).Member.objects.get(
            user_id=logins["mailbox"].user_id
        )
    )
    log(f"  {queries}")

    log("EXPLAIN (ANALYZE, BUFFERS) of the members query (dense and rural viewer, 50 km)")
    explain = explain_members(viewers, distance=50)
    explain_path = BASE_DIR / "bench" / f"explain-{MEMBERS}.txt"
    explain_path.write_text(explain)

    smart: dict = {}
    if not PAGES_ONLY:
        log(f"smart matches: 1 user vs {fx['smart_candidates']:,} candidates")
        smart = smart_matches(fx["smart_member"], fx["smart_candidates"])
        log(f"  {smart}")
    connection.close()

    server_log = Path(tempfile.mkstemp(prefix="miel-bench-server-", suffix=".log")[1])
    log(f"starting {SERVER} ({WORKERS} workers) on {HOST}:{PORT}")
    worker_log = Path(tempfile.mkstemp(prefix="miel-bench-worker-", suffix=".log")[1])
    worker = start_worker(env, worker_log)
    server = start_server(env, server_log)
    results: list[dict] = []
    page_results: list[dict] = []
    ws = None
    try:
        d = logins["dense"]
        for key, (method, path, body, cookie) in endpoints.items():
            if key == "members_naive" and not NAIVE_OVER_HTTP:
                continue
            if method == "GET":
                preflight(method, path, body, cookie, d.csrf)

        def run(name, reqs, login, conns, seconds=DURATION, query_key=""):  # type: ignore[no-untyped-def]
            r = wrk(
                wrk_bin, name=name, requests=reqs, login=login, connections=conns, seconds=seconds
            )
            r["query_key"] = query_key
            results.append(r)
            log(
                f"  {name:<38} c={conns}: p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms  "
                f"p99 {r['p99_ms']} ms  {r['rps']} req/s  errors {r['errors']}"
            )
            return r

        log("wrk scenarios")
        if not SKIP_HTTP:
            page_results = pages.run(
                wrk=lambda **kw: wrk(wrk_bin, **kw),
                table=page_table,
                env=env,
                server_command=server_command,
                port=PORT + 2,
                workers=WORKERS,
                seconds=DURATION,
                log=log,
            )
        if not SKIP_HTTP and not PAGES_ONLY:
            hello_reqs = [("GET", "/_bench/hello", "")]
            for c in (1, 8):  # warm every worker first
                wrk(wrk_bin, name="warmup", requests=hello_reqs, login=d, connections=c, seconds=1)
            run("hello world", hello_reqs, d, 1, query_key="hello")
            run("hello world", hello_reqs, d, 8, query_key="hello")

            # Members list, viewers mixed dense / mid / rural x 10 / 25 / 50 / 100 km: one wrk run
            # per viewer x distance (a cookie per run), then the mixed figure pools all of them.
            per_cell: list[dict] = []
            for label in ("dense", "mid", "rural"):
                for dist in DISTANCES:
                    r = wrk(
                        wrk_bin,
                        name=f"members {label} {dist} km",
                        requests=[("GET", members_path(dist), "")],
                        login=logins[label],
                        connections=1,
                        seconds=SHORT,
                    )
                    r["query_key"] = "members"
                    per_cell.append(r)
            results.extend(per_cell)
            for r in per_cell:
                log(
                    f"  {r['scenario']:<38} c=1: p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms  "
                    f"{r['rps']} req/s"
                )
            # The mixed scenario: three wrk processes at once (one per viewer, 4 distances each),
            # so requests of every viewer and distance interleave on the server.
            for conns in (1, 8):
                results.append(mixed_run(wrk_bin, logins, conns))
                r = results[-1]
                log(
                    f"  {'members (mixed)':<38} c={conns}: p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms  "
                    f"p99 {r['p99_ms']} ms  {r['rps']} req/s  errors {r['errors']}"
                )

            dense_p1 = [("GET", members_path(50), "")]
            for c in (1, 8):
                run("members page 1 (dense, 50 km)", dense_p1, d, c, query_key="members")
                run(
                    "members page 50 (keyset)",
                    [("GET", page50, "")],
                    d,
                    c,
                    query_key="members_page50",
                )
            off = "/_bench/members-offset/?" + FILTERS + "&distance=50"
            run("baseline: OFFSET page 1 + COUNT", [("GET", off + "&page=1", "")], d, 1)
            run(
                "baseline: OFFSET page 50 + COUNT",
                [("GET", off + "&page=50", "")],
                d,
                1,
                query_key="members_offset50",
            )
            for c in (1, 8):
                run("like/unlike", like_lines, logins["liker"], c, query_key="like")
            for c in (1, 8):
                run(
                    "mailbox (200 conversations)",
                    [("GET", "/messages/", "")],
                    logins["mailbox"],
                    c,
                    query_key="mailbox",
                )
            run(
                "smart matches page (cached)",
                [("GET", "/smart-matches/", "")],
                logins["smart"],
                1,
                query_key="smart",
            )
            # Last: a naive request takes seconds, and one still running when wrk stops would
            # slow the next scenario (Django cannot cancel it). Only 1 connection: at 8 the
            # requests queue for tens of seconds and none completes within the run.
            naive = "/_bench/members-naive/?" + FILTERS + "&distance=50"
            if not NAIVE_OVER_HTTP:
                log("  baseline: naive Python distance: not run over HTTP at this size")
            else:
                run(
                    "baseline: naive Python distance",
                    [("GET", naive, "")],
                    d,
                    1,
                    seconds=max(DURATION, 10),
                    query_key="members_naive",
                )
            wait_idle(d)

        if not SKIP_WS and not PAGES_ONLY:
            from bench.ws_load import Peer
            from bench.ws_load import run as ws_run

            log("WebSocket: 1 000 sockets, 100 msg/s for 10 s, then reconnect of all")
            peers = [Peer(lg.user_id, lg.cookie) for lg in fx["ws_logins"]]
            s = logins["sender"]
            # Sockets on their own server process (as /ws/ would be routed in production), so
            # the sync work of 100 message POSTs/s does not starve the sockets' event loop; the
            # Redis channel layer carries each event from the HTTP workers to it (rules §9).
            ws_log = Path(tempfile.mkstemp(prefix="miel-bench-ws-", suffix=".log")[1])
            ws_server = start_server(env, ws_log, port=PORT + 1, workers=WS_WORKERS, asgi=True)
            try:
                ws = asyncio.run(
                    ws_run(
                        host=HOST,
                        port=PORT,
                        ws_port=PORT + 1,
                        peers=peers,
                        sender_cookie=s.cookie,
                        sender_csrf=s.csrf,
                    )
                )
            finally:
                stop_server(ws_server)
                server_log.write_text(
                    server_log.read_text(errors="replace") + ws_log.read_text(errors="replace")
                )
                ws_log.unlink(missing_ok=True)
            log(f"  {ws}")
    finally:
        stop_server(server)
        stop_server(worker)
    errors_in_log = server_log.read_text(errors="replace") + worker_log.read_text(errors="replace")
    worker_log.unlink(missing_ok=True)
    server_log.unlink(missing_ok=True)

    hello = {c: find(results, "hello world", c) for c in (1, 8)}
    for r in results:
        h = hello.get(r["connections"])
        r["rps_vs_hello"] = round(r["rps"] / h["rps"], 3) if h and h["rps"] else None
    ratios = {}

    def ratio(key: str, a: dict | None, b: dict | None, field: str = "p50_ms") -> None:
        if a and b and b[field]:
            ratios[key] = f"{a[field] / b[field]:.1f}x"

    p1 = find(results, "members page 1 (dense, 50 km)", 1)
    ratio(
        "naive Python page 1 / keyset page 1 (latency)",
        find(results, "baseline: naive Python distance", 1),
        p1,
    )
    ratio(
        "keyset page 1 / naive Python page 1 (req/s, 8 conn)",
        find(results, "members page 1 (dense, 50 km)", 8),
        find(results, "baseline: naive Python distance", 8),
        "rps",
    )
    ratio(
        "OFFSET page 50 / keyset page 50 (latency)",
        find(results, "baseline: OFFSET page 50 + COUNT", 1),
        find(results, "members page 50 (keyset)", 1),
    )
    ratio(
        "OFFSET page 1 / keyset page 1 (latency)",
        find(results, "baseline: OFFSET page 1 + COUNT", 1),
        p1,
    )
    ratio("keyset page 50 / page 1 (latency)", find(results, "members page 50 (keyset)", 1), p1)
    for name in ("members (mixed)", "like/unlike", "mailbox (200 conversations)"):
        ratio(f"{name} / hello world (latency, 1 conn)", find(results, name, 1), hello[1])
        r8 = find(results, name, 8)
        if r8 and hello[8]:
            ratios[f"{name} req/s as share of hello world (8 conn)"] = (
                f"{r8['rps'] / hello[8]['rps']:.0%}"
            )
    if smart:
        ratios["smart matches: one query per candidate / bulk (scoring time)"] = (
            f"{smart['naive_ratio']}x"
        )

    report = {
        "members": MEMBERS,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "postgresql": psql("SHOW server_version", db=DB),
        },
        "settings": {
            "server": SERVER,
            "workers": WORKERS,
            "threads": THREADS if SERVER == "gunicorn" else None,
            "ws_workers": WS_WORKERS,
            "wrk_seconds": DURATION,
            "cell_seconds": SHORT,
            "filters": FILTERS,
            "viewers": {
                k: {"city": m.city, "lat": round(m.latitude, 2), "lon": round(m.longitude, 2)}
                for k, m in viewers.items()
            },
        },
        "database": db_info,
        "queries": queries,
        "http": results,
        "ratios": ratios,
        "smart": smart,
        "ws": ws,
        "server_log_errors": [
            line for line in errors_in_log.splitlines() if "Error" in line or "Traceback" in line
        ][:20],
    }
    report["targets"] = targets_100k(results, smart, ws, queries)
    report["pages"] = page_results
    report["page_targets"] = pages.targets(page_results, members=MEMBERS)
    report["baseline_commit"] = pages.BASELINE
    report["runtime_s"] = round(time.monotonic() - T0, 1)
    part = "-partial" if pages.ONLY else ""  # a quick run of some scenarios: kept apart
    out = BASE_DIR / "bench" / f"results-{'pages-' if PAGES_ONLY else ''}{MEMBERS}{part}.json"
    report["output"] = str(out.relative_to(BASE_DIR))
    for r in results:
        r.pop("_hist", None)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_report(report)
    # Issue 20 at scale (perf-smart): smart matches and live chat, own modules and processes.
    from bench.scale_targets import run_scale_targets

    run_scale_targets(port=PORT + 2, redis_url=REDIS_URL)


def mixed_run(wrk_bin: str, logins: dict, conns: int) -> dict:
    """Members list, viewers mixed: one wrk per viewer (its cookie, its 4 distances) at the same
    time; ``conns`` connections in total. The three latency histograms are pooled."""
    per_viewer = (
        {"dense": 1, "mid": 0, "rural": 0} if conns == 1 else {"dense": 3, "mid": 3, "rural": 2}
    )
    if conns == 1:
        # One connection in total: rotate viewers by running them one after another.
        parts = [
            wrk(
                wrk_bin,
                name="members (mixed)",
                requests=[("GET", members_path(dd), "") for dd in DISTANCES],
                login=logins[label],
                connections=1,
                seconds=max(2, DURATION // 3),
            )
            for label in ("dense", "mid", "rural")
        ]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(3) as pool:
            futures = [
                pool.submit(
                    wrk,
                    wrk_bin,
                    name="members (mixed)",
                    requests=[("GET", members_path(dd), "") for dd in DISTANCES],
                    login=logins[label],
                    connections=n,
                    seconds=DURATION,
                )
                for label, n in per_viewer.items()
            ]
            parts = [f.result() for f in futures]
    hist: dict[int, int] = {}
    for part in parts:
        for value, count in part["_hist"]:
            hist[value] = hist.get(value, 0) + count
    seconds = sum(p["seconds"] for p in parts) if conns == 1 else max(p["seconds"] for p in parts)
    merged = summarise(
        name="members (mixed)",
        connections=conns,
        hist=list(hist.items()),
        requests=sum(p["requests"] for p in parts),
        seconds=seconds,
        errors=sum(p["errors"] for p in parts),
    )
    merged["query_key"] = "members"
    return merged


if __name__ == "__main__":
    main()
