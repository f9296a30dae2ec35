"""Per-IP limits count per client behind the reverse proxy (issue 13 item 2).

Behind README's proxy every request comes from the proxy's address; allauth's per-IP limit
(10 failed logins a minute) then locked every member out at once. With ``TRUSTED_PROXY_COUNT``
= 1 the client is the last ``X-Forwarded-For`` entry; with 0 (default) the header is ignored,
so nobody escapes a limit by sending a header of their own.
"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from miel.client_ip import client_ip
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.5"  # REMOTE_ADDR of every request: README's nginx on the same host


def through_proxy(client_address: str) -> Client:
    """A browser whose requests arrive through the proxy, which appends ``client_address``
    to whatever X-Forwarded-For the browser sent."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def fail_ten_logins(browser: Client) -> None:
    """Ten wrong passwords for ten addresses (so only the per-IP limit, not the per-account
    one, is reached)."""
    for i in range(10):
        browser.post("/accounts/login/", {"login": f"nobody{i}@example.com", "password": "x"})


def signs_in(browser: Client, member) -> bool:
    browser.post("/accounts/login/", {"login": member.user.email, "password": PASSWORD})
    return browser.session.get("_auth_user_id") == str(member.user.pk)


def test_failed_logins_of_one_client_do_not_lock_out_another_behind_the_same_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member = MemberFactory()
    attacker = through_proxy("203.0.113.7")
    fail_ten_logins(attacker)

    assert signs_in(through_proxy("198.51.100.9"), member)
    # The attacker's own address is limited, even with the right password.
    assert not signs_in(attacker, member)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    """Default 0: every request counts for REMOTE_ADDR whatever X-Forwarded-For says, so an
    attacker rotating the header is still limited."""
    assert settings.TRUSTED_PROXY_COUNT == 0
    member = MemberFactory()
    for i in range(10):
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").post(
            "/accounts/login/", {"login": f"nobody{i}@example.com", "password": "x"}
        )
    assert not signs_in(through_proxy("192.0.2.200"), member)


def test_a_client_cannot_choose_its_address_with_one_trusted_proxy(settings):
    """The proxy appends the real address: entries the client wrote are further left."""
    settings.TRUSTED_PROXY_COUNT = 1
    member = MemberFactory()
    for i in range(10):
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.7").post(
            "/accounts/login/", {"login": f"nobody{i}@example.com", "password": "x"}
        )
    assert not signs_in(through_proxy("192.0.2.99, 203.0.113.7"), member)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", PROXY),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies: the leftmost
        (1, " 2001:DB8::1 ", "2001:db8::1"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "203.0.113.7:51234", "203.0.113.7"),
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
    ],
)
def test_client_ip(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
