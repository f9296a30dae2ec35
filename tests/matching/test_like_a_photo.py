"""Liking a photo (issue 16): a like may name one of the target's approved photos; others
are refused with 400, and the recipient's Likes show "Liked your photo"."""

from __future__ import annotations

from unittest import mock

import pytest

from matching import services
from matching.models import Like
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pushes():
    with mock.patch("matching.services.push_to_user"):
        yield


def test_a_photo_of_someone_else_is_refused(client):
    liker, owner = MemberFactory(), MemberFactory()
    client.force_login(liker.user)
    response = client.post(
        f"/members/{owner.user_id}/like/", {"action": "like", "photo": "not-an-id"}
    )
    assert response.status_code == 400
    assert not Like.objects.exists()


def test_like_toggle_without_photo_records_none():
    liker, owner = MemberFactory(), MemberFactory()
    services.like_toggle(source=liker, target=owner, like=True)
    assert Like.objects.get().photo is None
