"""The chat send request (rules §8, §16): its queries, its permission answers and its pushes."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from matching.models import Block, UserInteraction
from messaging.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_channel_layer")]


def send_url(member):
    return reverse("messaging:chat_send", kwargs={"user_id": member.user_id})


def masked(response, user_id) -> str:
    """The page with its per-render CSRF token and the requested id masked."""
    page = response.content.decode().replace(str(user_id), "<id>")
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", page)


def statements(ctx) -> list[str]:
    """Captured SQL without the savepoints the test transaction adds around ``atomic``."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_chat_send_is_user_pair_with_the_rule_two_inserts_and_the_badge_besides_the_session(
    alice, bob, client_for, htmx, settings
):
    # An established account (older than a day, approved photo): no daily-limit queries.
    from datetime import timedelta

    from django.utils import timezone

    User.objects.filter(pk=alice.user_id).update(date_joined=timezone.now() - timedelta(days=9))
    type(alice).objects.filter(pk=alice.pk).update(image="/media/photos/a.jpg")
    client = client_for(alice)
    client.post(send_url(bob), {"text": "warm up"}, **htmx)  # last-active write, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(send_url(bob), {"text": "hello"}, **htmx)
    assert response.status_code == 200
    sql = statements(ctx)
    session = [q for q in sql if "django_session" in q]
    # The session is one query with the database engine, none once cached_db has it (Redis).
    assert len(session) == (1 if settings.SESSION_ENGINE.endswith(".db") else 0)
    rest = [q for q in sql if "django_session" not in q]
    # The sender's send lock (issue 16 limits) on PostgreSQL only.
    lock = [q for q in rest if "pg_advisory_xact_lock" in q]
    assert len(lock) == (1 if connection.vendor == "postgresql" else 0)
    rest = [q for q in rest if q not in lock]
    assert len(rest) == 6, "\n".join(sql)
    user, pair, minute, insert_message, insert_interaction, badge = rest
    assert user.startswith("SELECT")
    assert "accounts_user" in user
    # One query loads both members, the recipient's account, the block flag and the likes:
    # the chat rule (issue 16) comes with the pair (issue 20).
    assert "profiles_member" in pair
    assert "matching_block" in pair
    assert "matching_like" in pair
    assert "accounts_user" in pair
    # 30 messages per minute (issue 16): one count on the sender's index.
    assert minute.startswith("SELECT COUNT(*)")
    assert "messaging_message" in minute
    assert insert_message.startswith('INSERT INTO "messaging_message"')
    assert insert_interaction.startswith('INSERT INTO "matching_userinteraction"')
    assert badge.startswith("SELECT COUNT(DISTINCT sender_id)")
    assert "messaging_message" in badge
    assert Message.objects.filter(sender=alice, recipient=bob).count() == 2
    assert UserInteraction.objects.filter(user=alice, target=bob, action="message").count() == 2


@pytest.mark.parametrize("blocker", ["recipient", "sender"])
def test_send_to_a_blocked_pair_is_404_like_a_missing_conversation(
    alice, bob, client_for, htmx, blocker, django_capture_on_commit_callbacks
):
    """rules §6/§8: the blocked (or blocking) sender cannot tell the block from a conversation
    that does not exist: same status and page as an unknown member, nothing saved or pushed."""
    import uuid

    if blocker == "recipient":
        Block.objects.create(blocker=bob.user, blocked=alice.user)
    else:
        Block.objects.create(blocker=alice.user, blocked=bob.user)
    client = client_for(alice)
    nobody = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        blocked = client.post(send_url(bob), {"text": "hi"}, **htmx)
        missing = client.post(
            reverse("messaging:chat_send", kwargs={"user_id": nobody}), {"text": "hi"}, **htmx
        )
    assert blocked.status_code == missing.status_code == 404
    assert masked(blocked, bob.user_id) == masked(missing, nobody)
    assert "block" not in blocked.content.decode().lower()
    assert callbacks == []
    assert not Message.objects.exists()
    assert not UserInteraction.objects.filter(action="message").exists()


def test_send_to_self_inactive_or_incomplete_member_is_404(alice, bob, carol, client_for, htmx):
    User.objects.filter(pk=bob.user_id).update(is_active=False)
    User.objects.filter(pk=carol.user_id).update(profile_complete=False)
    client = client_for(alice)
    for target in (alice, bob, carol):
        assert client.post(send_url(target), {"text": "hi"}, **htmx).status_code == 404
    assert not Message.objects.exists()


def test_send_pushes_both_events_in_one_after_commit_callback(
    alice, bob, client_for, htmx, django_capture_on_commit_callbacks, monkeypatch
):
    sent: list[list] = []
    monkeypatch.setattr("miel.realtime.send_many", lambda items: sent.append(list(items)))
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(send_url(bob), {"text": "hello"}, **htmx)
    assert sent == []  # nothing before commit
    (push,) = callbacks  # Bob is active: no e-mail task either (tests/messaging/test_tasks.py)
    push()
    ((to_bob, to_alice),) = sent
    assert to_bob[0] == bob.user_id
    assert to_bob[1]["type"] == "message.new"
    assert to_bob[1]["unread_count"] == 1
    assert to_alice[0] == alice.user_id
    assert "unread_count" not in to_alice[1]
    assert to_bob[1]["message"] == to_alice[1]["message"]
    assert to_bob[1]["message"]["text"] == "hello"


def test_a_keyed_send_on_postgresql_is_one_insert_and_no_savepoint(alice, bob, postgresql_only):
    """Issue 20: the idempotency key's conflict is ON CONFLICT DO NOTHING in the INSERT itself,
    not an INSERT in a savepoint; a retry with the key still gets the stored message."""
    from messaging import services

    with CaptureQueriesContext(connection) as ctx:
        sent = services.message_send(sender=alice, recipient=bob, text="hi", client_key="k" * 12)
    sql = [q["sql"] for q in ctx.captured_queries]
    inserts = [q for q in sql if q.startswith('INSERT INTO "messaging_message"')]
    assert len(inserts) == 1
    assert "ON CONFLICT" in inserts[0]
    # only message_send's own atomic (a savepoint inside the test's transaction)
    assert len([q for q in sql if q.startswith("SAVEPOINT")]) == 1, sql
    stored = Message.objects.get(pk=sent.pk)
    assert (stored.text, stored.client_key, stored.sender_id, stored.recipient_id) == (
        "hi",
        "k" * 12,
        alice.pk,
        bob.pk,
    )
    assert stored.created == sent.created
    assert stored.created.tzinfo is not None
    assert not sent._state.adding

    again = services.message_send(sender=alice, recipient=bob, text="hi", client_key="k" * 12)
    assert again.pk == sent.pk
    assert Message.objects.filter(sender=alice).count() == 1
    assert UserInteraction.objects.filter(user=alice, target=bob, action="message").count() == 1


@pytest.mark.chat_rule  # makes its own likes
def test_the_pair_reads_the_chat_rule_as_can_message_does(alice, bob):
    """Issue 20: ``chat_send_pair`` answers the chat rule in its own statement (the send then
    asks no more); its answer is :func:`can_message`'s in every state of the pair."""
    from django.http import Http404

    from matching.models import Like
    from messaging.selectors import can_message, chat_send_pair

    def both_ways() -> list[bool | None]:
        answers = []
        for me, other in ((alice, bob), (bob, alice)):
            try:
                _me, recipient = chat_send_pair(user=me.user, other_id=other.user_id)
            except Http404:
                answers.append(None)  # a block: no pair at all
                continue
            assert recipient.may_message == can_message(
                sender_id=me.user_id, recipient_id=other.user_id
            )
            answers.append(recipient.may_message)
        return answers

    assert both_ways() == [False, False]
    Like.objects.create(source=alice, target=bob)
    assert both_ways() == [False, False]
    Like.objects.create(source=bob, target=alice)
    assert both_ways() == [True, True]
    Like.objects.filter(source=alice).delete()
    assert both_ways() == [False, False]
    Like.objects.create(source=alice, target=bob)
    Block.objects.create(blocker=bob.user, blocked=alice.user)
    assert both_ways() == [None, None]


def test_a_send_with_no_limit_on_takes_no_lock(alice, bob, settings):
    """The sender's lock serialises the limit checks (issue 16); with no limit that applies
    (both settings 0) a send takes none and counts nothing."""
    from messaging import services

    settings.MESSAGES_PER_MINUTE = 0
    settings.NEW_CONVERSATIONS_PER_DAY = 0
    with CaptureQueriesContext(connection) as ctx:
        services.message_send(sender=alice, recipient=bob, text="hi")
    sql = statements(ctx)
    assert not [q for q in sql if "pg_advisory_xact_lock" in q or "COUNT(*)" in q], sql
    settings.MESSAGES_PER_MINUTE = 30
    with CaptureQueriesContext(connection) as ctx:
        services.message_send(sender=alice, recipient=bob, text="again")
    sql = statements(ctx)
    assert [q for q in sql if "COUNT(*)" in q]
    assert len([q for q in sql if "pg_advisory_xact_lock" in q]) == (
        1 if connection.vendor == "postgresql" else 0
    )
