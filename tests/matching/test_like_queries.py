"""What one like costs (rules §6, §16): the queries of a like/unlike request and the statements
of the service, with every rule kept (blocks, match detection, one like per direction)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import services
from matching.models import Block, Like, UserInteraction
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _post(client, member, action):
    return client.post(
        f"/members/{member.user_id}/like/", {"action": action}, headers={"HX-Request": "true"}
    )


def test_like_and_unlike_requests_stay_within_their_query_budget(
    client, django_assert_max_num_queries
):
    a, b = MemberFactory(), MemberFactory()
    client.force_login(a.user)
    client.get("/")  # the session's first request also writes last-active
    # session, user, both members; then the transaction: (lock,) likes + block, the like,
    # the interaction (SQLite adds a savepoint around the like: it has no pair lock), and the
    # liked member's notification (is the account active, the row) in the same transaction.
    with django_assert_max_num_queries(12):
        liked = _post(client, b, "like")
    with django_assert_max_num_queries(8):
        unliked = _post(client, b, "unlike")
    assert 'aria-pressed="true"' in liked.content.decode()
    assert 'aria-pressed="false"' in unliked.content.decode()
    assert not Like.objects.exists()
    assert UserInteraction.objects.filter(user=a, target=b, action="like").count() == 1


def test_like_of_a_blocked_member_is_404_and_changes_nothing(client):
    a, b = MemberFactory(), MemberFactory()
    Block.objects.create(blocker=b.user, blocked=a.user)
    client.force_login(a.user)
    assert _post(client, b, "like").status_code == 404
    assert not Like.objects.exists()
    assert not UserInteraction.objects.exists()


def test_match_response_links_the_chat(client):
    a, b = MemberFactory(), MemberFactory()
    Like.objects.create(source=b, target=a)
    client.force_login(a.user)
    html = _post(client, b, "like").content.decode()
    assert f'data-match-chat href="/members/{b.user_id}/chat/"' in html


def test_like_toggle_on_postgresql_is_lock_read_and_three_inserts(postgresql_only):
    a, b = MemberFactory(), MemberFactory()
    with CaptureQueriesContext(connection) as ctx:
        result = services.like_toggle(source=a, target=b, like=True)
    statements = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert result.liked
    assert len(statements) == 6
    assert "pg_advisory_xact_lock" in statements[0]
    assert "synchronous_commit" not in statements[0]  # likes stay durable
    assert "matching_block" in statements[1]
    assert statements[2].startswith('INSERT INTO "matching_like"')
    assert statements[3].startswith('INSERT INTO "matching_userinteraction"')
    # b's "new like" notification, in the same transaction (no commit of its own)
    assert '"accounts_user"."is_active"' in statements[4]
    assert statements[5].startswith('INSERT INTO "notifications_notification"')

    with CaptureQueriesContext(connection) as ctx:
        again = services.like_toggle(source=a, target=b, like=True)
    assert not again.changed
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))]


def test_like_toggle_reads_the_block_under_the_lock(pushes_off):
    a, b = MemberFactory(), MemberFactory()
    Block.objects.create(blocker=a.user, blocked=b.user)
    with pytest.raises(services.likes.ValidationError) as refused:
        services.like_toggle(source=a, target=b, like=True)
    assert refused.value.code == "blocked"
    assert not Like.objects.exists()


@pytest.fixture
def pushes_off(monkeypatch):
    monkeypatch.setattr(services.likes, "push_to_user", lambda *args, **kwargs: None)
