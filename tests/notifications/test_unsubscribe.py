"""One-click unsubscribe (issue 19 D, RFC 8058): every notification e-mail carries a signed
link (plain text, HTML and the List-Unsubscribe headers) that turns that kind off without
logging in; account e-mails carry none."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tasks import send_welcome_email
from matching import services as matching_services
from notifications.tasks import like_digest
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_socket(monkeypatch):
    monkeypatch.setattr("miel.realtime.send_now", lambda uid, event: True)


def _link(email) -> str:
    header = email.extra_headers["List-Unsubscribe"]
    match = re.fullmatch(r"<(https?://[^>]+)>", header)
    assert match, header
    url = match.group(1)
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in email.body  # the plain-text part
    html = email.alternatives[0][0]
    assert f'href="{url}"' in html
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _match_email(django_capture_on_commit_callbacks):
    dana, yoni = MemberFactory(name="Dana"), MemberFactory(name="Yoni")
    User.objects.filter(pk__in=[dana.user_id, yoni.user_id]).update(language="en")
    matching_services.like_toggle(source=dana, target=yoni)
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    email = next(m for m in mail.outbox if m.to == [dana.user.email])
    return dana, email


def test_get_confirms_and_post_unsubscribes_without_logging_in(django_capture_on_commit_callbacks):
    dana, email = _match_email(django_capture_on_commit_callbacks)
    path = _link(email)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Stop e-mails about new matches?" in page.content.decode()
    dana.user.refresh_from_db()
    assert dana.user.email_notifications["new_match"] is True  # a GET changes nothing
    done = anonymous.post(path)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    dana.user.refresh_from_db()
    assert dana.user.email_notifications["new_match"] is False
    assert dana.user.email_notifications["new_message"] is True  # only that kind


def test_the_mail_providers_one_click_post_unsubscribes(django_capture_on_commit_callbacks):
    dana, email = _match_email(django_capture_on_commit_callbacks)
    response = Client(enforce_csrf_checks=True).post(
        _link(email),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    dana.user.refresh_from_db()
    assert dana.user.email_notifications["new_match"] is False


def test_the_like_digest_unsubscribes_from_likes(django_capture_on_commit_callbacks):
    dana, yoni = MemberFactory(), MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.like_toggle(source=yoni, target=dana)
    assert like_digest() == 1
    Client().post(_link(mail.outbox[-1]))
    dana.user.refresh_from_db()
    assert dana.user.email_notifications["new_like"] is False


def test_a_tampered_token_is_a_404_and_changes_nothing(django_capture_on_commit_callbacks):
    dana, email = _match_email(django_capture_on_commit_callbacks)
    path = _link(email)
    bad = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert Client().post(bad).status_code == 404
    assert Client().get("/unsubscribe/nonsense/").status_code == 404
    dana.user.refresh_from_db()
    assert dana.user.email_notifications["new_match"] is True


def test_account_emails_have_no_unsubscribe_link():
    user = MemberFactory().user
    send_welcome_email(str(user.pk))
    assert len(mail.outbox) == 1
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert "/unsubscribe/" not in mail.outbox[0].body
