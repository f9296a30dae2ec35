"""Likes, matches, the match e-mail, lists (rules §6)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from matching import services
from matching.models import Block, Like, MatchNotification, UserInteraction
from matching.tasks import send_match_email
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_like_toggle_creates_like_interaction_and_notifies_target(
    pushes, sent, django_capture_on_commit_callbacks
):
    a, b = MemberFactory(), MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.like_toggle(source=a, target=b)
    assert (result.liked, result.is_match, result.became_match) == (True, False, False)
    assert Like.objects.filter(source=a, target=b).exists()
    interaction = UserInteraction.objects.get(user=a, target=b)
    assert (interaction.action, interaction.weight) == ("like", 2.0)
    # b is a free member: an anonymous notice (tests/security/test_realtime_privacy.py).
    # like.new, then the bell's count, in one push to b after commit (issue 20)
    assert [(uid, event["type"]) for uid, event in sent] == [
        (b.user_id, "like.new"),
        (b.user_id, "notification.new"),
    ]
    assert sent[0][1] == {"type": "like.new"}
    assert sent[1][1]["unread_count"] == 1
    pushes.assert_not_called()
    assert mail.outbox == []


def test_like_toggle_second_like_creates_mutual_match_and_emails_both_once(
    pushes, django_capture_on_commit_callbacks
):
    a, b = MemberFactory(), MemberFactory()
    services.like_toggle(source=a, target=b)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.like_toggle(source=b, target=a)
    assert result.became_match
    assert result.is_match
    events = [(c.args[0], c.args[1]) for c in pushes.call_args_list]
    assert (a.user_id, "match.new") in events
    assert (b.user_id, "match.new") in events
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.user.email, b.user.email])

    # Unlike and like again: still a match, but no second e-mail.
    services.like_toggle(source=b, target=a, like=False)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.like_toggle(source=b, target=a, like=True)
    assert again.became_match
    assert len(mail.outbox) == 2
    assert MatchNotification.objects.count() == 2


def test_like_toggle_explicit_state_is_idempotent(pushes):
    a, b = MemberFactory(), MemberFactory()
    services.like_toggle(source=a, target=b, like=True)
    second = services.like_toggle(source=a, target=b, like=True)
    assert second.changed is False
    assert Like.objects.count() == 1
    assert UserInteraction.objects.count() == 1
    services.like_toggle(source=a, target=b)  # toggle → unlike
    assert Like.objects.count() == 0


def test_like_toggle_refuses_self_and_blocked(pushes):
    a, b = MemberFactory(), MemberFactory()
    with pytest.raises(ValidationError):
        services.like_toggle(source=a, target=a)
    Block.objects.create(blocker=b.user, blocked=a.user)
    with pytest.raises(ValidationError):
        services.like_toggle(source=a, target=b)


def test_match_email_task_running_twice_sends_once():
    a, b = MemberFactory(), MemberFactory()
    MatchNotification.objects.create(user=a.user, other=b.user)

    first = send_match_email.apply(args=[str(a.user_id), str(b.user_id)]).get()
    second = send_match_email.apply(args=[str(a.user_id), str(b.user_id)]).get()

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    assert b.name in mail.outbox[0].subject


def test_match_email_respects_the_users_switch():
    a, b = MemberFactory(), MemberFactory()
    a.user.email_notifications = {"new_match": False}
    a.user.save()
    MatchNotification.objects.create(user=a.user, other=b.user)
    assert services.match_email_send_once(user_id=a.user_id, other_id=b.user_id) is False
    assert mail.outbox == []


def test_like_view_htmx_returns_button_and_match_dialog(client):
    a, b = MemberFactory(), MemberFactory()
    Like.objects.create(source=b, target=a)
    client.force_login(a.user)

    response = client.post(
        f"/members/{b.user_id}/like/", {"action": "like"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-pressed="true"' in html
    assert 'id="match-dialog"' in html
    assert "hx-swap-oob" in html


def test_like_view_404_for_unknown_blocked_or_self(client):
    a, b = MemberFactory(), MemberFactory()
    client.force_login(a.user)
    assert client.post(f"/members/{a.user_id}/like/").status_code == 404
    assert client.post("/members/0190a000-0000-7000-8000-000000000000/like/").status_code == 404
    Block.objects.create(blocker=b.user, blocked=a.user)
    assert client.post(f"/members/{b.user_id}/like/").status_code == 404
    assert client.get(f"/members/{b.user_id}/like/").status_code == 405


def test_like_view_ignores_offsite_next(client):
    a, b = MemberFactory(), MemberFactory()
    client.force_login(a.user)
    response = client.post(f"/members/{b.user_id}/like/", {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == f"/members/{b.user_id}/"


def test_lists_source_target_mutual(client):
    me, liked, fan, both = MemberFactory(), MemberFactory(), MemberFactory(), MemberFactory()
    Like.objects.create(source=me, target=liked)
    Like.objects.create(source=fan, target=me)
    Like.objects.create(source=me, target=both)
    Like.objects.create(source=both, target=me)
    client.force_login(me.user)

    source = client.get("/lists/?type=source").context["data"]
    mutual_page = client.get("/lists/?type=mutual")
    mutual = mutual_page.context["data"]
    assert {m.pk for m in source.members} == {liked.pk, both.pk}
    assert [m.pk for m in mutual.members] == [both.pk]
    # "Message" opens the chat with that match (it used to link a message-id URL: 404).
    chat = f"/members/{both.user_id}/chat/"
    assert f'href="{chat}"' in mutual_page.content.decode()
    assert client.get(chat).status_code == 200


def test_lists_target_free_sees_count_and_blurred_cards_only(client):
    me = MemberFactory()
    fan = MemberFactory(name="Zebulon", image="/media/photos/zebulon-secret.jpg")
    Like.objects.create(source=fan, target=me)
    client.force_login(me.user)

    free = client.get("/lists/?type=target")
    html = free.content.decode()
    assert free.context["data"].count == 1
    assert "Zebulon" not in html
    assert "zebulon-secret" not in html
    assert str(fan.user_id) not in html
    assert "blurred" in html

    me.user.premium_until = timezone.now() + timedelta(days=1)
    me.user.save()
    premium = client.get("/lists/?type=target").content.decode()
    assert "Zebulon" in premium


def test_unmatch_removes_both_likes(client):
    """Issue 16 (was: only my like): an unmatch removes both likes; see test_unmatch.py."""
    a, b = MemberFactory(), MemberFactory()
    Like.objects.create(source=a, target=b)
    Like.objects.create(source=b, target=a)
    client.force_login(a.user)
    assert client.post(f"/members/{b.user_id}/unmatch/").status_code == 302
    assert not Like.objects.exists()


# --- concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.integration
def test_concurrent_likes_both_directions_end_with_one_match(transactional_db, postgresql_only):
    a, b = MemberFactory(name="Avigail"), MemberFactory(name="Boaz")
    rounds, per_side = 3, 4
    errors: list[str] = []
    statuses: list[int] = []

    def fire(source, target, barrier):
        client = Client()
        client.force_login(source.user)
        try:
            barrier.wait()
            response = client.post(
                f"/members/{target.user_id}/like/",
                {"action": "like"},
                headers={"HX-Request": "true"},
            )
            statuses.append(response.status_code)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    for _ in range(rounds):
        Like.objects.all().delete()
        barrier = threading.Barrier(per_side * 2)
        threads = [
            threading.Thread(target=fire, args=(src, dst, barrier))
            for src, dst in [(a, b), (b, a)] * per_side
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        assert errors == []
        assert set(statuses) == {200}
        assert Like.objects.filter(source=a, target=b).count() == 1
        assert Like.objects.filter(source=b, target=a).count() == 1

    assert MatchNotification.objects.filter(user=a.user, other=b.user).count() == 1
    assert MatchNotification.objects.filter(user=b.user, other=a.user).count() == 1
    match_mails = [m for m in mail.outbox if "Avigail" in m.subject or "Boaz" in m.subject]
    assert sorted(m.to[0] for m in match_mails) == sorted([a.user.email, b.user.email])
    # Each round's first like in a direction recorded one interaction: 2 per round.
    assert UserInteraction.objects.filter(action="like").count() == rounds * 2
