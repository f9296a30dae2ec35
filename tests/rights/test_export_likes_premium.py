"""The data export follows the premium rules of the pages: who liked me is a premium feature
("Liked me"), so a free member's export carries the count of likes received, not the likers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Block, Like
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _export(client, member) -> dict:
    client.force_login(member.user)
    response = client.get("/settings/data/download/")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def liked():
    """``me`` liked by two members, one of whom I blocked (hidden on "Liked me")."""
    me = MemberFactory()
    admirer, blocked = MemberFactory(), MemberFactory()
    Like.objects.create(source=admirer, target=me)
    Like.objects.create(source=blocked, target=me)
    Block.objects.create(blocker=me.user, blocked=blocked.user)
    return me, admirer, blocked


def test_free_member_export_has_the_count_only(client, liked):
    me, admirer, blocked = liked

    data = _export(client, me)
    body = json.dumps(data)

    assert data["likes_received"] == []
    assert data["likes_received_count"] == 1
    assert data["likes_received_visible"] is False
    assert str(admirer.user_id) not in body
    assert str(blocked.user_id) not in json.dumps(data["likes_received"])


def test_expired_premium_is_free(client, liked):
    me, admirer, _blocked = liked
    me.user.premium_until = timezone.now() - timedelta(days=1)
    me.user.save(update_fields=["premium_until"])

    data = _export(client, me)

    assert data["likes_received"] == []
    assert str(admirer.user_id) not in json.dumps(data)


def test_premium_member_export_lists_the_likers_liked_me_shows(client, liked):
    me, admirer, _blocked = liked
    me.user.premium_until = timezone.now() + timedelta(days=30)
    me.user.save(update_fields=["premium_until"])

    data = _export(client, me)

    assert [x["member"] for x in data["likes_received"]] == [str(admirer.user_id)]
    assert data["likes_received_count"] == 1
    assert data["likes_received_visible"] is True
