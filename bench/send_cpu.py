"""CPU of one chat message sent over the socket, in process (issue 20, ``docs/performance.md``).

Runs what the socket server runs for a ``chat.send`` frame (``messaging.consumers``'
``_chat_send_answer``: the pair, the send's transaction, the pushes after commit through the
Redis channel layer, sent here from this process's sending loop as an HTTP send sends them)
``N`` times from one sender to its matches on the bench database, and prints per message: this
process's CPU, the CPU of its PostgreSQL backend (``/proc``), Redis's CPU, the SQL statements
and the Redis commands (``INFO commandstats``). No server, socket or load generator in the way,
so the figures move with the machine much less than the live-chat bench's. ``PROFILE=1`` adds a
cProfile (CPU time, cumulative order).

    BENCH_DB=miel_bench_pages BENCH_REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/send_cpu.py   # after bench/run.py seeded it
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _redis_stats(url: str) -> tuple[dict[str, int], int]:
    """(calls per command, redis-server pid) from ``INFO``."""
    import redis

    client = redis.Redis.from_url(url)
    stats = {k.removeprefix("cmdstat_"): v["calls"] for k, v in client.info("commandstats").items()}
    return stats, int(client.info("server")["process_id"])


def main() -> None:
    from bench import run

    os.environ.update(run.bench_env())
    import django

    django.setup()
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import fixtures
    from messaging import consumers
    from miel.realtime import user_group
    from profiles.models import Member

    users = fixtures.ws_users(exclude=set(), count=21)
    sender, recipients = users[0], users[1:]
    fixtures.matched_with(
        member=Member.objects.get(user=sender), logins=fixtures.logins_bulk(recipients)
    )
    # Every member with a socket open, as in the live-chat bench (a push to a member with none
    # costs one round trip and no group_send): a channel in each one's group that nobody reads.
    layer = get_channel_layer()
    for user in users:
        async_to_sync(layer.group_add)(user_group(user.pk), f"specific.bench!{user.pk.hex}")
    send = consumers._chat_send_answer  # what the socket runs in a pool thread
    n = int(os.environ.get("N", "300"))

    def sends(count: int) -> None:
        for i in range(count):
            to = recipients[i % len(recipients)]
            frame = {
                "type": "chat.send",
                "to": str(to.pk),
                "text": f"bench message {i}",
                "client_key": uuid.uuid4().hex,
            }
            answer = send(sender, frame)
            assert answer["type"] == "chat.sent", answer

    sends(20)  # warm: connections, caches, compiled statements
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    redis_url = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    redis_url = redis_url if isinstance(redis_url, str) else redis_url["address"]
    for _ in range(int(os.environ.get("ROUNDS", "3"))):
        before_cmds, redis_pid = _redis_stats(redis_url)
        cpu, pg, rd = time.process_time(), _proc_cpu(backend), _proc_cpu(redis_pid)
        with CaptureQueriesContext(connection) as queries:
            sends(n)
        cpu, pg = time.process_time() - cpu, _proc_cpu(backend) - pg
        rd = _proc_cpu(redis_pid) - rd
        after_cmds, _ = _redis_stats(redis_url)
        cmds = {k: (v - before_cmds.get(k, 0)) / n for k, v in after_cmds.items()}
        cmds = {k: round(v, 2) for k, v in sorted(cmds.items()) if v}
        print(
            f"per message: {cpu / n * 1e3:.2f} ms CPU here, PostgreSQL {pg / n * 1e3:.2f} ms, "
            f"Redis {rd / n * 1e3:.2f} ms; {len(queries) / n:.1f} statements; Redis {cmds}",
            flush=True,
        )
    if os.environ.get("SQL") == "1":
        for q in queries.captured_queries[-12:]:
            print(q["sql"][:300])
    if os.environ.get("PROFILE") == "1":
        profile = cProfile.Profile(time.process_time)
        profile.runcall(sends, n)
        pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_ORDER", "cumulative")).print_stats(
            int(os.environ.get("PROFILE_ROWS", "60"))
        )


if __name__ == "__main__":
    main()
