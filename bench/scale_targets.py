"""Issue 20's targets at scale, run by ``make bench`` after its page scenarios (each in its own
process, so they are merged into ``bench/run.py`` with one call):

- smart matches (``bench/smart_matches.py --targets``) on their own database
  ``BENCH_SMART_DB`` (default ``miel_bench_smart``, ``miel_bench_smart_<N>`` for
  ``BENCH_MEMBERS=N`` over 100 000: ~70 000 bulk-created candidates among N members, created
  and migrated when missing), with ratios to ``BENCH_BASELINE`` (default 2c084be);
- live chat at scale (``bench/ws_scale.py``): 5 000 sockets on the bench database.

Each prints its rows as met / not met and writes its JSON (``bench/results-smart.json`` or
``bench/results-smart-<N>.json``, ``bench/results-ws-scale.json``); :func:`run_scale_targets` prints them together again.
``BENCH_SKIP_SCALE=1`` skips both, ``BENCH_SKIP_WS=1`` the sockets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
#: Members in the smart-match database: the candidates, the two viewers and *others*
#: (``bench/smart_matches.py --members``), 100 000 by default and the 1 000 000 column with
#: ``BENCH_MEMBERS=1000000``.
SMART_MEMBERS = int(
    os.environ.get("BENCH_SMART_MEMBERS") or os.environ.get("BENCH_MEMBERS", "100000")
)
SMART_DB = os.environ.get(
    "BENCH_SMART_DB",
    "miel_bench_smart" if SMART_MEMBERS <= 100_000 else f"miel_bench_smart_{SMART_MEMBERS}",
)
SMART_CANDIDATES = int(os.environ.get("BENCH_SMART_CANDIDATES", "70000"))


def _pg_url(db: str) -> str:
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    return f"postgres://{user}@{host}:{port}/{db}"


def _ensure_smart_db(env: dict[str, str]) -> None:
    host = ["-h", os.environ.get("PGHOST", "127.0.0.1"), "-U", os.environ.get("PGUSER", "postgres")]
    exists = subprocess.run(  # noqa: S603
        ["psql", *host, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{SMART_DB}'"],  # noqa: S607, S608 - a bench setting
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["createdb", *host, SMART_DB], check=True)  # noqa: S603, S607
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def _rows(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text()).get("targets", [])
    except (OSError, ValueError):
        return []


def run_scale_targets(*, port: int, redis_url: str) -> list[dict]:
    """Run both scale benchmarks (see module docstring); returns their target rows."""
    if os.environ.get("BENCH_SKIP_SCALE") == "1":
        return []
    rows: list[dict] = []
    smart_env = {
        **os.environ,
        "DATABASE_URL": _pg_url(SMART_DB),
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "miel.settings",
    }
    _ensure_smart_db(smart_env)
    baseline = os.environ.get("BENCH_BASELINE", "2c084be")
    subprocess.run(  # noqa: S603
        [sys.executable, "bench/smart_matches.py", "--candidates", str(SMART_CANDIDATES),
         "--members", str(SMART_MEMBERS), "--repeat", "5", "--targets", "--baseline", baseline],
        cwd=BASE_DIR,
        env=smart_env,
        check=False,
    )  # fmt: skip
    smart_json = (
        "results-smart.json" if SMART_MEMBERS <= 100_000 else f"results-smart-{SMART_MEMBERS}.json"
    )
    rows += _rows(BASE_DIR / "bench" / smart_json)
    if os.environ.get("BENCH_SKIP_WS") != "1":
        ws_env = {**os.environ, "BENCH_PORT": str(port)}
        subprocess.run([sys.executable, "bench/ws_scale.py"], cwd=BASE_DIR, env=ws_env, check=False)
        rows += _rows(BASE_DIR / "bench" / "results-ws-scale.json")
    print("\nissue 20 targets at scale (live chat, smart matches):")
    for row in rows:
        met = {True: "met", False: "NOT MET", None: "-"}[row["met"]]
        print(f"  [{met:7}] {row['target']}: {row['measured']}")
    return rows
