"""WebSocket delivery latency (rules §16 "send message -> recipient's WebSocket").

Starts two real uvicorn server processes on free ports against ``DATABASE_URL`` and
``REDIS_URL`` (the Redis channel layer joins them), opens the recipient's socket on server A,
sends N messages one after another over real HTTP (session cookie, CSRF, htmx post) to server B,
and times each message's arrival on the socket. A Celery worker (its own queue) takes the
e-mail tasks, as in production. Prints median / p95 / p99 / max of:

- ``post->socket``: from just before the HTTP POST to the ``message.new`` frame arriving;
- ``http``: the POST's own round trip (the sender's wait);
- ``GET /healthz``: a trivial request timed right after each message, a baseline for how
  loaded the machine is.

Usage (PostgreSQL + Redis; uses two bench accounts it creates in that database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miel REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/ws_latency.py --messages 300

``--servers 1`` sends to the same server that holds the socket.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # development benchmark (settings default: false)


def setup_accounts() -> tuple[str, str, str]:
    """Create (or reuse) the two bench members; return (recipient user id, sender session,
    recipient session)."""
    import django

    django.setup()
    from datetime import date

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from messaging.models import Message
    from profiles.models import Member

    def member(email: str, name: str) -> Member:
        user, _ = User.objects.get_or_create(
            email=email, defaults={"profile_complete": True, "name": name}
        )
        m, _ = Member.objects.get_or_create(
            user=user,
            defaults={
                "name": name,
                "date_of_birth": date(1990, 1, 1),
                "gender": "female",
                "description": "bench",
                "city": "Tel Aviv",
                "country": "Israel",
            },
        )
        return m

    def session(user: User) -> str:
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        return s.session_key

    sender = member("bench-sender@miel.local", "Bench Sender")
    recipient = member("bench-recipient@miel.local", "Bench Recipient")
    Message.objects.filter(sender__in=[sender, recipient]).delete()
    # Only mutual matches may chat (issue 16).
    from matching.models import Like

    Like.objects.get_or_create(source=sender, target=recipient)
    Like.objects.get_or_create(source=recipient, target=sender)
    return str(recipient.user_id), session(sender.user), session(recipient.user)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Production-like: e-mail tasks go to a real worker over Redis, on a queue of this run only.
QUEUE = f"miel-bench-{os.getpid()}"
BENCH_ENV = {
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "CELERY_QUEUE": QUEUE,
    "EMAIL_URL": "dummymail://",
    "LOG_LEVEL": "WARNING",
    # 300 messages from one sender on purpose: the per-member limits (issue 16) are off.
    "MESSAGES_PER_MINUTE": "0",
    "NEW_CONVERSATIONS_PER_DAY": "0",
}


def start_worker(log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "miel",
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "-Q",
        QUEUE,
        "-n",
        f"{QUEUE}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603
            cmd,
            cwd=BASE_DIR,
            env={**os.environ, **BENCH_ENV},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_server(port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, **BENCH_ENV}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "miel.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server on {port} did not start:\n{log.read_text()}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, accounts: tuple[str, str, str]) -> None:
    import requests
    from websockets.asyncio.client import connect

    recipient_id, sender_session, recipient_session = accounts
    logs = [Path(tempfile.mkstemp(prefix="miel-bench-", suffix=".log")[1]) for _ in range(3)]
    ports = [free_port() for _ in range(args.servers)]
    procs = [start_worker(logs[2])] + [start_server(p, logs[i]) for i, p in enumerate(ports)]
    socket_port, http_port = ports[0], ports[-1]
    try:
        http = requests.Session()
        http.cookies.set("sessionid", sender_session)
        chat = f"http://127.0.0.1:{http_port}/members/{recipient_id}/chat/"
        http.get(chat, timeout=10).raise_for_status()
        token = http.cookies["csrftoken"]
        headers = {"X-CSRFToken": token, "HX-Request": "true"}

        arrivals: dict[str, float] = {}
        async with connect(
            f"ws://127.0.0.1:{socket_port}/ws/",
            additional_headers={"Cookie": f"sessionid={recipient_session}"},
            origin=f"http://127.0.0.1:{socket_port}",
        ) as ws:

            async def reader() -> None:
                async for raw in ws:
                    event = json.loads(raw)
                    if event.get("type") == "message.new":
                        arrivals[event["message"]["text"]] = time.perf_counter()

            read_task = asyncio.create_task(reader())
            e2e, http_times, health_times = [], [], []
            for i in range(args.warmup + args.messages):
                text = f"bench {i} {time.time_ns()}"
                t0 = time.perf_counter()
                r = await asyncio.to_thread(
                    http.post, chat + "send/", data={"text": text}, headers=headers, timeout=10
                )
                t1 = time.perf_counter()
                r.raise_for_status()
                deadline = t0 + 5
                while text not in arrivals and time.perf_counter() < deadline:
                    await asyncio.sleep(0.0005)
                h0 = time.perf_counter()  # baseline: the cheapest request, same moment
                await asyncio.to_thread(http.get, f"http://127.0.0.1:{http_port}/healthz")
                health = (time.perf_counter() - h0) * 1000
                if i < args.warmup:
                    continue
                health_times.append(health)
                http_times.append((t1 - t0) * 1000)
                if text in arrivals:
                    e2e.append((arrivals[text] - t0) * 1000)
            read_task.cancel()

        lost = args.messages - len(e2e)
        print(
            f"servers={args.servers} (socket on :{socket_port}, POST to :{http_port}) "
            f"messages={args.messages} lost={lost}"
        )
        for name, values in (
            ("post->socket", e2e),
            ("http", http_times),
            ("GET /healthz", health_times),
        ):
            if values:
                print(
                    f"{name:>13}: median {statistics.median(values):6.1f} ms  "
                    f"p95 {pct(values, 95):6.1f} ms  p99 {pct(values, 99):6.1f} ms  "
                    f"max {max(values):6.1f} ms"
                )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)
        for log in logs:
            log.unlink(missing_ok=True)
        from miel.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(QUEUE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--servers", type=int, choices=(1, 2), default=2)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    asyncio.run(run(args, setup_accounts()))


if __name__ == "__main__":
    main()
