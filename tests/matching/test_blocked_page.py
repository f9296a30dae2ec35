"""Settings → Blocked members: the list of my blocks (name and photo only) and unblocking
(POST, CSRF, only my own blocks, 404 otherwise); after unblocking the pair see each other again
but the likes deleted by the block, so a previous match, stay gone (rules §6)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from matching import services
from matching.models import Block, Like
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _unblock_url(member) -> str:
    return f"/settings/blocked/{member.user_id}/unblock/"


def _listed_ids(client) -> set:
    page = client.get("/members/?distance=any").context["page"]
    return {card.member.pk for card in page.cards}


def test_settings_links_to_the_blocked_page(member_client):
    member_client.cookies["django_language"] = "en"
    body = member_client.get("/settings/").content.decode()
    assert 'href="/settings/blocked/"' in body
    assert "Blocked members" in body


def test_page_lists_only_my_blocks_with_name_and_photo_only(member_client):
    me = member_client.member
    blocked = MemberFactory(name="Dana Blocked", image="/media/photos/dana.jpg")
    MemberFactory(name="Not Blocked")
    someone_else = MemberFactory(name="Blocked By Other")
    services.block_create(blocker=me.user, blocked=blocked.user)
    services.block_create(blocker=blocked.user, blocked=someone_else.user)  # not mine

    member_client.cookies["django_language"] = "en"
    response = member_client.get("/settings/blocked/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Dana Blocked" in body
    assert "/media/photos/dana.jpg" in body
    assert "Not Blocked" not in body
    assert "Blocked By Other" not in body
    assert blocked.user.email not in body  # no private data
    assert blocked.city not in body
    assert f'action="{_unblock_url(blocked)}"' in body
    assert f"/members/{blocked.user_id}/" not in body.replace(_unblock_url(blocked), "")


def test_empty_state_in_hebrew(member_client):
    member_client.cookies["django_language"] = "he"
    body = member_client.get("/settings/blocked/").content.decode()
    with translation.override("he"):
        expected = translation.gettext("You haven't blocked anyone.")
    assert expected != "You haven't blocked anyone."
    assert expected in body
    assert 'dir="rtl"' in body


def test_unblock_shows_the_pair_to_each_other_again_but_not_the_old_match(client):
    me, other = MemberFactory(), MemberFactory(name="Former Match")
    Like.objects.create(source=me, target=other)
    Like.objects.create(source=other, target=me)
    client.force_login(me.user)
    client.post(f"/members/{other.user_id}/block/")
    assert other.pk not in _listed_ids(client)

    response = client.post(_unblock_url(other))

    assert response.status_code == 302
    assert response["Location"] == "/settings/blocked/"
    assert not Block.objects.exists()
    assert other.pk in _listed_ids(client)
    assert client.get(f"/members/{other.user_id}/").status_code == 200
    assert not Like.objects.exists()  # the match is not restored
    assert "Former Match" not in client.get("/lists/?type=mutual").content.decode()
    client.force_login(other.user)
    assert me.pk in _listed_ids(client)
    assert client.get(f"/members/{me.user_id}/").status_code == 200


def test_cannot_lift_a_block_someone_else_made(client):
    me, blocker, stranger = MemberFactory(), MemberFactory(), MemberFactory()
    services.block_create(blocker=blocker.user, blocked=me.user)
    client.force_login(me.user)

    assert client.post(_unblock_url(blocker)).status_code == 404  # they blocked me
    assert client.post(_unblock_url(stranger)).status_code == 404  # no block at all
    assert Block.objects.filter(blocker=blocker.user, blocked=me.user).exists()


def test_unblock_needs_post_login_and_csrf(client):
    me, other = MemberFactory(), MemberFactory()
    services.block_create(blocker=me.user, blocked=other.user)

    anonymous = client.post(_unblock_url(other))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]

    client.force_login(me.user)
    assert client.get(_unblock_url(other)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(me.user)
    assert strict.post(_unblock_url(other)).status_code == 403
    assert Block.objects.count() == 1


def test_blocked_page_query_count_does_not_grow_with_blocks(
    member_client, django_assert_max_num_queries
):
    me = member_client.member
    for _ in range(5):
        services.block_create(blocker=me.user, blocked=MemberFactory().user)
    with django_assert_max_num_queries(12):
        assert member_client.get("/settings/blocked/").status_code == 200
