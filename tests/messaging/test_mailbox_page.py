"""The mailbox page's cost and contents (rules §8, §16): one query for the page, its rows and
the navigation badge, the same messages whichever way the member is named."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Block
from messaging import selectors, services
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_bob(alice, bob, carol):
    """bob: 12 unread messages from alice, 2 from carol (whom bob then blocks), 3 sent to
    alice, one of alice's starred and one archived by bob, one deleted on his side."""
    received = [services.message_send(sender=alice, recipient=bob, text=f"a{i}") for i in range(12)]
    for i in range(2):
        services.message_send(sender=carol, recipient=bob, text=f"from carol {i}")
    for i in range(3):
        services.message_send(sender=bob, recipient=alice, text=f"b{i}")
    services.message_set_starred(member=bob, message=received[0], starred=True)
    services.message_set_archived(member=bob, message=received[1], archived=True)
    services.message_delete(member=bob, message=received[2])
    Block.objects.create(blocker=bob.user, blocked=carol.user)
    return bob


def test_mailbox_page_is_four_queries_with_the_badge(
    busy_bob, client_for, django_assert_max_num_queries
):
    client = client_for(busy_bob)
    client.get("/messages/")  # the first request of a session also writes last-active
    # session, user (no query with cached sessions), the rows (+ badge), the matches strip
    with django_assert_max_num_queries(4):
        response = client.get("/messages/")
    body = response.content.decode()
    assert response.status_code == 200
    # One conversation (alice); carol's are hidden (blocked).
    assert body.count('class="convo unread"') == 1
    assert "from carol" not in body
    # Its last message is bob's own; alice's 11 not deleted are unread.
    row = response.context["rows"][0]["c"]
    assert (row.last.text, row.mine, row.unread) == ("b2", True, 11)
    # The badge counts conversations with unread messages: alice's, not carol's.
    assert '<span id="unread-badge" class="badge tab-badge">1</span>' in body
    assert f'href="{reverse("messaging:chat", args=[row.other_user_id])}"' in body


def test_mailbox_page_badge_still_counts_on_an_empty_folder(busy_bob, client_for):
    body = client_for(busy_bob).get("/messages/?container=archived").content.decode()
    assert 'class="empty"' in body
    assert '<span id="unread-badge" class="badge tab-badge">1</span>' in body


@pytest.mark.parametrize("container", selectors.Container.ALL)
def test_mailbox_selector_is_one_query_and_names_the_member_either_way(
    busy_bob, container, django_assert_num_queries
):
    by_member = selectors.mailbox_page(member=busy_bob, container=container)
    with django_assert_num_queries(1):
        by_user = selectors.mailbox_page(
            user_id=busy_bob.user_id, container=container, with_unread=True
        )
    assert [m.pk for m in by_user.messages] == [m.pk for m in by_member.messages]
    assert by_user.next_cursor == by_member.next_cursor
    assert by_user.unread == (
        selectors.unread_count(user_id=busy_bob.user_id) if by_user.messages else None
    )
    # The rows carry what the template shows, without another query.
    with django_assert_num_queries(0):
        for m in by_user.messages:
            assert (m.sender.name, m.recipient.image, m.sender.user_id) is not None


def test_mailbox_selector_hides_both_directions_of_a_block(alice, bob, carol):
    services.message_send(sender=alice, recipient=bob, text="to bob")
    services.message_send(sender=bob, recipient=carol, text="to carol")
    Block.objects.create(blocker=carol.user, blocked=bob.user)  # carol blocked bob
    assert selectors.mailbox_page(user_id=bob.user_id, container="outbox").messages == []
    assert [
        m.text for m in selectors.mailbox_page(user_id=bob.user_id, container="inbox").messages
    ] == ["to bob"]


def test_mailbox_selector_pages_follow_the_cursor(alice, bob):
    sent = [services.message_send(sender=alice, recipient=bob, text=f"m{i}") for i in range(23)]
    seen, cursor = [], None
    while True:
        page = selectors.mailbox_page(user_id=bob.user_id, container="inbox", cursor=cursor)
        seen += page.messages
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [m.pk for m in seen] == [m.pk for m in reversed(sent)]


def test_mailbox_of_a_user_without_member_is_empty():
    stranger = MemberFactory()
    user = stranger.user
    stranger.delete()
    page = selectors.mailbox_page(user_id=user.pk, container="inbox", with_unread=True)
    assert (page.messages, page.next_cursor, page.unread) == ([], None, None)
