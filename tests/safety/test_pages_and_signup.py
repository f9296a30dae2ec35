"""Safety, privacy and terms pages in Hebrew and English, linked from the footer and sign-up;
sign-up requires confirming 18+ and accepting the terms (rules §3, §6)."""

from __future__ import annotations

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("/safety/", "en", "Dating safely on Miel"),
        ("/safety/", "he", 'היכרויות בטוחות <span class="nowrap">ב־Miel</span>'),
        ("/privacy/", "en", "Privacy policy"),
        ("/privacy/", "he", "מדיניות פרטיות"),
        ("/terms/", "en", "Terms of use"),
        ("/terms/", "he", "תנאי שימוש"),
    ],
)
def test_pages_in_both_languages_for_visitors(client, path, language, heading):
    client.cookies["django_language"] = language
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert heading in html
    assert f'lang="{language}"' in html


def test_safety_page_explains_reporting_and_verification(client):
    client.cookies["django_language"] = "en"
    html = client.get("/safety/").content.decode()
    assert 'id="report"' in html
    assert "tick the messages" in html
    assert 'id="verification"' in html
    assert "selfie" in html


def test_footer_and_signup_link_the_pages(client):
    client.cookies["django_language"] = "en"
    home = client.get("/").content.decode()
    signup = client.get("/accounts/signup/").content.decode()
    for path in ("/safety/", "/privacy/", "/terms/"):
        assert f'href="{path}"' in home
    assert 'href="/terms/"' in signup
    assert 'href="/privacy/"' in signup
    assert 'name="confirm_adult"' in signup
    assert 'name="accept_terms"' in signup


@pytest.mark.parametrize(
    ("language", "missing", "error"),
    [
        ("en", "confirm_adult", "You must be 18 or older to join Miel."),
        ("en", "accept_terms", "Please accept the terms and the privacy policy."),
        ("he", "confirm_adult", "ההצטרפות ל-Miel מגיל 18 ומעלה."),
        ("he", "accept_terms", "יש לאשר את תנאי השימוש ואת מדיניות הפרטיות."),
    ],
)
def test_signup_without_a_box_is_refused_with_a_translated_error(client, language, missing, error):
    client.cookies["django_language"] = language
    data = {
        "email": "new@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "confirm_adult": "on",
        "accept_terms": "on",
    }
    del data[missing]

    response = client.post("/accounts/signup/", data)

    assert response.status_code == 200  # the form again, with the error
    assert error in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_signup_with_both_boxes_goes_on(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "confirm_adult": "on",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()
