"""Liking a photo (issue 16): a like may name one of the target's approved photos; others
are refused with 400, and the recipient's Likes show "Liked your photo"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from matching import services
from matching.models import Like
from tests.factories import MemberFactory, PhotoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pushes(pushes):
    """No live events (the shared ``pushes`` mock)."""


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


def _premium(member) -> None:
    member.user.premium_until = timezone.now() + timedelta(days=30)
    member.user.save(update_fields=["premium_until"])


def test_a_like_on_an_approved_photo_records_it_and_premium_sees_which(client):
    liker, owner = MemberFactory(name="Liker"), MemberFactory(name="Owner")
    photo = PhotoFactory(member=owner, is_approved=True)
    client.force_login(liker.user)
    response = client.post(
        f"/members/{owner.user_id}/like/",
        {"action": "like", "photo": str(photo.pk), "note": "That view!"},
    )
    assert response.status_code in (200, 302)
    like = Like.objects.get(source=liker, target=owner)
    assert (like.photo_id, like.note) == (photo.pk, "That view!")

    _premium(owner)
    client.force_login(owner.user)
    body = client.get("/lists/", {"type": "target"}).content.decode()
    assert "Liked your photo" in body
    assert "Liker" in body


def test_a_free_member_learns_only_how_many_likes_were_on_photos(client):
    liker, owner = MemberFactory(name="Secretliker"), MemberFactory(name="Owner")
    photo = PhotoFactory(member=owner, is_approved=True)
    services.like_toggle(source=liker, target=owner, like=True, photo_id=str(photo.pk))
    client.force_login(owner.user)
    body = client.get("/lists/", {"type": "target"}).content.decode()
    assert "One of the likes was on your photo." in body
    assert "Secretliker" not in body
    assert "Liked your photo" not in body


@pytest.mark.parametrize("whose", ["another member's", "pending"])
def test_only_an_approved_photo_of_the_target_can_be_liked(client, whose):
    liker, owner = MemberFactory(), MemberFactory()
    if whose == "pending":
        photo = PhotoFactory(member=owner, is_approved=False)
    else:
        photo = PhotoFactory(member=MemberFactory(), is_approved=True)
    client.force_login(liker.user)
    response = client.post(
        f"/members/{owner.user_id}/like/", {"action": "like", "photo": str(photo.pk)}
    )
    assert response.status_code == 400
    assert not Like.objects.exists()
