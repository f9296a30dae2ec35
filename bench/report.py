"""Markdown tables from a ``make bench`` results file (for docs/performance.md).

.venv/bin/python bench/report.py bench/results-100000.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def render(report: dict) -> str:
    q = report["queries"]
    lines = [
        f"Run of {report['date']} at commit {report['commit']}: {report['members']:,} members, "
        f"{report['settings']['workers']} {report['settings'].get('server', 'uvicorn')} workers, "
        f"{report['settings']['wrk_seconds']} s "
        f"per wrk run, 2 cores shared with other work (load average "
        f"{report['machine']['load_average_at_end'][1]} over the last 5 minutes). Viewers: "
        + ", ".join(f"{k} = {v['city']}" for k, v in report["settings"]["viewers"].items())
        + ".",
        "",
        "| scenario | conn | p50 ms | p95 ms | p99 ms | req/s | errors | queries/req | req/s vs hello |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["http"]:
        ratio = r.get("rps_vs_hello")
        lines.append(
            f"| {r['scenario']} | {r['connections']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['p99_ms']} | {r['rps']} | {r['errors']} | {q.get(r.get('query_key', ''), '')} | "
            f"{'' if ratio is None else f'{ratio:.0%}'} |"
        )
    s = report["smart"]
    lines += [
        "",
        "| smart matches, 1 user (in process) | time | queries |",
        "|---|---:|---:|",
        f"| scoring {s['candidates']:,} candidates (bulk) | {s['score_ms']} ms | "
        f"{s['score_queries']} |",
        f"| uncached: scoring + cache write | {s['uncached_ms']} ms | {s['uncached_queries']} |",
        f"| cached | {s['cached_ms']} ms | {s['cached_queries']} |",
        f"| baseline: one query per candidate | {s['naive_ms']} ms | {s['naive_queries']} |",
    ]
    ws = report.get("ws")
    if ws:
        d, rc = ws["delivery"], ws["reconnect"]
        lines += [
            "",
            "| WebSocket (1 000 sockets) | result |",
            "|---|---|",
            f"| open 1 000 sockets | {ws['open']['seconds']} s, {ws['open']['failed']} failed |",
            f"| {d['messages']} messages at {d['achieved_rate_per_s']} msg/s: POST -> frame | "
            f"p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms, p99 {d['p99_ms']} ms, "
            f"lost {d['lost']}, HTTP {d['http_status']} |",
            f"| the POST alone | p50 {d['http_p50_ms']} ms, p95 {d['http_p95_ms']} ms |",
            f"| reconnect of 1 000 sockets | {rc['seconds']} s, {rc['failed']} failed |",
        ]
    lines += ["", "Ratios to the baselines:", ""]
    lines += [f"- {k}: **{v}**" for k, v in report["ratios"].items()]
    lines += [
        "",
        f"| rules §16 target ({report['members']:,} members) | measured | met |",
        "|---|---|---|",
    ]
    lines += [
        f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |"
        for t in report["targets"]
    ]
    lines += [
        "",
        "Queries per request (whole request, test Client): "
        + ", ".join(f"{k} {v}" for k, v in q.items())
        + f". Total `make bench` runtime: {report['runtime_s']:.0f} s.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1]).read_text())))
