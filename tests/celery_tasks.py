"""Tasks only the worker-behaviour tests use; a test worker imports them with
``extra_args=["--include", "tests.celery_tasks"]``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.celery_tasks.slow_first_run")
def slow_first_run(marker_dir: str, first_run_seconds: float) -> None:
    """Leave ``started-<n>-<pid>`` in ``marker_dir``; the first run then sleeps
    ``first_run_seconds`` (long enough to be killed in), later runs finish at once. Each run
    that finishes leaves ``done-<pid>``."""
    folder = Path(marker_dir)
    runs = len(list(folder.glob("started-*")))
    (folder / f"started-{runs}-{os.getpid()}").touch()
    if runs == 0:
        time.sleep(first_run_seconds)
    (folder / f"done-{os.getpid()}").touch()
