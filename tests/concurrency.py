"""Running functions at the same moment from several threads, for race tests on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_concurrently(fns: list[Callable[[], object]]) -> list[object]:
    """Call every function of ``fns`` in its own thread, all released together by a barrier;
    each one's result or the exception it raised, in the order they finished. Each thread
    closes its database connection when done."""
    barrier = threading.Barrier(len(fns))
    results: list[object] = []

    def worker(fn: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results.append(fn())
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
