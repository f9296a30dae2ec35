"""A task whose worker is killed outright runs again on another worker within the visibility
timeout (issue 13 item 9).

Tasks are acknowledged late (after they ran), so a worker killed with SIGKILL mid-task leaves
its message unacknowledged in Redis; kombu gives it back to the queue once the broker's
visibility timeout has passed (default one hour: e-mails were held that long). Here the
timeout is 3 s (``CELERY_VISIBILITY_TIMEOUT_MINUTES=0.05``) and a second worker on the same
queue must run the task again soon after.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.celery_tasks import slow_first_run
from tests.celery_worker import celery_worker

pytestmark = pytest.mark.integration

VISIBILITY_MINUTES = "0.05"  # 3 seconds
WORKER = {
    "extra_env": {"CELERY_VISIBILITY_TIMEOUT_MINUTES": VISIBILITY_MINUTES},
    "extra_args": ["--include", "tests.celery_tasks"],
}


def test_settings_ack_late_requeue_on_loss_and_take_one_message_at_a_time():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT_MINUTES * 60
    assert options["visibility_timeout"] <= 30 * 60  # minutes, not kombu's hour


def test_a_task_killed_with_its_worker_runs_again_on_a_new_worker(
    transactional_db, redis_url, tmp_path
):
    markers = tmp_path / "markers"
    markers.mkdir()

    def started() -> list[Path]:
        return sorted(markers.glob("started-*"))

    with celery_worker(**WORKER) as first:
        slow_first_run.delay(str(markers), 120)
        first.wait_for(lambda: len(started()) == 1)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
        killed_at = time.monotonic()
        assert not list(markers.glob("done-*"))

        with celery_worker(queue=first.queue, **WORKER) as second:
            second.wait_for(lambda: list(markers.glob("done-*")), timeout=30)
            rerun_after = time.monotonic() - killed_at

    assert len(started()) == 2
    (done,) = markers.glob("done-*")
    assert done.name == f"done-{second.process.pid}"
    assert started()[1].name.endswith(f"-{second.process.pid}")
    # Well within the hour of kombu's default: the 3 s timeout plus a restore sweep and the
    # second worker's start.
    assert rerun_after < 25
