"""A notification that comes alone (a moderation outcome: no other live event goes with it)
renews the member's kept pages (issue 20), so the bell on the next page counts it."""

from __future__ import annotations

import pytest

from notifications.services import notification_queue
from tests.conftest import PAGE_CACHE_HIT
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

HIT = PAGE_CACHE_HIT


def test_a_moderation_outcome_shows_on_the_next_page(client, django_capture_on_commit_callbacks):
    me = MemberFactory()
    client.force_login(me.user)
    client.get("/messages/")
    before = client.get("/messages/")
    assert client.get("/messages/").get(HIT) == "hit"
    assert 'id="notif-badge" class="badge bell-badge" hidden' in before.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(user_id=me.user_id, kind="moderation", detail="member:warn")

    page = client.get("/messages/")
    assert HIT not in page
    assert 'id="notif-badge" class="badge bell-badge">1</span>' in page.content.decode()


@pytest.mark.integration
def test_a_like_for_a_member_with_no_socket_counts_nothing_and_still_renews(
    client, redis_layer, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Issue 20: nobody to push to, so no COUNT after commit and no push; the bell's cached
    count is dropped and the kept pages renewed, so the next page counts the like."""
    from django.core.cache import cache

    from matching import services
    from notifications.selectors import unread_cache_key

    me, liker = MemberFactory(), MemberFactory()
    client.force_login(me.user)
    client.get("/messages/")  # sets the CSRF cookie: not kept
    client.get("/messages/")
    assert client.get("/messages/").get(HIT) == "hit"
    assert cache.get(unread_cache_key(me.user_id)) == 0

    with django_capture_on_commit_callbacks() as callbacks:
        services.like_toggle(source=liker, target=me, like=True)
    with django_assert_num_queries(0):  # the announce: no COUNT, no other query
        for callback in callbacks:
            callback()

    assert cache.get(unread_cache_key(me.user_id)) is None
    page = client.get("/messages/")
    assert HIT not in page
    assert 'id="notif-badge" class="badge bell-badge">1</span>' in page.content.decode()


@pytest.mark.integration
def test_a_like_for_a_member_with_a_socket_pushes_the_count(
    redis_layer, django_capture_on_commit_callbacks
):
    from matching import services
    from miel import realtime

    me, liker = MemberFactory(), MemberFactory()
    channel = realtime._run(redis_layer, redis_layer.new_channel)
    realtime._run(redis_layer, redis_layer.group_add, realtime.user_group(me.user_id), channel)
    with django_capture_on_commit_callbacks(execute=True):
        services.like_toggle(source=liker, target=me, like=True)
    first = realtime._run(redis_layer, redis_layer.receive, channel)["event"]
    bell = realtime._run(redis_layer, redis_layer.receive, channel)["event"]
    assert first["type"] == "like.new"
    assert (bell["type"], bell["unread_count"]) == ("notification.new", 1)
