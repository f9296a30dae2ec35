"""What one like costs (rules §6, §16): the queries of a like/unlike request and the statements
of the service, with every rule kept (blocks, match detection, one like per direction)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching import services
from matching.models import Block, Like, UserInteraction
from notifications.models import Notification
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


def test_like_toggle_on_postgresql_is_lock_and_read_then_two_inserts(postgresql_only):
    a, b = MemberFactory(), MemberFactory()
    with CaptureQueriesContext(connection) as ctx:
        result = services.like_toggle(source=a, target=b, like=True)
    statements = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert result.liked
    assert len(statements) == 3
    # the lock, then the read of the pair: two statements in one round trip (issue 20)
    lock, read = statements[0].split("; ", 1)
    assert lock.startswith("SELECT pg_advisory_xact_lock")
    assert "synchronous_commit" not in statements[0]  # likes stay durable
    # a is free: the pair's lock and a's own allowance lock, then the pair with a's count
    assert "hashtextextended('likes:" in lock
    assert "matching_block" in read
    assert "CASE WHEN true THEN (SELECT COUNT(*)" in read
    # the like and its interaction in one statement (issue 20)
    assert statements[1].startswith("WITH liked AS (INSERT INTO matching_like")
    assert "INSERT INTO matching_userinteraction" in statements[1]
    # b's "new like" notification, in the same transaction (no commit of its own); b's
    # account was loaded with the pair, so no query checks that it is active
    assert statements[2].startswith('INSERT INTO "notifications_notification"')
    like = Like.objects.get(source=a, target=b)
    interaction = UserInteraction.objects.get(user=a, target=b)
    assert (interaction.action, interaction.weight, interaction.duration) == ("like", 2.0, None)
    assert interaction.timestamp == like.created_at
    assert (like.note, like.prompt_id, like.prompt_answer, like.photo_id) == ("", None, "", None)

    with CaptureQueriesContext(connection) as ctx:
        again = services.like_toggle(source=a, target=b, like=True)
    assert not again.changed
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))]


def test_a_premium_members_like_takes_no_allowance_lock_and_counts_nothing(postgresql_only):
    """Issue 20: the allowance's lock and count are for members who have an allowance; a
    premium member's likes of different members do not wait for each other."""
    a, b = MemberFactory(), MemberFactory()
    a.user.premium_until = timezone.now() + timedelta(days=30)
    a.user.save(update_fields=["premium_until"])
    with CaptureQueriesContext(connection) as ctx:
        assert services.like_toggle(source=a, target=b, like=True).liked
    sql = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    lock, read = sql[0].split("; ", 1)
    assert "hashtextextended('like:" in lock
    assert "hashtextextended('likes:" not in lock
    assert "CASE WHEN false THEN" in read


def test_a_like_notifies_nobody_whose_loaded_account_is_inactive(pushes_off):
    """The recipient's account as the like loaded it decides (no second look at the row)."""
    a, b = MemberFactory(), MemberFactory()
    b.user.is_active = False  # as like_pair would have loaded a banned member's account
    services.like_toggle(source=a, target=b, like=True)
    assert not Notification.objects.filter(user=b.user).exists()
    c = MemberFactory()
    services.like_toggle(source=a, target=c, like=True)
    assert Notification.objects.filter(user=c.user, kind="like").count() == 1


def test_like_toggle_reads_the_block_under_the_lock(pushes_off):
    a, b = MemberFactory(), MemberFactory()
    Block.objects.create(blocker=a.user, blocked=b.user)
    with pytest.raises(services.likes.ValidationError) as refused:
        services.like_toggle(source=a, target=b, like=True)
    assert refused.value.code == "blocked"
    assert not Like.objects.exists()


def test_a_like_request_reads_both_members_under_the_lock(postgresql_only, pushes_off):
    """Issue 20: the like view's service reads the two members with the pair's state, in the
    lock's round trip (keyed by the two User ids), and refuses what like_pair refused."""
    from django.http import Http404

    a, b = MemberFactory(), MemberFactory()
    with CaptureQueriesContext(connection) as ctx:  # a note: the full path, not one round trip
        target, result = services.like_toggle_for(
            viewer=a.user, user_id=b.user_id, like=True, note="Hi"
        )
    sql = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert (target.pk, result.liked) == (b.pk, True)
    lock, read = sql[0].split("; ", 1)
    low, high = sorted((str(a.user_id), str(b.user_id)))
    assert f"hashtextextended('like:{low}:{high}'" in lock
    assert "FROM profiles_member s CROSS JOIN profiles_member t" in read
    assert sql[1].startswith("WITH liked AS (INSERT INTO matching_like")
    assert len(sql) == 3  # + the notification
    assert Like.objects.filter(source=a, target=b).exists()

    passed = services.pass_member_for(viewer=a.user, user_id=b.user_id)
    assert (passed.source.pk, passed.target.pk) == (a.pk, b.pk)

    gone = MemberFactory()
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    for user_id in (a.user_id, gone.user_id, "not-a-uuid", "01a24714-2ed4-76b0-a621-596d9dc1e5ab"):
        with pytest.raises(Http404):
            services.like_toggle_for(viewer=a.user, user_id=user_id, like=True)
        with pytest.raises(Http404):
            services.pass_member_for(viewer=a.user, user_id=user_id)
    Block.objects.create(blocker=b.user, blocked=a.user)
    with pytest.raises(services.likes.ValidationError) as refused:
        services.like_toggle_for(viewer=a.user, user_id=b.user_id, like=False)
    assert refused.value.code == "blocked"
    assert Like.objects.filter(source=a, target=b).exists()  # nothing changed


@pytest.fixture
def pushes_off(monkeypatch):
    monkeypatch.setattr(services.likes, "push_to_user", lambda *args, **kwargs: None)


@pytest.mark.django_db(transaction=True)
def test_a_like_an_unlike_and_a_pass_are_one_round_trip_each(postgresql_only, client):
    """Issue 20: on PostgreSQL a like (with its interaction and the liked member's
    notification), an unlike and a pass are the pair's lock and one statement, in one query
    string and one implicit transaction: no BEGIN, no COMMIT of their own."""
    from matching.models import Pass

    a, b, c = MemberFactory(), MemberFactory(), MemberFactory()
    Pass.objects.create(source=a, target=b)
    client.force_login(a.user)
    client.get("/")  # the session's first request also writes last-active
    for other, path, data, status in (
        (b, f"/members/{b.user_id}/like/", {"action": "like"}, 200),
        (b, f"/members/{b.user_id}/like/", {"action": "unlike"}, 200),
        (c, f"/members/{c.user_id}/pass/", {}, 204),
    ):
        with CaptureQueriesContext(connection) as ctx:
            answer = client.post(path, data, headers={"HX-Request": "true"})
        assert answer.status_code == status
        sql = [q["sql"] for q in ctx.captured_queries]
        writes = [s for s in sql if "pg_advisory_xact_lock" in s]
        assert len(writes) == 1
        lock, statement = writes[0].split("; ", 1)
        low, high = sorted((str(a.user_id), str(other.user_id)))
        assert f"hashtextextended('like:{low}:{high}', 0)" in lock
        assert statement.startswith("WITH pair AS (")
        assert not [s for s in sql if s in ("BEGIN", "COMMIT")]
        assert not [s for s in sql if s.startswith(("INSERT", "DELETE", "UPDATE"))]
        if data.get("action") == "like":
            assert 'aria-pressed="true"' in answer.content.decode()
            assert Like.objects.filter(source=a, target=b).exists()
        if data.get("action") == "unlike":
            assert 'aria-pressed="false"' in answer.content.decode()
    assert not Like.objects.filter(source=a, target=b).exists()
    assert not Pass.objects.filter(source=a, target=b).exists()  # the like removed the pass
    assert Pass.objects.filter(source=a, target=c).count() == 1
    liked = UserInteraction.objects.get(user=a, target=b)
    assert (liked.action, liked.weight) == ("like", 2.0)
    note = Notification.objects.get(user=b.user)
    assert (note.kind, note.actor_id, note.url) == ("like", a.user_id, f"/members/{a.user_id}/")


def test_the_one_statement_unlike_and_pass_keep_the_rules(postgresql_only, pushes_off):
    """The one-round-trip unlike and pass (issue 20) change nothing for a blocked pair, an
    inactive member or no member (the full path then says why), count an unlike of nothing
    as no change, and keep one pass per pair (a second one refreshes its time)."""
    from django.http import Http404

    from matching.models import Pass

    a, b = MemberFactory(), MemberFactory()
    target, result = services.like_toggle_for(viewer=a.user, user_id=b.user_id, like=False)
    assert (target.pk, target.name, result.liked, result.changed) == (b.pk, b.name, False, False)
    services.like_toggle_for(viewer=a.user, user_id=b.user_id, like=True)
    target, result = services.like_toggle_for(viewer=a.user, user_id=b.user_id, like=False)
    assert (result.liked, result.changed, result.is_match) == (False, True, False)
    assert target.user.is_active
    assert target.user_id == b.user_id
    assert not Like.objects.filter(source=a, target=b).exists()

    first = services.pass_member_for(viewer=a.user, user_id=b.user_id)
    second = services.pass_member_for(viewer=a.user, user_id=b.user_id)
    assert first.pk == second.pk
    assert second.created_at >= first.created_at
    assert (second.source.pk, second.source.user_id, second.target.pk) == (a.pk, a.user_id, b.pk)
    stored = Pass.objects.get(source=a, target=b)
    assert stored.created_at == second.created_at

    c = MemberFactory()
    Like.objects.create(source=a, target=c)
    Block.objects.create(blocker=c.user, blocked=a.user)
    for call in (
        lambda: services.like_toggle_for(viewer=a.user, user_id=c.user_id, like=False),
        lambda: services.pass_member_for(viewer=a.user, user_id=c.user_id),
    ):
        with pytest.raises(services.likes.ValidationError) as refused:
            call()
        assert refused.value.code == "blocked"
    assert Like.objects.filter(source=a, target=c).exists()
    assert not Pass.objects.filter(source=a, target=c).exists()

    gone = MemberFactory()
    Like.objects.create(source=a, target=gone)
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        services.like_toggle_for(viewer=a.user, user_id=gone.user_id, like=False)
    with pytest.raises(Http404):
        services.pass_member_for(viewer=a.user, user_id=gone.user_id)
    assert Like.objects.filter(source=a, target=gone).exists()
    assert not Pass.objects.filter(target=gone).exists()


def test_the_one_statement_like_keeps_the_rules(
    postgresql_only, pushes_off, sent, settings, django_capture_on_commit_callbacks
):
    """The one-round-trip like (issue 20) keeps like_toggle's rules: the liked member's
    notification and like.new (anonymous to a free member, named to a premium one), a second
    like is no change and still removes a pass, a like that completes a match and a like over
    the free allowance take the full path (match notifications; LimitReached with nothing
    stored), a premium liker has no allowance."""
    from matching.models import Pass

    a, b, c, d, e = (MemberFactory(name=f"M{i}") for i in range(5))
    c.user.premium_until = timezone.now() + timedelta(days=30)
    c.user.save(update_fields=["premium_until"])
    with django_capture_on_commit_callbacks(execute=True):
        target, result = services.like_toggle_for(viewer=a.user, user_id=b.user_id, like=True)
    assert (target.pk, result.liked, result.changed, result.is_match) == (b.pk, True, True, False)
    assert sent == [
        (b.user_id, {"type": "like.new"}),
        (b.user_id, {"type": "notification.new", "kind": "like", "unread_count": 1}),
    ]
    sent.clear()
    Pass.objects.create(source=a, target=b)
    with django_capture_on_commit_callbacks(execute=True):
        _target, again = services.like_toggle_for(viewer=a.user, user_id=b.user_id, like=True)
    assert (again.liked, again.changed) == (True, False)
    assert sent == []
    assert not Pass.objects.filter(source=a, target=b).exists()
    assert Notification.objects.filter(user=b.user).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.like_toggle_for(viewer=a.user, user_id=c.user_id, like=True)
    assert sent[0] == (
        c.user_id,
        {"type": "like.new", "from_user_id": str(a.user_id), "name": "M0"},
    )

    Like.objects.create(source=d, target=a)
    _target, matched = services.like_toggle_for(viewer=a.user, user_id=d.user_id, like=True)
    assert (matched.became_match, matched.is_match, matched.changed) == (True, True, True)
    kinds = set(Notification.objects.filter(user__in=[a.user, d.user]).values_list("kind", "user"))
    assert kinds == {("match", a.user_id), ("match", d.user_id)}

    settings.LIKES_PER_12_HOURS_FREE = 3  # a gave 3 likes: b, c, d
    with pytest.raises(services.LimitReached):
        services.like_toggle_for(viewer=a.user, user_id=e.user_id, like=True)
    assert not Like.objects.filter(target=e).exists()
    assert not Notification.objects.filter(user=e.user).exists()
    assert UserInteraction.objects.filter(user=a).count() == 3
    _target, still = services.like_toggle_for(viewer=a.user, user_id=b.user_id, like=True)
    assert (still.liked, still.changed) == (True, False)  # an existing like is no new like

    a.user.premium_until = timezone.now() + timedelta(days=30)
    a.user.save(update_fields=["premium_until"])
    _target, unlimited = services.like_toggle_for(viewer=a.user, user_id=e.user_id, like=True)
    assert unlimited.changed
    assert Notification.objects.get(user=e.user).kind == "like"
