"""Issue 16: unmatch closes the chat for both at once, removes both likes, hides the member who
unmatched from the other's discovery, and asks for confirmation first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching import services
from matching.models import Like, Unmatch
from matching.selectors.discovery import DiscoverFilters, members_discover, members_discoverable
from messaging import services as messaging_services
from messaging.models import Message
from messaging.selectors import can_message
from tests.factories import MemberFactory, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    alice, bob = MemberFactory(name="Alice"), MemberFactory(name="Bob")
    make_match(alice, bob)
    return alice, bob


def login(client, member):
    client.force_login(member.user)
    client.cookies["django_language"] = "en"
    return client


def test_unmatch_removes_both_likes_and_closes_the_chat_both_ways(pair):
    alice, bob = pair
    messaging_services.message_send(sender=bob, recipient=alice, text="hello")
    assert services.unmatch(source=alice, target=bob)
    assert not Like.objects.exists()
    assert Unmatch.objects.filter(unmatcher=alice.user, other=bob.user).count() == 1
    for sender, recipient in ((alice, bob), (bob, alice)):
        assert not can_message(sender_id=sender.user_id, recipient_id=recipient.user_id)
        with pytest.raises(messaging_services.MessageRefused):
            messaging_services.message_send(sender=sender, recipient=recipient, text="again")
    assert Message.objects.count() == 1  # the old conversation stays readable


def test_unmatch_tells_both_sides_after_commit(
    pair, monkeypatch, django_capture_on_commit_callbacks
):
    alice, bob = pair
    sent = []
    monkeypatch.setattr("miel.realtime.push_now", lambda items: sent.extend(items))
    with django_capture_on_commit_callbacks(execute=True):
        services.unmatch(source=alice, target=bob)
    assert sorted((str(u), e["type"], e["with_user_id"]) for u, e in sent) == sorted(
        [
            (str(alice.user_id), "chat.closed", str(bob.user_id)),
            (str(bob.user_id), "chat.closed", str(alice.user_id)),
        ]
    )


def test_the_unmatcher_is_not_shown_to_the_other_in_discovery(pair):
    alice, bob = pair
    services.unmatch(source=alice, target=bob)
    for_bob = members_discover(viewer=bob.user, filters=DiscoverFilters())
    assert alice.pk not in [c.member.pk for c in for_bob.cards]
    assert not members_discoverable(viewer=bob.user).filter(pk=alice.pk).exists()


def test_removing_a_one_sided_like_is_not_an_unmatch():
    alice, bob = MemberFactory(), MemberFactory()
    Like.objects.create(source=alice, target=bob)
    assert services.unmatch(source=alice, target=bob)
    assert not Like.objects.exists()
    assert not Unmatch.objects.exists()
    assert members_discoverable(viewer=bob.user).filter(pk=alice.pk).exists()


def test_unmatch_asks_for_confirmation_first(pair, client):
    alice, bob = pair
    url = reverse("matching:unmatch", args=[bob.user_id])
    page = login(client, alice).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Unmatch" in body
    assert "Bob" in body
    assert f'action="{url}"' in body
    assert "<script" not in body.split("<main", 1)[-1].split("</main>")[0]
    assert Like.objects.count() == 2  # nothing happened on GET
    response = client.post(url)
    assert response.status_code == 302
    assert not Like.objects.exists()


def test_profile_and_matches_list_link_to_the_confirmation(pair, client):
    alice, bob = pair
    login(client, alice)
    url = reverse("matching:unmatch", args=[bob.user_id])
    profile = client.get(reverse("profiles:member_detail", args=[bob.user_id])).content.decode()
    assert f'href="{url}"' in profile
    lists = client.get(reverse("matching:lists") + "?type=mutual").content.decode()
    assert f'href="{url}"' in lists
