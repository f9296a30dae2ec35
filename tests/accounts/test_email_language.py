"""Notification e-mails are written in the recipient's language (User.language), whatever the
site default or the language of the request that triggered them (rules §15)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import User
from accounts.tasks import send_welcome_email
from matching.models import MatchNotification
from matching.tasks import send_match_email
from messaging import services as messaging_services
from messaging import tasks as messaging_tasks
from tests.factories import MemberFactory, make_match

pytestmark = pytest.mark.django_db

HEBREW = re.compile(r"[\u0590-\u05FF]")
PASSWORD = "a-Long-pass-phrase-42"


def _in(language: str, text: str, **params: str) -> str:
    with translation.override(language):
        return translation.gettext(text) % params


def _speaks(member, language: str):
    User.objects.filter(pk=member.user_id).update(language=language)
    member.user.refresh_from_db()
    return member


def test_site_default_is_english_here_so_hebrew_must_come_from_the_user(settings):
    # The autouse fixture of tests/accounts makes English the default: a Hebrew subject below
    # can only come from the recipient's own language.
    assert settings.LANGUAGE_CODE == "en"
    assert _in("he", "It's a match with %(name)s!", name="x") != "It's a match with x!"


def test_match_email_in_each_recipients_language():
    dana = _speaks(MemberFactory(name="Dana"), "he")
    tom = _speaks(MemberFactory(name="Tom"), "en")
    MatchNotification.objects.create(user=dana.user, other=tom.user)
    MatchNotification.objects.create(user=tom.user, other=dana.user)

    with translation.override("en"):  # the triggering request was English
        send_match_email.apply(args=[str(dana.user_id), str(tom.user_id)]).get()
    with translation.override("he"):  # ... or Hebrew
        send_match_email.apply(args=[str(tom.user_id), str(dana.user_id)]).get()

    by_recipient = {m.to[0]: m for m in mail.outbox}
    to_dana, to_tom = by_recipient[dana.user.email], by_recipient[tom.user.email]
    assert to_dana.subject == _in("he", "It's a match with %(name)s!", name="Tom")
    assert HEBREW.search(to_dana.subject)
    assert HEBREW.search(to_dana.body)
    assert to_tom.subject == "It's a match with Dana!"
    assert not HEBREW.search(to_tom.subject)


def test_user_without_a_choice_gets_the_site_default(settings):
    settings.LANGUAGE_CODE = "he"
    a, b = MemberFactory(), MemberFactory(name="Noa")
    assert a.user.language == ""
    MatchNotification.objects.create(user=a.user, other=b.user)
    with translation.override("en"):
        send_match_email.apply(args=[str(a.user_id), str(b.user_id)]).get()
    assert mail.outbox[0].subject == _in("he", "It's a match with %(name)s!", name="Noa")


def test_new_message_email_in_the_recipients_language():
    alice = MemberFactory(name="Alice")
    bob = _speaks(MemberFactory(name="Bob"), "he")
    User.objects.filter(pk=bob.user_id).update(
        last_active_at=timezone.now() - timedelta(minutes=30)
    )
    make_match(alice, bob)  # only matches may chat (issue 16)
    message = messaging_services.message_send(sender=alice, recipient=bob, text="hi")
    mail.outbox.clear()

    with translation.override("en"):
        assert messaging_tasks.message_email_notify(str(message.pk)) == "sent"

    [email] = mail.outbox
    with translation.override("he"):
        from django.template.loader import render_to_string

        expected = render_to_string(
            "messaging/email/new_message_subject.txt", {"sender": alice, "reminder": False}
        ).strip()
    assert email.subject == expected
    assert HEBREW.search(email.subject)


def test_welcome_email_in_the_users_language():
    user = User.objects.create_user("welcome@example.com", PASSWORD, language="he")
    send_welcome_email.apply(args=[str(user.pk)]).get()
    assert HEBREW.search(mail.outbox[0].subject)


def test_language_switcher_remembers_the_choice_on_the_user(client):
    user = User.objects.create_user("switch@example.com", PASSWORD)
    client.force_login(user)

    response = client.post("/i18n/setlang/", {"language": "he", "next": "/settings/"})
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    user.refresh_from_db()
    assert user.language == "he"
    assert client.cookies["django_language"].value == "he"

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"

    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})  # unknown: ignored
    user.refresh_from_db()
    assert user.language == "en"


def test_language_switcher_works_for_visitors(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"


@pytest.mark.parametrize("language", ["en", "he"])
def test_signup_stores_the_page_language(client, language):
    client.cookies["django_language"] = language
    response = client.post(
        "/accounts/signup/",
        {
            "email": f"new-{language}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "confirm_adult": "on",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email=f"new-{language}@example.com").language == language
