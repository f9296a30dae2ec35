"""Live chat at scale (issue 20): 5 000 authenticated sockets spread over the WebSocket server
processes (uvicorn, Redis channel layer), chat messages sent at 300 a second for 20 s as the
chat page sends them (``chat.send`` frames over the senders' own sockets, ``--senders``
members each writing to their share of the 5 000; ``--http`` posts them over HTTP from one
sender instead, the no-socket fallback), then a step search for the highest rate whose p95 stays within 100 ms, then a
reconnect of all sockets at once. Targets: p95 <= 50 ms, p99 <= 100 ms, none lost; reconnect
<= 15 s with no failed handshake.

    BENCH_DB=miel_bench_smart BENCH_REDIS_URL=redis://127.0.0.1:6379/8 BENCH_PORT=9700 \\
        .venv/bin/python bench/ws_scale.py [--sockets 5000] [--rate 300] [--seconds 20] \\
        [--senders 25] [--http]

Uses any complete members of ``BENCH_DB`` (the one ``make bench`` seeded, or the smart-match
bench's), makes them mutual matches of one sender, serves HTTP with gunicorn on ``BENCH_PORT``
and ``/ws/`` with ``BENCH_WS_WORKERS`` uvicorn processes on the next port (helpers of
``bench/run.py``), writes ``bench/results-ws-scale.json`` and prints each target as met / not
met. ``bench/run.py`` calls :func:`scale_targets` for its report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

SOCKETS = 5000
SENDERS = 25
RATE = 300.0
SECONDS = 20.0
STEP_RATES = [25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0, 400.0, 600.0]
RESULTS = BASE_DIR / "bench" / "results-ws-scale.json"


def raise_fd_limit(need: int) -> int:
    """Raise this process's open-file limit (inherited by the servers it starts) to the hard
    limit: 5 000 client sockets plus as many server ends need more than the usual 1 024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, need)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def scale_targets(ws: dict) -> list[dict]:
    """The issue 20 live-chat rows of the report: target, measured, met."""
    d, r = ws["delivery"], ws["reconnect"]
    steps = ws.get("steps") or {}
    p = ws.get("delivery_socket_path")
    lost_ok = d["lost"] == 0 and sum(d["http_status"].values()) == d.get("http_status", {}).get(
        "200", 0
    )
    return [
        {
            "target": f"message -> socket p95 <= 50 ms, p99 <= 100 ms, none lost "
            f"({ws['sockets']:,} sockets, {ws['rate_per_s']:g} msg/s for {ws['seconds']:g} s)",
            "measured": f"p95 {d['p95_ms']} ms, p99 {d['p99_ms']} ms, lost {d['lost']}, "
            f"{ws.get('send_path', 'HTTP POST')} answers {d['http_status']}, "
            f"{d['achieved_rate_per_s']} msg/s, open failures "
            f"{ws['open']['failed']}",
            "met": bool(
                d["p95_ms"] is not None
                and d["p95_ms"] <= 50
                and d["p99_ms"] <= 100
                and lost_ok
                and ws["open"]["failed"] == 0
            ),
        },
        {
            "target": "socket path alone (event published as the send's commit does, no HTTP): "
            "p95 <= 50 ms, p99 <= 100 ms, none lost",
            "measured": (
                f"p95 {p['p95_ms']} ms, p99 {p['p99_ms']} ms, lost {p['lost']}, "
                f"{p['achieved_rate_per_s']} msg/s"
            )
            if p
            else "not run",
            "met": None,
        },
        {
            "target": f"reconnect of {r['sockets']:,} sockets <= 15 s, no failed handshake",
            "measured": f"{r['seconds']} s, {r['failed']} failed",
            "met": r["seconds"] <= 15 and r["failed"] == 0,
        },
        {
            "target": "highest message rate with p95 <= 100 ms (step search)",
            "measured": f"{steps.get('best_rate_per_s')} msg/s "
            f"(steps {[s['rate_per_s'] for s in steps.get('runs', [])]})",
            "met": None,
        },
    ]


def publish_message(user_id: str, text: str) -> bool:
    """A ``message.new`` event to ``user_id``'s sockets through the Redis channel layer, the
    call the chat send makes after its commit (``miel.realtime.send_now``)."""
    from miel.realtime import send_now

    return send_now(user_id, {"type": "message.new", "message": {"text": text}})


def prepare(count: int, senders: int):  # type: ignore[no-untyped-def]
    """``count`` socket users with sessions; one HTTP sender who is a mutual match of all of
    them, and ``senders`` socket senders, each a mutual match of its own share of them
    (Django set up). Returns (logins, HTTP sender's login, [(sender login, its share)])."""
    from accounts.models import User
    from bench import fixtures
    from profiles.models import Member

    users = list(
        User.objects.filter(profile_complete=True, is_active=True, member__isnull=False)
        .exclude(email__startswith="bench-viewer")
        .order_by("email")[: count + 1 + senders]
    )
    if len(users) < count + 1 + senders:
        raise SystemExit(f"need {count + 1 + senders} complete members in the bench database")
    sender = users.pop(0)
    socket_senders = [users.pop(0) for _ in range(senders)]
    logins = fixtures.logins_bulk(users)
    sender_login = fixtures.login(sender)
    fixtures.matched_with(member=Member.objects.get(user=sender), logins=logins)
    shares = []
    for i, user in enumerate(socket_senders):
        share = logins[i::senders]
        fixtures.matched_with(member=Member.objects.get(user=user), logins=share)
        shares.append((fixtures.login(user), share))
    return logins, sender_login, shares


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=SOCKETS)
    parser.add_argument("--rate", type=float, default=RATE)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--senders", type=int, default=SENDERS)
    parser.add_argument("--http", action="store_true", help="send over HTTP from one sender")
    parser.add_argument("--no-steps", action="store_true")
    args = parser.parse_args()

    from bench import run as bench_run

    limit = raise_fd_limit(3 * args.sockets + 1000)
    env = bench_run.bench_env()
    env["CELERY_QUEUE"] = os.environ.get("CELERY_QUEUE", "miel-bench")
    os.environ.update(env)
    import django

    django.setup()
    bench_run.log(f"open files limit {limit}; preparing {args.sockets} socket users")
    logins, sender, shares = prepare(args.sockets, 0 if args.http else args.senders)
    from django.db import connections

    connections.close_all()
    from bench.ws_load import Peer, Sender
    from bench.ws_load import run as ws_run

    http_log = Path(tempfile.mkstemp(prefix="miel-ws-scale-http-", suffix=".log")[1])
    http = bench_run.start_server(env, http_log)
    # One single-process uvicorn per port, the sockets spread over them round-robin as nginx
    # spreads them: one uvicorn with several workers lets the kernel hand a burst of
    # connections to whichever worker wakes first (all 10 senders of a probe on one process).
    ws_ports = [bench_run.PORT + 1 + i for i in range(bench_run.WS_WORKERS)]
    ws_logs = [
        Path(tempfile.mkstemp(prefix=f"miel-ws-scale-ws{p}-", suffix=".log")[1]) for p in ws_ports
    ]
    ws_servers = [
        bench_run.start_server(env, log, port=p, workers=1, asgi=True)
        for p, log in zip(ws_ports, ws_logs, strict=True)
    ]
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    try:
        bench_run.log(
            f"{args.sockets} sockets on {bench_run.WS_WORKERS} uvicorn processes, "
            f"{args.rate:g} msg/s for {args.seconds:g} s, step search, reconnect"
        )
        ws = asyncio.run(
            ws_run(
                host=bench_run.HOST,
                port=bench_run.PORT,
                ws_port=ws_ports[0],
                ws_ports=ws_ports,
                peers=[Peer(lg.user_id, lg.cookie) for lg in logins],
                sender_cookie=sender.cookie,
                sender_csrf=sender.csrf,
                rate=args.rate,
                seconds=args.seconds,
                open_batch=200,
                step_rates=None if args.no_steps else STEP_RATES,
                publish=publish_message,
                senders=[
                    Sender(Peer(lg.user_id, lg.cookie), [p.user_id for p in share])
                    for lg, share in shares
                ]
                or None,
            )
        )
    finally:
        for ws_server in ws_servers:
            bench_run.stop_server(ws_server)
        bench_run.stop_server(http)
    errors = [
        line
        for line in (
            http_log.read_text(errors="replace")
            + "".join(log.read_text(errors="replace") for log in ws_logs)
        ).splitlines()
        if "Error" in line or "Traceback" in line
    ]
    ws["server_errors"] = errors[:20]
    ws["measured_at"] = started
    ws["http_workers"] = bench_run.WORKERS
    ws["ws_workers"] = bench_run.WS_WORKERS
    ws["targets"] = scale_targets(ws)
    RESULTS.write_text(json.dumps(ws, indent=2) + "\n")
    print(json.dumps({k: v for k, v in ws.items() if k != "targets"}, indent=1)[:4000])
    for row in ws["targets"]:
        met = {True: "met", False: "NOT MET", None: "-"}[row["met"]]
        print(f"  [{met:7}] {row['target']}: {row['measured']}")


if __name__ == "__main__":
    main()
