"""A share link ends for good with the match it was made in: when either member's account is
banned (inactive; the partner cannot revoke the creator's link), and after an unmatch or a
block even if the two like each other again later."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from dateshare import services
from matching.models import Like
from tests.factories import MemberFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def _matched_pair_with_a_link(creator, partner):
    """``creator`` and ``partner`` matched, and a live share link of theirs."""
    Like.objects.create(source=creator, target=partner)
    Like.objects.create(source=partner, target=creator)
    return services.date_share_create(
        creator=creator,
        partner=partner,
        starts_at=timezone.now() + timedelta(days=2),
        place="Café Nina",
        time_zone="Asia/Jerusalem",
    )


@pytest.mark.parametrize("banned", ["creator", "partner"])
def test_a_banned_member_ends_the_link(client, banned):
    creator, partner = MemberFactory(name="Dana Levi"), MemberFactory(name="Avi Cohen")
    PhotoFactory(member=partner, is_approved=True)
    share = _matched_pair_with_a_link(creator, partner)
    assert client.get(f"/date/{share.token}/").status_code == 200

    User.objects.filter(pk=(creator if banned == "creator" else partner).user_id).update(
        is_active=False
    )

    assert client.get(f"/date/{share.token}/").status_code == 404
    assert client.get(f"/date/{share.token}/photo/").status_code == 404


@pytest.mark.parametrize("ending", ["unmatch", "block then lift"])
def test_a_link_ended_by_an_unmatch_stays_ended_after_a_new_match(client, ending):
    """The partner's consent was the match the link was made in: once it ended, liking each
    other again later does not bring an old link (already in friends' hands) back."""
    from matching.models import Block
    from matching.services import block_create, unmatch

    creator, partner = MemberFactory(), MemberFactory()
    share = _matched_pair_with_a_link(creator, partner)
    assert client.get(f"/date/{share.token}/").status_code == 200
    if ending == "unmatch":
        unmatch(source=partner, target=creator)
    else:
        block_create(blocker=partner.user, blocked=creator.user)
        Block.objects.all().delete()
    assert client.get(f"/date/{share.token}/").status_code == 404

    Like.objects.create(source=partner, target=creator)
    Like.objects.create(source=creator, target=partner)

    assert client.get(f"/date/{share.token}/").status_code == 404
    assert client.get(f"/date/{share.token}/photo/").status_code == 404
