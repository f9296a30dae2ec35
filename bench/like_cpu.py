"""CPU per like/pass request next to hello world, in process (issue 20, ``docs/performance.md``).

Django's test client sends the bench's like/pass requests (like, unlike, pass, by a premium
member, on the bench database) and the hello-world view through the whole middleware stack;
``time.process_time`` gives the CPU of each, with no server, wrk or network in the way, and
``/proc`` the CPU PostgreSQL's processes spent meanwhile (nothing else should use them). The
figures move with the machine, the ratio much less. ``PROFILE=1`` adds a cProfile of the
like/pass requests (cumulative order).

    BENCH_DB=miel_bench_pages .venv/bin/python bench/like_cpu.py   # after bench/run.py seeded it
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from bench import run

    os.environ.update(run.bench_env())
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from bench import fixtures
    from profiles.models import Member

    viewers = fixtures.pick_viewers(rng=random.Random(run.SEED))
    targets = fixtures.like_targets(viewer=viewers["dense"], count=48)
    liker = (
        Member.objects.filter(user__profile_complete=True, user__email__startswith="member")
        .exclude(user_id__in=targets)
        .exclude(pk=viewers["dense"].pk)
        .order_by("-id")
        .first()
    )
    assert liker is not None
    User.objects.filter(pk=liker.user_id).update(premium_until=timezone.now() + timedelta(days=30))
    login = fixtures.login(liker.user)
    half = len(targets) // 2
    requests = (
        [(f"/members/{t}/like/", {"action": "like"}) for t in targets[:half]]
        + [(f"/members/{t}/like/", {"action": "unlike"}) for t in targets[:half]]
        + [(f"/members/{t}/pass/", {}) for t in targets[half:]]
    )
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_CSRFTOKEN=login.csrf, HTTP_HX_REQUEST="true")
    client.cookies["sessionid"] = login.session
    client.cookies["csrftoken"] = login.csrf

    per_kind: dict[str, list[float]] = {}  # "like" / "unlike" / "pass": [CPU seconds, count]

    def likes(n: int) -> None:
        for i in range(n):
            path, data = requests[i % len(requests)]
            started = time.process_time()
            body = urlencode(data)  # as wrk sends them (the test client's default is multipart)
            answer = client.post(path, body, content_type="application/x-www-form-urlencoded")
            assert answer.status_code in (200, 204), path
            kind = per_kind.setdefault(data.get("action", "pass"), [0.0, 0])
            kind[0] += time.process_time() - started
            kind[1] += 1

    def hello(n: int) -> None:
        for _ in range(n):
            assert client.get("/_bench/hello").status_code == 200

    from bench.proc_cpu import _groups

    def cpu_ms(func, n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        """(this process's, PostgreSQL's) CPU per request, in ms."""
        started, pg = time.process_time(), _groups().get("postgres", 0.0)
        func(n)
        pg = _groups().get("postgres", 0.0) - pg
        return (time.process_time() - started) / n * 1e3, pg / n * 1e3

    n = int(os.environ.get("N", "480"))
    likes(len(requests) * 2)  # warm: every target liked and unliked once
    hello(100)
    for _ in range(int(os.environ.get("ROUNDS", "3"))):
        per_kind.clear()
        (h, h_pg), (lk, lk_pg) = cpu_ms(hello, n), cpu_ms(likes, n)
        kinds = ", ".join(f"{k} {t / c * 1e3:.3f}" for k, (t, c) in per_kind.items())
        print(
            f"hello world {h:.3f} ms CPU (+ PostgreSQL {h_pg:.3f}), like/pass {lk:.3f} ms CPU"
            f" (+ PostgreSQL {lk_pg:.3f}): {lk / h:.2f}x, with PostgreSQL"
            f" {(lk + lk_pg) / (h + h_pg):.2f}x; ms CPU by kind: {kinds}",
            flush=True,
        )
    if os.environ.get("PROFILE") == "1":
        profile = cProfile.Profile(time.process_time)  # CPU, not waits on the database
        profile.runcall(likes, n)
        order = os.environ.get("PROFILE_ORDER", "cumulative")
        pstats.Stats(profile).sort_stats(order).print_stats(
            int(os.environ.get("PROFILE_ROWS", "60"))
        )


if __name__ == "__main__":
    main()
