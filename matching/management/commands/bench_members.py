"""``manage.py bench_members``: time the members list for logged-in viewers (rules §16).

Renders ``/members/`` through Django's test Client (full middleware, a logged-in user) and the
bare ``members_discover`` selector, for a few viewers (the densest and the most remote member
with a location), and prints median / p95 in ms for page 1 and for page 50 (reached by
following the keyset cursor). A quick in-process check, not the HTTP load test of ``make bench``.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings

from matching.forms import discover_filters_from_query
from matching.selectors.discovery import members_discover
from profiles.models import Member


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.2f} ms  p95 {p95:7.2f} ms"


class Command(BaseCommand):
    help = "Time the members list (page 1 and page 50) for a dense and a remote viewer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--query", default="size=12", help="members-list query string")

    def _viewers(self) -> list[tuple[str, Member]]:
        located = Member.objects.filter(latitude__isnull=False, user__profile_complete=True)
        dense_city = (
            located.values("city").annotate(n=Count("id")).order_by("-n").first() or {}
        ).get("city")
        dense = located.filter(city=dense_city).order_by("id").first()
        remote = located.order_by("latitude").first()
        return [(label, m) for label, m in (("dense", dense), ("remote", remote)) if m]

    @override_settings(ALLOWED_HOSTS=["*"], DEBUG=False)
    def handle(self, *args: Any, **opts: Any) -> None:
        runs, query = opts["runs"], opts["query"]
        self.stdout.write(f"members: {Member.objects.count():,}  query: ?{query}  runs: {runs}")
        for label, viewer in self._viewers():
            client = Client()
            client.force_login(viewer.user)
            url = f"/members/?{query}"
            client.get(url)  # warm caches and the connection
            page_samples = []
            for _ in range(runs):
                t = time.perf_counter()
                response = client.get(url)
                page_samples.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.status_code
            from django.http import QueryDict

            filters, size = discover_filters_from_query(
                QueryDict(query), user=viewer.user, member=viewer
            )
            sel_samples = []
            for _ in range(runs):
                t = time.perf_counter()
                page = members_discover(
                    viewer=viewer.user, filters=filters, page_size=size, viewer_member=viewer
                )
                sel_samples.append((time.perf_counter() - t) * 1000)
            cursor, pages = None, 1
            while pages < 50:
                page = members_discover(
                    viewer=viewer.user,
                    filters=filters,
                    page_size=size,
                    viewer_member=viewer,
                    cursor=cursor,
                )
                if not page.next_cursor:
                    break
                cursor, pages = page.next_cursor, pages + 1
            p50_samples = []
            if cursor:
                for _ in range(runs):
                    t = time.perf_counter()
                    response = client.get(f"{url}&cursor={cursor}", headers={"HX-Request": "true"})
                    p50_samples.append((time.perf_counter() - t) * 1000)
            self.stdout.write(
                f"[{label}] {viewer.city}: total {page.total if page else 0}"
                f"{'+' if page and page.total_is_capped else ''}"
            )
            self.stdout.write(f"  page 1 via Client   {_ms(page_samples)}")
            self.stdout.write(f"  page 1 selector     {_ms(sel_samples)}")
            if p50_samples:
                self.stdout.write(f"  page {pages} via Client  {_ms(p50_samples)}")
            else:
                self.stdout.write(f"  only {pages} page(s) for this viewer")
