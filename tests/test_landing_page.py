"""The landing page for visitors (issue 15): what Miel is, three screenshots of the app in the
visitor's language, sign up and log in."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading"),
    [("he", "קשרים מתוקים מתחילים כאן"), ("en", "Sweet connections start here")],
)
def test_landing_page_shows_the_app_and_the_way_in(client, language, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get("/").content.decode()
    assert heading in body
    assert body.count(f'href="{reverse("account_signup")}"') >= 2  # top bar and the hero
    assert f'href="{reverse("account_login")}"' in body
    shots = re.findall(r'src="/static/(img/landing/[a-z]+-([a-z]+)\.webp)"', body)
    assert [name.split("/")[-1].split("-")[0] for name, _ in shots] == [
        "discover",
        "profile",
        "chats",
    ]
    for path, shot_language in shots:
        assert shot_language == language
        found = finders.find(path)
        assert found is not None, path
    assert 'class="tabbar"' not in body  # no member navigation for a visitor
