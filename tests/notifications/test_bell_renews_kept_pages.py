"""A notification that comes alone (a moderation outcome: no other live event goes with it)
renews the member's kept pages (issue 20), so the bell on the next page counts it."""

from __future__ import annotations

import pytest

from notifications.services import notification_queue
from tests.conftest import PAGE_CACHE_HIT
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

HIT = PAGE_CACHE_HIT


def test_a_moderation_outcome_shows_on_the_next_page(client, django_capture_on_commit_callbacks):
    me = MemberFactory()
    client.force_login(me.user)
    client.get("/messages/")
    before = client.get("/messages/")
    assert client.get("/messages/").get(HIT) == "hit"
    assert 'id="notif-badge" class="badge bell-badge" hidden' in before.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(user_id=me.user_id, kind="moderation", detail="member:warn")

    page = client.get("/messages/")
    assert HIT not in page
    assert 'id="notif-badge" class="badge bell-badge">1</span>' in page.content.decode()
