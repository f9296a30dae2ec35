"""CPU seconds per process group over a time window, from ``/proc`` (Linux), for the live-chat
bench (issue 20): how much CPU the socket servers, PostgreSQL, Redis and the load generator
spent on, e.g., a reconnect storm, which moves much less with a busy machine than its seconds.

    .venv/bin/python bench/proc_cpu.py sample /tmp/cpu.jsonl &   # one line every 0.5 s
    ... bench/ws_scale.py ...   # prints "reconnect: reopening" / "reconnect: done"
    .venv/bin/python bench/proc_cpu.py window /tmp/cpu.jsonl T0 T1   # T0, T1: Unix times

Groups: each uvicorn process (``uvicorn:<pid>``), gunicorn, the bench client (``ws_scale``),
wrk, postgres, redis.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _groups() -> dict[str, float]:
    tick = os.sysconf("SC_CLK_TCK")
    row: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for needle, key in (
            ("uvicorn", f"uvicorn:{pid}"),
            ("gunicorn", "gunicorn"),
            ("ws_scale", "client"),
            ("wrk", "wrk"),
            ("postgres", "postgres"),
            ("redis-server", "redis"),
        ):
            if needle in cmd:
                row[key] = row.get(key, 0.0) + (int(fields[11]) + int(fields[12])) / tick
                break
    return row


def sample(path: str, every: float = 0.5) -> None:
    """Append ``{"t": unix time, group: CPU seconds so far, ...}`` to ``path`` until killed."""
    with open(path, "w") as out:
        while True:
            out.write(json.dumps({"t": time.time(), **_groups()}) + "\n")
            out.flush()
            time.sleep(every)


def window(path: str, t0: float, t1: float) -> dict[str, float]:
    """CPU seconds each group spent between the samples nearest ``t0`` and ``t1``."""
    with open(path) as f:
        rows = [json.loads(line) for line in f]
    a = min(rows, key=lambda r: abs(r["t"] - t0))
    b = min(rows, key=lambda r: abs(r["t"] - t1))
    out = {k: round(v - a.get(k, 0.0), 2) for k, v in b.items() if k != "t"}
    out["seconds"] = round(b["t"] - a["t"], 2)
    return out


if __name__ == "__main__":
    if sys.argv[1] == "sample":
        sample(sys.argv[2])
    else:
        print(json.dumps(window(sys.argv[2], float(sys.argv[3]), float(sys.argv[4])), indent=1))
