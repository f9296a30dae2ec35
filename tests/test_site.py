"""Site-level behaviour: landing page, language, health check."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_renders_in_hebrew_right_to_left_by_default(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'lang="he"' in body
    assert 'dir="rtl"' in body


def test_home_switches_to_english_left_to_right(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    body = response.content.decode()
    assert 'lang="en"' in body
    assert 'dir="ltr"' in body


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_signed_in_member_is_sent_from_home_to_discovery(member_client):
    response = member_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/discover/"
