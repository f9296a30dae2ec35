"""Two concurrent requests at the quota limit: only one passes (rules §12), on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from assistant import llm, services
from assistant.models import AIMessage, AIUsageLog
from tests.assistant.conftest import make_member


class SlowBackend:
    """Answers after both requests have had the chance to race through the quota check."""

    name = "slow"

    def reply(self, ctx):
        return llm.BackendReply(text="ok", backend=self.name)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_at_the_limit_let_only_one_through(postgresql_only):
    member = make_member()
    user = member.user
    for _ in range(4):  # 4 of 5 used
        services.assistant_message_send(user=user, intent="tips")

    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.assistant_message_send(user=user, text=f"race {i}", backend=SlowBackend())
            result = "ok"
        except services.QuotaExceeded:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert AIUsageLog.objects.filter(user=user).count() == 5
    assert AIMessage.objects.filter(role="user", content__startswith="race").count() == 1
