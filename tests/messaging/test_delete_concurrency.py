"""Both participants deleting the same message at the same moment on PostgreSQL: the row is
removed (rules §8: deleted by both sides → gone from the database)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from messaging import services
from messaging.models import Message
from tests.factories import MemberFactory


@pytest.mark.usefixtures("postgresql_only")
def test_concurrent_delete_by_both_sides_removes_the_row(transactional_db):
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    for _ in range(5):
        message = services.message_send(sender=alice, recipient=bob, text="bye")
        barrier = threading.Barrier(2)

        def delete(member, message=message, barrier=barrier):
            try:
                barrier.wait()
                services.message_delete(member=member, message=message)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=delete, args=(m,)) for m in (alice, bob)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not Message.objects.filter(pk=message.pk).exists()
