"""Every e-mail (verification, password reset, welcome, match, message, payment, moderation
outcome) is branded and in the recipient's language: subject and body in Hebrew for a Hebrew
recipient and English for an English one, the site called by its name (never a host:port or
the sites framework's "example.com"), with a plain-text and an HTML part."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import User
from accounts.tasks import send_welcome_email
from billing.models import Transaction
from billing.tasks import send_payment_failed_email
from matching.models import MatchNotification, Report
from matching.tasks import send_match_email
from messaging import services as messaging_services
from messaging import tasks as messaging_tasks
from miel.emails import html_from_text
from safety.models import ModerationDecision
from safety.tasks import decision_email_send
from tests.factories import MemberFactory, make_match

pytestmark = pytest.mark.django_db

HEBREW = re.compile(r"[\u0590-\u05FF]")
PASSWORD = "a-Long-pass-phrase-42"
LANGUAGES = ["he", "en"]


@pytest.fixture(autouse=True)
def _after_commit_work_runs_at_once(monkeypatch):
    """Account e-mails leave from a task queued on commit (issue 13 item 5: sign-up does the
    same work for a new and a registered address); these tests read the outbox right after the
    request, so after-commit work runs at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


FORBIDDEN = ("127.0.0.1", "example.com", "localhost", "testserver")


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.SITE_URL = "https://miel.app"
    settings.SITE_NAME = "Miel"


def _other(language: str) -> str:
    return "en" if language == "he" else "he"


def _speaker(language: str, name: str = "Noa"):
    member = MemberFactory(name=name)
    User.objects.filter(pk=member.user_id).update(
        language=language, email=f"{name.lower()}-{language}@mail.test"
    )
    member.user.refresh_from_db()
    return member


def _check(email, language: str) -> str:
    """The e-mail is in ``language``, branded, with text + HTML; returns the HTML."""
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert email.body.strip()
    for part in (email.subject, email.body, html):
        for word in FORBIDDEN:
            assert word not in part, (word, part[:300])
    if language == "he":
        assert HEBREW.search(email.subject), email.subject
        assert HEBREW.search(email.body)
        assert 'lang="he" dir="rtl"' in html
        # Gender-neutral, correct Hebrew: no slash forms such as "שלח/ה".
        assert not re.search(r"[\u05d0-\u05ea]/[\u05d0-\u05ea]", email.body)
    else:
        assert not HEBREW.search(email.subject), email.subject
        assert not HEBREW.search(email.body.replace("Noa", "")), email.body
        assert 'lang="en" dir="ltr"' in html
    assert "Miel" in html
    assert "#f2a93b" in html  # Miel's honey colour
    return html


@pytest.mark.parametrize("language", LANGUAGES)
def test_verification_email(client, language):
    client.cookies["django_language"] = language
    response = client.post(
        "/accounts/signup/",
        {
            "email": f"new-{language}@mail.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "confirm_adult": "on",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.subject.startswith("Miel · ")
    with translation.override(language):
        assert translation.gettext("Confirm your e-mail address") in email.subject
    html = _check(email, language)
    assert "/accounts/confirm-email/" in email.body
    assert "/accounts/confirm-email/" in html
    assert "Hello from" not in email.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_password_reset_email_in_the_accounts_language(client, language):
    User.objects.create_user(f"reset-{language}@mail.test", PASSWORD, language=language)
    client.cookies["django_language"] = _other(language)  # asked from the other language
    response = client.post("/accounts/password/reset/", {"email": f"reset-{language}@mail.test"})
    assert response.status_code == 302
    [email] = mail.outbox
    with translation.override(language):
        assert translation.gettext("Reset your password") in email.subject
    html = _check(email, language)
    assert "/accounts/password/reset/key/" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_welcome_email(language):
    user = User.objects.create_user(f"welcome-{language}@mail.test", PASSWORD, language=language)
    send_welcome_email.apply(args=[str(user.pk)]).get()
    [email] = mail.outbox
    html = _check(email, language)
    assert "https://miel.app/members/" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_match_email(language):
    me = _speaker(language)
    other = MemberFactory(name="Dana")
    MatchNotification.objects.create(user=me.user, other=other.user)
    with translation.override(_other(language)):
        send_match_email.apply(args=[str(me.user_id), str(other.user_id)]).get()
    [email] = mail.outbox
    _check(email, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_new_message_email(language):
    sender = MemberFactory(name="Dana")
    recipient = _speaker(language)
    User.objects.filter(pk=recipient.user_id).update(
        last_active_at=timezone.now() - timedelta(minutes=30)
    )
    make_match(sender, recipient)
    message = messaging_services.message_send(sender=sender, recipient=recipient, text="hi")
    mail.outbox.clear()
    with translation.override(_other(language)):
        assert messaging_tasks.message_email_notify(str(message.pk)) == "sent"
    [email] = mail.outbox
    html = _check(email, language)
    with translation.override(language):
        assert translation.gettext("Read and reply") in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_payment_failed_email(language):
    me = _speaker(language)
    Transaction.objects.create(
        id=f"in_{language}",
        user=me.user,
        amount=Decimal("29.90"),
        plan_id="premium_monthly",
        status=Transaction.Status.FAILED,
    )
    with translation.override(_other(language)):
        assert send_payment_failed_email.apply(args=[str(me.user_id), f"in_{language}"]).get()
    [email] = mail.outbox
    _check(email, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["member", "reporter"])
def test_moderation_outcome_email(language, role):
    reported = _speaker(language, "Noa") if role == "member" else MemberFactory(name="Noa")
    reporter = _speaker(language, "Tal") if role == "reporter" else MemberFactory(name="Tal")
    report = Report.objects.create(
        reporter=reporter.user, reported=reported.user, reason=Report.Reason.values[0]
    )
    decision = ModerationDecision.objects.create(
        member=reported.user, report=report, action=ModerationDecision.Action.WARN
    )
    with translation.override(_other(language)):
        assert decision_email_send(decision_id=str(decision.pk), role=role)
    [email] = mail.outbox
    _check(email, language)


def test_the_html_part_escapes_text_and_turns_a_lone_link_into_a_button():
    with translation.override("en"):
        html = html_from_text(
            "Hi <b>Dana</b> & co,\n\nOpen it:\n\nhttps://miel.app/x?a=1&b=2", button_label="Go"
        )
    assert "&lt;b&gt;Dana&lt;/b&gt; &amp; co" in html
    assert 'href="https://miel.app/x?a=1&amp;b=2"' in html
    assert ">Go</a>" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_reset_for_an_unknown_address_in_the_pages_language(client, language):
    client.cookies["django_language"] = language
    client.post("/accounts/password/reset/", {"email": f"nobody-{language}@mail.test"})
    [email] = mail.outbox
    with translation.override(language):
        assert translation.gettext("No account with this e-mail address") in email.subject
    html = _check(email, language)
    assert "https://miel.app/accounts/signup/" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_up_again_mails_the_owner_in_their_language(client, language):
    User.objects.create_user(f"owner-{language}@mail.test", PASSWORD, language=language)
    client.cookies["django_language"] = _other(language)
    client.post(
        "/accounts/signup/",
        {
            "email": f"owner-{language}@mail.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "confirm_adult": "on",
            "accept_terms": "on",
        },
    )
    [email] = mail.outbox
    with translation.override(language):
        assert translation.gettext("You already have an account") in email.subject
    _check(email, language)
