"""A member's own copy of a hot page for a few seconds (issue 20, ``miel/page_cache.py``):
served again only while nothing of theirs changed; their writes and every live event pushed
to them renew it; never shared between members, never for a JSON or flash-message answer."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils import translation

from matching.services import like_toggle
from messaging import services as messaging_services
from miel.page_cache import _key, viewer_pages_changed
from tests.conftest import PAGE_CACHE_HIT
from tests.factories import MemberFactory, make_match

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

HIT = PAGE_CACHE_HIT


@pytest.fixture
def alice():
    return MemberFactory(name="Alice")


@pytest.fixture
def bob():
    return MemberFactory(name="Bob")


def _primed(client, member, path):
    """Signed in, with the CSRF cookie a first page sets (its copy is not kept: no cookie
    yet), then one page rendered and kept."""
    client.force_login(member.user)
    client.get(path)
    response = client.get(path)
    assert response.status_code == 200
    assert HIT not in response
    return response


@pytest.mark.parametrize("path", ["/messages/", "/discover/", "/members/", "/lists/?type=target"])
def test_the_same_page_again_is_the_kept_copy(client, alice, path):
    first = _primed(client, alice, path)
    again = client.get(path)
    assert again[HIT] == "hit"
    assert again.content == first.content
    assert "Content-Security-Policy" in again  # the middleware still runs on a hit


def test_a_members_own_write_renews_their_pages(client, alice, bob):
    _primed(client, alice, "/messages/")
    client.post(f"/members/{bob.user_id}/like/", {"action": "like"})
    assert HIT not in client.get("/messages/")


def test_a_message_pushed_to_the_member_shows_on_the_next_page(
    client, alice, bob, django_capture_on_commit_callbacks
):
    make_match(alice, bob)
    _primed(client, alice, "/messages/")
    with django_capture_on_commit_callbacks(execute=True):
        messaging_services.message_send(sender=bob, recipient=alice, text="fresh hello")
    page = client.get("/messages/")
    assert HIT not in page
    assert "fresh hello" in page.content.decode()


def test_a_match_renews_both_members_pages(client, alice, bob, django_capture_on_commit_callbacks):
    _primed(client, alice, "/lists/?type=target")
    with django_capture_on_commit_callbacks(execute=True):
        like_toggle(source=bob, target=alice, like=True)
    assert HIT not in client.get("/lists/?type=target")


def test_copies_are_never_shared_between_members(client, alice, bob):
    _primed(client, alice, "/messages/")
    client.force_login(bob.user)  # the same browser (CSRF cookie), another member
    page = client.get("/messages/")
    assert HIT not in page
    assert client.get("/messages/")[HIT] == "hit"  # his own copy now


def test_each_language_and_csrf_cookie_has_its_own_copy(rf, alice):
    request = rf.get("/messages/", HTTP_COOKIE="csrftoken=a")
    request.user = alice.user
    with translation.override("en"):
        english = _key(request, 1)
    with translation.override("he"):
        hebrew = _key(request, 1)
    other_cookie = rf.get("/messages/", HTTP_COOKIE="csrftoken=b")
    other_cookie.user = alice.user
    with translation.override("en"):
        assert len({english, hebrew, _key(other_cookie, 1), _key(request, 2)}) == 4


def test_json_and_pages_with_a_waiting_message_are_not_kept(client, alice, rf):
    _primed(client, alice, "/messages/")
    assert HIT not in client.get("/members/", HTTP_ACCEPT="application/json")

    # A flash message waiting (as after a redirect): that page shows it once and is not kept.
    storage = CookieStorage(rf.get("/"))
    client.cookies[storage.cookie_name] = storage._encode([Message(messages.INFO, "Saved!")])
    viewer_pages_changed([alice.user_id])
    with_flash = client.get("/messages/")
    assert "Saved!" in with_flash.content.decode()
    after = client.get("/messages/")
    assert HIT not in after
    assert "Saved!" not in after.content.decode()


def test_off_when_the_setting_is_zero(client, alice, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.force_login(alice.user)
    for _ in range(3):
        assert HIT not in client.get("/messages/")


@pytest.mark.django_db(transaction=True)  # the notification's after-commit work in the request
def test_a_like_renews_both_members_pages_in_one_cache_write(client, alice, bob, monkeypatch):
    """Issue 20: a like of a member with no socket open renews the liked member's pages (and
    drops their bell's cached count) in the same cache write as the liker's own renewal, at
    the end of the request; both then render afresh."""
    from miel import page_cache, realtime
    from notifications.selectors import unread_cache_key

    _primed(client, alice, "/messages/")
    bob_client = type(client)()
    _primed(bob_client, bob, "/messages/")
    monkeypatch.setattr(realtime, "has_socket", lambda user_id: False)
    writes: list[set] = []
    original = page_cache.cache.set_many

    def recorded(entries, *args, **kwargs):
        writes.append(set(entries))
        return original(entries, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "set_many", recorded)
    assert client.post(f"/members/{bob.user_id}/like/", {"action": "like"}).status_code == 302
    assert writes == [
        {
            page_cache._version_key(alice.user_id),
            page_cache._version_key(bob.user_id),
            unread_cache_key(bob.user_id),
        }
    ]
    assert HIT not in client.get("/messages/")
    assert HIT not in bob_client.get("/messages/")
    writes.clear()
    page_cache.viewer_pages_changed_soon([bob.user_id])  # outside a request: at once
    assert writes == [{page_cache._version_key(bob.user_id)}]
