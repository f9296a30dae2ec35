"""The ``next`` field of like / pass / undo forms: only a path on this site is followed;
anything else (a word, which ``redirect()`` took for a URL name and answered 500 with
NoReverseMatch; another host; control characters) falls back to the default page."""

from __future__ import annotations

import pytest

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "next_value", ["evil", "matching:lists", "a\x00b", "//evil.example/", "/ok\x01/"]
)
def test_a_next_that_is_not_a_local_path_falls_back(client, next_value):
    me, other = MemberFactory(), MemberFactory()
    client.force_login(me.user)
    for url in (f"/members/{other.user_id}/pass/", f"/members/{other.user_id}/like/"):
        response = client.post(url, {"next": next_value, "action": "like"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/members/") or response["Location"].startswith(
            "/discover/"
        )
        assert "evil" not in response["Location"]


def test_a_local_path_is_followed(client):
    me, other = MemberFactory(), MemberFactory()
    client.force_login(me.user)
    response = client.post(f"/members/{other.user_id}/pass/", {"next": "/members/?page=2"})
    assert response["Location"] == "/members/?page=2"
