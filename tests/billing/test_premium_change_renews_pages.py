"""A change of plan renews the member's cached pages (issue 20, ``miel/page_cache.py``): the
Likes page kept while premium named the likers, and must not go on naming them from the cache
after a Stripe webhook (or a staff grant) changed the plan."""

from __future__ import annotations

import pytest
from django.test import Client

from billing.services.premium import premium_grant
from matching.services import like_toggle
from tests.billing.conftest import post_event, start_checkout
from tests.conftest import PAGE_CACHE_HIT
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

HIT = PAGE_CACHE_HIT
LIKES = "/lists/?type=target"


def _kept(client, path):
    client.get(path)
    page = client.get(path)
    assert client.get(path).get(HIT) == "hit"
    return page


def test_a_subscription_ended_by_webhook_stops_the_kept_likes_page(
    member_client, fake_stripe, django_capture_on_commit_callbacks
):
    me = member_client.member
    liker = MemberFactory(name="Bartholomew")
    like_toggle(source=liker, target=me, like=True)
    session_id = start_checkout(fake_stripe, member_client, "basic")
    stripe = Client()  # Stripe's deliveries are not the member's own requests
    for event in fake_stripe.complete_checkout(session_id):
        assert post_event(stripe, event).status_code == 200
    assert "Bartholomew" in _kept(member_client, LIKES).content.decode()

    sub_id = fake_stripe.sessions[session_id]["subscription"]
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(stripe, fake_stripe.cancel_now(sub_id)).status_code == 200

    page = member_client.get(LIKES)
    assert HIT not in page
    assert "Bartholomew" not in page.content.decode()


def test_a_staff_grant_renews_the_kept_pages(member_client, django_capture_on_commit_callbacks):
    me = member_client.member
    like_toggle(source=MemberFactory(name="Bartholomew"), target=me, like=True)
    assert "Bartholomew" not in _kept(member_client, LIKES).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        premium_grant(user=me.user, months=1)
    page = member_client.get(LIKES)
    assert HIT not in page
    assert "Bartholomew" in page.content.decode()
