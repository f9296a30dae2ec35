"""A share link ends when either member's account is banned (inactive): the partner's first
name and photo were shown to the creator's friends because the two were matches on Miel; a
banned creator's link (one the partner cannot revoke) must not go on showing them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from dateshare import services
from matching.models import Like
from tests.factories import MemberFactory, PhotoFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("banned", ["creator", "partner"])
def test_a_banned_member_ends_the_link(client, banned):
    creator, partner = MemberFactory(name="Dana Levi"), MemberFactory(name="Avi Cohen")
    PhotoFactory(member=partner, is_approved=True)
    Like.objects.create(source=creator, target=partner)
    Like.objects.create(source=partner, target=creator)
    share = services.date_share_create(
        creator=creator,
        partner=partner,
        starts_at=timezone.now() + timedelta(days=2),
        place="Café Nina",
        time_zone="Asia/Jerusalem",
    )
    assert client.get(f"/date/{share.token}/").status_code == 200

    User.objects.filter(pk=(creator if banned == "creator" else partner).user_id).update(
        is_active=False
    )

    assert client.get(f"/date/{share.token}/").status_code == 404
    assert client.get(f"/date/{share.token}/photo/").status_code == 404
