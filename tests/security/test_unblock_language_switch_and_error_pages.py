"""Checks of today's new endpoints: the unblock POST needs the CSRF token and only
lifts the caller's own block; the language switcher (which now also stores User.language)
never redirects off-site; error pages say nothing about the server."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from matching.models import Block

pytestmark = pytest.mark.django_db


def test_unblock_needs_the_csrf_token(csrf_client, alice, bob):
    Block.objects.create(blocker=alice.user, blocked=bob.user)
    url = reverse("matching:unblock", kwargs={"user_id": bob.user_id})
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        assert csrf_client.post(url, **headers).status_code == 403
    assert Block.objects.filter(blocker=alice.user, blocked=bob.user).exists()


def test_unblock_cannot_lift_someone_elses_block(alice_client, alice, bob):
    # Bob blocked Alice: Alice cannot lift it (404), by Bob's id or her own.
    Block.objects.create(blocker=bob.user, blocked=alice.user)
    for target in (bob, alice):
        url = reverse("matching:unblock", kwargs={"user_id": target.user_id})
        assert alice_client.post(url).status_code == 404
    assert Block.objects.filter(blocker=bob.user, blocked=alice.user).exists()


def test_unblock_is_post_only(alice_client, alice, bob):
    Block.objects.create(blocker=alice.user, blocked=bob.user)
    url = reverse("matching:unblock", kwargs={"user_id": bob.user_id})
    assert alice_client.get(url).status_code == 405
    assert Block.objects.exists()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_language_switch_never_redirects_off_site(alice_client, alice, target):
    response = alice_client.post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript")
    assert User.objects.get(pk=alice.user_id).language == "en"


def test_language_switch_ignores_unknown_codes(alice_client, alice):
    before = User.objects.get(pk=alice.user_id).language
    alice_client.post("/i18n/setlang/", {"language": "'; DROP TABLE x; --", "next": "/"})
    assert User.objects.get(pk=alice.user_id).language == before


@override_settings(DEBUG=False)
def test_error_pages_leak_no_details(alice_client):
    response = alice_client.get("/members/not-a-uuid-%27%3Cscript%3E/")
    assert response.status_code == 404
    body = response.content.decode()
    for leak in ("Traceback", "settings.py", "<script>", "URLconf", "Django tried"):
        assert leak not in body
    anonymous = Client(raise_request_exception=False)
    response = anonymous.get("/messages/00000000-0000-0000-0000-000000000000/read/")
    assert response.status_code in (302, 404, 405)
