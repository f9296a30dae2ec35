"""The export's notifications name the other member as the notification centre does: never a
member of a blocked pair (either side blocked), whose like the pages no longer show."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from matching.services import block_create, like_toggle
from tests.factories import MemberFactory
from tests.rights.test_export_likes_premium import _export

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who_blocks", ["the liker", "me"])
def test_a_like_from_a_blocked_pair_is_not_named_even_for_premium(
    client, who_blocks, django_capture_on_commit_callbacks
):
    me, liker = MemberFactory(), MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        like_toggle(source=liker, target=me, like=True)  # a "like" notification names the liker
    if who_blocks == "me":
        block_create(blocker=me.user, blocked=liker.user)
    else:
        block_create(blocker=liker.user, blocked=me.user)
    User.objects.filter(pk=me.user_id).update(premium_until=timezone.now() + timedelta(days=3))

    # The pages show nothing of it: no like on "Liked me", no row in the notification centre.
    client.force_login(me.user)
    assert str(liker.user_id) not in client.get("/lists/?type=target").content.decode()

    data = _export(client, me)
    kinds = [n["kind"] for n in data["notifications"]]
    assert "like" in kinds  # the notification itself is my data
    assert str(liker.user_id) not in json.dumps(data["notifications"])
