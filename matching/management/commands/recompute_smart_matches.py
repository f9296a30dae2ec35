"""``manage.py recompute_smart_matches [--user EMAIL] [--bench [--repeat N]]`` (rules §11, §14)."""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from matching.smart import smart_match_cache_invalidate, smart_matches_for, smart_matches_recompute
from profiles.models import Member


class Command(BaseCommand):
    help = (
        "Recompute and cache smart matches (6 h cache) for one user (--user) or every complete "
        "member. --bench times one user uncached and cached instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help="e-mail of the user to recompute")
        parser.add_argument(
            "--bench", action="store_true", help="time scoring for --user, uncached and cached"
        )
        parser.add_argument("--repeat", type=int, default=5, help="bench repetitions")

    def handle(self, *args, **options):
        members = Member.objects.select_related("user").filter(
            user__is_active=True, user__profile_complete=True
        )
        if options["user"]:
            members = members.filter(user__email__iexact=options["user"])
            if not members.exists():
                raise CommandError(f"No member with e-mail {options['user']!r}.")
        if options["bench"]:
            if not options["user"]:
                raise CommandError("--bench needs --user EMAIL.")
            return self._bench(members.get(), max(1, options["repeat"]))
        done = 0
        for member in members.iterator(chunk_size=200):
            result = smart_matches_recompute(member=member)
            done += 1
            if options["user"]:
                self.stdout.write(
                    f"{member.user.email}: {result.stats.total} candidates, "
                    f"highest {result.stats.highest}, average {result.stats.average}"
                )
        self.stdout.write(self.style.SUCCESS(f"Recomputed smart matches for {done} member(s)."))

    def _bench(self, member: Member, repeat: int) -> None:
        from matching.smart import score_candidates

        score_ms, uncached_ms, cached_ms = [], [], []
        score_queries = uncached_queries = cached_queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                _results, stats = score_candidates(member=member)
                score_ms.append((time.perf_counter() - t) * 1000)
            score_queries = len(ctx.captured_queries)

            smart_match_cache_invalidate(user=member.user)
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                smart_matches_for(member=member)
                uncached_ms.append((time.perf_counter() - t) * 1000)
            uncached_queries = len(ctx.captured_queries)

            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                cached = smart_matches_for(member=member)
                cached_ms.append((time.perf_counter() - t) * 1000)
            cached_queries = len(ctx.captured_queries)
            assert cached.from_cache
        self.stdout.write(
            f"user {member.user.email}: {stats.total} candidates scored "
            f"(highest {stats.highest}, average {stats.average}) on {connection.vendor}\n"
            f"  score only:                  median {statistics.median(score_ms):7.1f} ms, "
            f"min {min(score_ms):7.1f} ms, {score_queries} queries\n"
            f"  uncached (score + store):    median {statistics.median(uncached_ms):7.1f} ms, "
            f"min {min(uncached_ms):7.1f} ms, {uncached_queries} queries (cache read, "
            f"score, upsert)\n"
            f"  cached (6 h cache hit):      median {statistics.median(cached_ms):7.1f} ms, "
            f"min {min(cached_ms):7.1f} ms, {cached_queries} query"
        )
