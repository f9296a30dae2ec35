"""The shared real-worker helper itself works: a task sent from the test runs in the worker
and its e-mail lands in the worker's mail folder."""

import pytest

from tests.celery_worker import celery_worker
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def test_celery_worker_runs_task_against_test_database(transactional_db, redis_url):
    from accounts.tasks import send_welcome_email

    user = UserFactory(email="helper@example.com")
    with celery_worker() as worker:
        send_welcome_email.delay(str(user.pk))
        worker.wait_for(lambda: len(worker.emails()) == 1)
        (mail,) = worker.emails()
        assert mail["To"] == "helper@example.com"
