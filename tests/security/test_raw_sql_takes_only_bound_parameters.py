"""Checks of the hand-written SQL (members list ``NotBlocked``, mailbox and unread
badge, like pair state): user input only ever reaches them as bound parameters, tampered cursors
are refused or ignored, and a block hides both members both ways in each of them (rules §5, §6,
§8)."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from matching.models import Block, Like
from matching.selectors import not_blocked
from matching.selectors.discovery import DiscoverFilters, members_discover
from messaging import selectors as messaging_selectors
from messaging import services as messaging_services
from messaging.models import Message
from profiles.models import Member
from tests.factories import make_match
from tests.matching.factories import viewer_member

pytestmark = pytest.mark.django_db

INJECTIONS = [
    "' OR '1'='1",
    "1) OR 1=1 --",
    "00000000-0000-0000-0000-000000000000' UNION SELECT id FROM accounts_user --",
]


def login(member) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member.user)
    return client


@pytest.fixture
def pair():
    return viewer_member(name="Alice"), viewer_member(name="Bob")


@pytest.mark.parametrize("payload", INJECTIONS)
def test_raw_sql_helpers_refuse_non_uuid_ids(pair, payload):
    _alice, _bob = pair
    with pytest.raises((ValueError, ValidationError)):
        messaging_selectors.unread_count(user_id=payload)
    with pytest.raises((ValueError, ValidationError)):
        messaging_selectors.mailbox_page(container="inbox", user_id=payload)
    with pytest.raises((ValueError, ValidationError)):
        list(Member.objects.filter(not_blocked(user_id=payload)))


@pytest.mark.parametrize("payload", INJECTIONS)
def test_members_list_query_string_injection_is_inert(pair, payload):
    alice, _bob = pair
    client = login(alice)
    for key in ("gender", "interests", "order", "age_min", "distance", "page_size"):
        response = client.get(reverse("matching:member_list"), {key: payload})
        assert response.status_code in (200, 400), key
    # A forged cursor (not signed by us) is a 400, never a 500 or a silently widened list.
    response = client.get(reverse("matching:member_list"), {"cursor": payload})
    assert response.status_code == 400


@pytest.mark.parametrize("payload", INJECTIONS)
def test_mailbox_cursor_injection_is_ignored(pair, payload):
    alice, bob = pair
    make_match(alice, bob)  # only matches may chat (issue 16)
    messaging_services.message_send(sender=bob, recipient=alice, text="hello")
    forged = base64.urlsafe_b64encode(f"2025-01-01T00:00:00+00:00|{payload}".encode()).decode()
    for cursor in (payload, forged):
        response = login(alice).get(reverse("messaging:mailbox"), {"cursor": cursor})
        assert response.status_code == 200
        assert "hello" in response.content.decode()  # treated as the first page


@pytest.mark.parametrize("blocker", ["alice", "bob"])
def test_block_hides_both_ways_in_every_hand_written_query(pair, blocker):
    alice, bob = pair
    make_match(alice, bob)  # only matches may chat (issue 16)
    messaging_services.message_send(sender=bob, recipient=alice, text="to alice")
    messaging_services.message_send(sender=alice, recipient=bob, text="to bob")
    Like.objects.all().delete()  # as block_create does
    a, b = (alice, bob) if blocker == "alice" else (bob, alice)
    Block.objects.create(blocker=a.user, blocked=b.user)
    for me, other in ((alice, bob), (bob, alice)):
        page = members_discover(viewer=me.user, filters=DiscoverFilters())
        assert other.pk not in [c.member.pk for c in page.cards]
        assert messaging_selectors.unread_count(user_id=me.user_id) == 0
        for container in messaging_selectors.Container.ALL:
            assert messaging_selectors.mailbox_page(container=container, member=me).messages == []
            assert (
                messaging_selectors.mailbox_page(container=container, user_id=me.user_id).messages
                == []
            )
        client = login(me)
        like = client.post(reverse("matching:like", kwargs={"user_id": other.user_id}))
        assert like.status_code == 404
        send = client.post(
            reverse("messaging:chat_send", kwargs={"user_id": other.user_id}), {"text": "x"}
        )
        assert send.status_code == 404
    assert not Like.objects.exists()
    assert Message.objects.count() == 2
