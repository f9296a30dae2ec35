"""Celery application (rules §1): eager in-process by default, a worker + beat on Redis when
``REDIS_URL`` is set. Tasks live in each app's ``tasks.py``.

Every task's ``delay`` / ``apply_async`` goes through :class:`MielTask`: when the broker is
unreachable (Redis down) the task is not queued and the failure is logged instead of raised.
Tasks are queued from ``transaction.on_commit`` after the write they follow has committed, so
raising there answered 500 for a message or like that was already saved (issue 13 item 1).
After a failure, queuing is skipped for ``REDIS_RETRY_SECONDS``. A task that could not be
queued is lost (its e-mail is not sent); the write it followed is kept.
"""

import logging
import os

from celery import Celery, Task

from miel.breaker import UNREACHABLE, Breaker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miel.settings")

logger = logging.getLogger(__name__)

#: Open while the broker was just found unreachable: queuing is skipped (and logged) meanwhile
#: instead of each request waiting for kombu's connection retries (about a second).
broker_breaker = Breaker("celery broker")


class MielTask(Task):
    """A task whose queuing never raises because the broker is unreachable."""

    def apply_async(self, args=None, kwargs=None, *rest, **options):
        """Queue the task; ``None`` (and an error in the log) when the broker cannot be
        reached. Eager runs (tests, embedded default) raise the task's errors as before."""
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, *rest, **options)
        if broker_breaker.is_open:
            logger.error("could not queue task %s (broker down)", self.name)
            return None
        try:
            result = super().apply_async(args, kwargs, *rest, **options)
        except UNREACHABLE as exc:
            broker_breaker.failed()
            logger.error("could not queue task %s (broker unreachable: %s)", self.name, exc)
            return None
        broker_breaker.succeeded()
        return result


app = Celery("miel", task_cls=MielTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
