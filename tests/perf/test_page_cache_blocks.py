"""A block renews both members' kept pages (issue 20, ``miel/page_cache.py``): whoever
blocked, neither side's chat, profile page, Chats list or matches list goes on showing the
other from the cache."""

from __future__ import annotations

import pytest

from matching.services import block_create
from tests.conftest import PAGE_CACHE_HIT
from tests.factories import MemberFactory, make_match

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

HIT = PAGE_CACHE_HIT


@pytest.mark.parametrize("page", ["chat", "profile", "chats", "matches"])
@pytest.mark.parametrize("who_blocks", ["the other", "the viewer"])
def test_a_block_either_way_ends_the_kept_pages(
    client, page, who_blocks, django_capture_on_commit_callbacks
):
    viewer, other = MemberFactory(name="Alicia"), MemberFactory(name="Bartholomew")
    make_match(viewer, other)
    path = {
        "chat": f"/members/{other.user_id}/chat/",
        "profile": f"/members/{other.user_id}/",
        "chats": "/messages/",
        "matches": "/lists/?type=mutual",
    }[page]
    client.force_login(viewer.user)
    client.get(path)
    assert "Bartholomew" in client.get(path).content.decode()
    assert client.get(path)[HIT] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        if who_blocks == "the other":
            block_create(blocker=other.user, blocked=viewer.user)
        else:
            block_create(blocker=viewer.user, blocked=other.user)

    again = client.get(path)
    assert HIT not in again
    assert "Bartholomew" not in again.content.decode()
