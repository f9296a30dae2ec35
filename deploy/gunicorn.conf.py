"""gunicorn settings for Miel's HTTP servers (Procfile ``web``, deploy/systemd): with
``PROMETHEUS_MULTIPROC_DIR`` set, a worker that exits has its live gauges dropped from
/metrics (prometheus-client's multiprocess mode, miel/metrics.py). Everything else is on the
command line."""

from __future__ import annotations

import os


def child_exit(server, worker) -> None:  # gunicorn hook: a worker process ended
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
