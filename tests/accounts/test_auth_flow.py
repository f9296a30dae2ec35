"""Sign-up, verification, login, reset, welcome e-mail and social buttons (rules §3)."""

from __future__ import annotations

import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import TestCase, override_settings

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def committed(call, *args, **kwargs):
    """Run a request as production does: its after-commit work (account e-mails leave from a
    task queued on commit) runs when it ends, not at the end of the test's transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call(*args, **kwargs)


def signup(client, email="new@example.com"):
    return committed(
        client.post,
        "/accounts/signup/",
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "confirm_adult": "on",
            "accept_terms": "on",
        },
    )


def without_csrf(content: bytes) -> str:
    """Page text with per-request CSRF tokens blanked, so two answers can be compared."""
    text = content.decode()
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "TOKEN", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", text)


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_verification_and_login_waits_for_it(client):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    User.objects.get(email="new@example.com")
    assert len(mail.outbox) == 1
    assert "new@example.com" in mail.outbox[0].to
    # Not logged in until verified.
    assert client.get("/members/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_unverified_login_is_refused_and_resends(client):
    UserFactory(email="wait@example.com", verified=False)
    response = committed(
        client.post, "/accounts/login/", {"login": "wait@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1  # a fresh verification link


def test_confirm_link_verifies_logs_in_and_sends_to_onboarding(client):
    signup(client)
    path = link_in(mail.outbox[0])
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/complete-profile/"
    user = User.objects.get(email="new@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert user.email_verified is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    # Then login with the password works.
    client.logout()
    response = client.post("/accounts/login/", {"login": "new@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/complete-profile/"


def test_confirm_link_expires_after_24_hours(client):
    with time_machine.travel("2026-06-01 10:00 +00:00", tick=False):
        signup(client)
        path = link_in(mail.outbox[0])
    with time_machine.travel("2026-06-02 10:01 +00:00", tick=False):
        client.get(path)
    assert not EmailAddress.objects.get(email="new@example.com").verified
    with time_machine.travel("2026-06-02 09:59 +00:00", tick=False):
        client.get(path)
    assert EmailAddress.objects.get(email="new@example.com").verified


def test_resend_verification_same_page_for_known_and_unknown(client):
    UserFactory(email="pending@example.com", verified=False)
    known = committed(
        client.post, "/accounts/verification/resend/", {"email": "Pending@Example.com"}
    )
    assert len(mail.outbox) == 1
    assert "confirm-email" in mail.outbox[0].body
    unknown = committed(
        client.post, "/accounts/verification/resend/", {"email": "ghost@example.com"}
    )
    assert len(mail.outbox) == 1
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content) == without_csrf(unknown.content)


def test_resend_is_throttled(client):
    UserFactory(email="pending@example.com", verified=False)
    for _ in range(3):
        committed(client.post, "/accounts/verification/resend/", {"email": "pending@example.com"})
    assert len(mail.outbox) == 1


def test_signup_with_other_case_of_existing_email_creates_no_account(client):
    UserFactory(email="a@x.com")
    response = signup(client, email="A@x.com")
    assert response.status_code == 302  # same answer as a fresh sign-up: nothing revealed
    assert User.objects.filter(email__iexact="a@x.com").count() == 1
    assert EmailAddress.objects.filter(email__iexact="a@x.com").count() == 1
    # The owner of a@x.com is told someone tried; no verification link is issued.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@x.com"]
    assert "confirm-email" not in mail.outbox[0].body


def test_database_refuses_case_variant_duplicate():
    from django.db import IntegrityError, transaction

    UserFactory(email="a@x.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="A@X.COM")])


def test_login_with_different_case_works(client):
    UserFactory(email="mixed@example.com")
    response = client.post("/accounts/login/", {"login": "MiXeD@Example.COM", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_wrong_password_is_refused(client):
    UserFactory(email="someone@example.com")
    response = client.post("/accounts/login/", {"login": "someone@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_never_reveals_whether_email_exists(client):
    UserFactory(email="known@example.com")
    known = committed(client.post, "/accounts/password/reset/", {"email": "known@example.com"})
    unknown = committed(client.post, "/accounts/password/reset/", {"email": "unknown@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    done_known = without_csrf(client.get(known["Location"]).content)
    done_unknown = without_csrf(client.get(unknown["Location"]).content)
    assert done_known == done_unknown
    # Both addresses get an e-mail; only the real account gets a reset link.
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.com", "unknown@example.com"]
    known_mail = next(m for m in mail.outbox if m.to == ["known@example.com"])
    unknown_mail = next(m for m in mail.outbox if m.to == ["unknown@example.com"])
    assert "/accounts/password/reset/key/" in known_mail.body
    assert "/accounts/password/reset/key/" not in unknown_mail.body


def test_password_reset_link_sets_new_password(client):
    user = UserFactory(email="known@example.com")
    committed(client.post, "/accounts/password/reset/", {"email": "KNOWN@example.com"})
    path = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url, {"password1": "brand-new-pass-42", "password2": "brand-new-pass-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-42")


def test_change_password_and_logout(client):
    user = UserFactory(email="me@example.com")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-pass-777", "password2": "another-pass-777"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-pass-777")
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_welcome_email_sent_once_on_first_login(client, django_capture_on_commit_callbacks):
    UserFactory(email="hello@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/", {"login": "hello@example.com", "password": PASSWORD})
    welcome = [m for m in mail.outbox if m.to == ["hello@example.com"]]
    assert len(welcome) == 1
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/", {"login": "hello@example.com", "password": PASSWORD})
    assert len([m for m in mail.outbox if m.to == ["hello@example.com"]]) == 1
    assert User.objects.get(email="hello@example.com").welcome_email_sent_at is not None


def test_login_page_has_no_social_buttons_by_default(client, settings):
    assert settings.SOCIALACCOUNT_PROVIDERS == {}
    body = client.get("/accounts/login/").content.decode()
    assert "social-list" not in body
    assert "/accounts/google/login/" not in body


def test_login_page_shows_configured_social_buttons(client):
    providers = {
        "google": {"APPS": [{"client_id": "id", "secret": "s"}], "SCOPE": ["email"]},
        "facebook": {"APPS": [{"client_id": "id", "secret": "s"}], "METHOD": "oauth2"},
    }
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        body = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" in body
    assert "/accounts/facebook/login/" in body
    assert "Continue with Google" in body


@pytest.mark.parametrize("lang", ["he", "en"])
@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_auth_pages_render_in_both_languages(client, lang, path):
    response = client.get(path, headers={"Accept-Language": lang})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{lang}"' in body
    assert ('dir="rtl"' in body) == (lang == "he")
    assert "css/profiles.css" in body
    assert 'class="auth-form"' in body
