"""Attacks on the issue 20 like path: the free allowance under concurrency, the one-statement
insert's rows, premium that lapsed."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from matching import services
from matching.models import Block, Like, UserInteraction
from matching.services import likes as likes_module
from tests.concurrency import run_concurrently
from tests.factories import MemberFactory


@pytest.mark.integration
@pytest.mark.parametrize("lapsed_premium", [False, True])
def test_two_parallel_likes_at_the_free_limit_store_one(
    transactional_db, postgresql_only, settings, monkeypatch, lapsed_premium
):
    settings.LIKES_PER_12_HOURS_FREE = 1
    a, b, c = MemberFactory(), MemberFactory(), MemberFactory()
    if lapsed_premium:
        a.user.premium_until = timezone.now() - timedelta(seconds=1)
        a.user.save(update_fields=["premium_until"])
    original = likes_module._pair_state_of

    def slow_pair_state(row):
        state = original(row)
        time.sleep(0.3)  # both would read "0 likes given" without the liker's lock
        return state

    monkeypatch.setattr(likes_module, "_pair_state_of", slow_pair_state)
    results = run_concurrently(
        [lambda t=t: services.like_toggle(source=a, target=t, like=True) for t in (b, c)]
    )
    outcomes = [
        "limit"
        if isinstance(r, services.LimitReached)
        else "liked"
        if getattr(r, "liked", False)
        else repr(r)
        for r in results
    ]
    assert sorted(outcomes) == ["liked", "limit"]
    assert Like.objects.filter(source=a).count() == 1
    assert UserInteraction.objects.filter(user=a, action="like").count() == 1


def test_the_one_statement_like_stores_what_the_orm_would(postgresql_only, monkeypatch):
    monkeypatch.setattr(likes_module, "push_to_user", lambda *args, **kwargs: None)
    a, b = MemberFactory(), MemberFactory()
    before = timezone.now()
    services.like_toggle(source=a, target=b, like=True, note="hi")
    like = Like.objects.get(source=a, target=b)
    inter = UserInteraction.objects.get(user=a, target=b)
    assert (like.note, like.prompt_id, like.photo_id) == ("hi", None, None)
    assert timezone.is_aware(like.created_at)
    assert like.created_at >= before
    assert (inter.timestamp, inter.weight, inter.duration) == (like.created_at, 2.0, None)
    assert inter.action == "like"
    # toggle off keeps the interaction (the allowance does not give the like back)
    assert not services.like_toggle(source=a, target=b).liked
    assert UserInteraction.objects.filter(user=a, action="like").count() == 1


@pytest.mark.integration
def test_a_like_in_flight_when_a_block_comes_leaves_no_like(
    transactional_db, postgresql_only, monkeypatch
):
    """A like that read the pair before a block committed must not keep its like (or make a
    match) once the block is there: the block takes the pair's lock, so it waits for the like
    to commit and then deletes it (found by an attack run on issue 20's like path)."""
    a, b = MemberFactory(), MemberFactory()
    Like.objects.create(source=b, target=a)  # a's like would complete a match
    monkeypatch.setattr(likes_module, "push_to_user", lambda *args, **kwargs: None)
    original = likes_module._pair_state_of

    def slow_pair_state(row):
        state = original(row)
        time.sleep(0.6)  # the block starts while the like holds the pair's state
        return state

    monkeypatch.setattr(likes_module, "_pair_state_of", slow_pair_state)

    def block_later():
        time.sleep(0.2)
        return services.block_create(blocker=b.user, blocked=a.user)

    results = run_concurrently(
        [
            lambda: services.like_toggle_for(viewer=a.user, user_id=b.user_id, like=True),
            block_later,
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert not Like.objects.filter(source=a, target=b).exists()
    assert not Like.objects.filter(source=b, target=a).exists()
    assert Block.objects.filter(blocker=b.user, blocked=a.user).exists()


@pytest.mark.integration
def test_two_parallel_one_statement_likes_at_the_free_limit_store_one(
    transactional_db, postgresql_only, settings, monkeypatch
):
    """The one-round-trip like (issue 20) counts the allowance under the liker's lock: two
    likes of different members at once, by a free member with one like left, store one; the
    other gets LimitReached (the statement sleeps after counting, so without the lock both
    would count 0 and both insert)."""
    settings.LIKES_PER_12_HOURS_FREE = 1
    a, b, c = MemberFactory(), MemberFactory(), MemberFactory()
    monkeypatch.setattr(likes_module, "push_to_user", lambda *args, **kwargs: None)
    slow = likes_module._LIKE_SQL.replace(" AS room", " AS room, pg_sleep(0.3) AS nap", 1)
    assert slow != likes_module._LIKE_SQL
    monkeypatch.setattr(likes_module, "_LIKE_SQL", slow)
    results = run_concurrently(
        [
            lambda t=t: services.like_toggle_for(viewer=a.user, user_id=t.user_id, like=True)
            for t in (b, c)
        ]
    )
    outcomes = sorted(
        "limit" if isinstance(r, services.LimitReached) else "liked" if r[1].liked else repr(r)
        for r in results
    )
    assert outcomes == ["liked", "limit"]
    assert Like.objects.filter(source=a).count() == 1
    assert UserInteraction.objects.filter(user=a, action="like").count() == 1
