"""Authentication attacks: open redirects, unverified logins, enumeration, brute force,
session fixation, onboarding exemptions and what account e-mails say (rules §3)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, TestCase

from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
EVIL = ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", EVIL)
def test_no_open_redirect_after_login(target):
    member = MemberFactory()
    response = Client().post(
        f"/accounts/login/?next={target}",
        {"login": member.user.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert not response["Location"].startswith("javascript")


@pytest.mark.parametrize("target", EVIL)
def test_no_open_redirect_from_logout_setlang_like_boost(alice_client, bob, target):
    responses = [
        alice_client.post("/i18n/setlang/", {"language": "en", "next": target}),
        alice_client.post(f"/members/{bob.user_id}/like/", {"action": "like", "next": target}),
        alice_client.post("/accounts/logout/", {"next": target}),
    ]
    for response in responses:
        assert response.status_code in (302, 303)
        assert "evil" not in response["Location"]
        assert not response["Location"].startswith("javascript")


def test_unverified_account_cannot_sign_in():
    user = UserFactory(verified=False)
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert client.get("/members/")["Location"].startswith("/accounts/login/")


def test_password_reset_does_not_reveal_accounts():
    member = MemberFactory()
    client = Client()
    known = client.post("/accounts/password/reset/", {"email": member.user.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_failed_logins_are_rate_limited():
    member = MemberFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    statuses = [
        client.post("/accounts/login/", {"login": member.user.email, "password": f"no{i}"})
        for i in range(6)
    ]
    # allauth's default login_failed limit: 5 per 5 minutes for one account.
    last = statuses[-1]
    assert last.status_code == 429 or "Too many failed login attempts" in last.content.decode()
    right = client.post("/accounts/login/", {"login": member.user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session, right.status_code


def test_login_rotates_the_session_key():
    member = MemberFactory()
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["planted"] = "1"
    session.save()
    before = session.session_key
    client.post("/accounts/login/", {"login": member.user.email, "password": PASSWORD})
    assert client.session.session_key != before


def test_incomplete_profile_reaches_only_exempt_pages(bob):
    user = UserFactory(profile_complete=False)
    client = Client()
    client.force_login(user)
    for url in (
        "/members/",
        f"/members/{bob.user_id}/",
        "/stories/strip/",
        "/assistant/",
        "/lists/?type=target",
        "/messages/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/complete-profile/", url
    export = client.get("/settings/data/download/").content.decode()
    assert bob.user.email not in export
    assert bob.name not in client.get("/settings/").content.decode()


def test_account_emails_name_miel_not_example_com(settings):
    settings.SITE_URL = "https://miel.example"
    # Account e-mails leave from a task queued on commit: run it as the request ends.
    with TestCase.captureOnCommitCallbacks(execute=True):
        Client().post(
            "/accounts/signup/",
            {
                "email": "new@example.org",
                "password1": "Long-pass-4921",
                "password2": "Long-pass-4921",
                "confirm_adult": "on",
                "accept_terms": "on",
            },
        )
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "example.com" not in message.body
        assert "Miel" in message.body
