"""Sign-up does the same work whether or not the address is registered (issue 13 item 5): the
password is hashed once either way, and the one e-mail (a verification link, or "you already
have an account" to the owner) leaves from a Celery task queued on commit, never from the
request. Asserted on behaviour, not on timing."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import TestCase

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast, for tests) that counts how many passwords it hashed."""

    algorithm = "counting_md5"
    encoded = 0

    def encode(self, password, salt):  # type: ignore[no-untyped-def]
        CountingHasher.encoded += 1
        return super().encode(password, salt)


@pytest.fixture
def hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_signup_same_work.CountingHasher"]
    CountingHasher.encoded = 0
    return CountingHasher


def _signup(client, email):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "confirm_adult": "on",
            "accept_terms": "on",
        },
    )


@pytest.mark.parametrize("registered", [False, True], ids=["new address", "registered address"])
def test_both_paths_hash_once_and_queue_one_email_task(client, hasher, registered):
    if registered:
        UserFactory(email="taken@example.com")
        hasher.encoded = 0  # the factory's own hash does not count
    email = "taken@example.com" if registered else "fresh@example.com"

    with mock.patch("accounts.tasks.send_account_email.delay") as queued:
        with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
            response = _signup(client, email)
        # Nothing is sent or queued while the request runs ...
        assert mail.outbox == []
        assert queued.call_count == 0
        # ... one task is queued once the transaction commits.
        for callback in callbacks:
            callback()

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"  # the same answer either way
    assert hasher.encoded == 1
    assert queued.call_count == 1
    [payload] = queued.call_args.args
    assert payload["to"] == [email]
    assert User.objects.filter(email__iexact=email).count() == 1


def test_the_task_sends_what_the_request_rendered(client):
    UserFactory(email="taken@example.com")

    with TestCase.captureOnCommitCallbacks(execute=True):
        _signup(client, "fresh@example.com")
        _signup(client, "taken@example.com")

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"fresh@example.com", "taken@example.com"}
    assert "/accounts/confirm-email/" in by_address["fresh@example.com"].body
    assert "/accounts/confirm-email/" not in by_address["taken@example.com"].body
    assert all(m.subject.startswith("Miel · ") for m in mail.outbox)
