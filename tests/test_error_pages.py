"""Styled, translated error pages (rules §15): 404 / 403 / 400 with the site's look and language
(RTL in Hebrew), and a 500 page that renders without a request or the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path
from django.utils import translation

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("kaboom")


def _denied(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("bad")


handler400 = "miel.error_views.bad_request"
handler403 = "miel.error_views.permission_denied"
handler404 = "miel.error_views.page_not_found"
handler500 = "miel.error_views.server_error"

urlpatterns = [
    path("_test/boom/", _boom),
    path("_test/denied/", _denied),
    path("_test/suspicious/", _suspicious),
    path("", include("miel.urls")),
]

TEXTS = {
    404: "We couldn't find that page",
    403: "You can't open this page",
    400: "Something about that request was wrong",
    500: "Something went wrong on our side",
}


def _t(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture(autouse=True)
def _production_errors(settings):
    settings.DEBUG = False


@pytest.mark.parametrize(("language", "direction"), [("he", "rtl"), ("en", "ltr")])
def test_404_renders_the_translated_template(client, language, direction):
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert f'lang="{language}" dir="{direction}"' in body
    assert _t(language, TEXTS[404]) in body
    assert _t(language, "Back to the home page") in body
    assert "/static/css/miel.css" in body  # the site's look
    if language == "he":
        assert _t("he", TEXTS[404]) != TEXTS[404]


def test_404_for_a_signed_in_member_keeps_the_navigation(member_client):
    member_client.cookies["django_language"] = "en"
    response = member_client.get("/members/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    body = response.content.decode()
    assert TEXTS[404] in body
    assert "Log out" in body
    assert 'href="/members/"' in body


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("url", "status", "template"),
    [("/_test/denied/", 403, "403.html"), ("/_test/suspicious/", 400, "400.html")],
)
@pytest.mark.parametrize("language", ["he", "en"])
def test_403_and_400_pages(client, url, status, template, language):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == status
    assert template in [t.name for t in response.templates]
    assert _t(language, TEXTS[status]) in response.content.decode()


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("language", "direction"), [("he", "rtl"), ("en", "ltr")])
def test_500_page_in_the_request_language(language, direction):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    response = client.get("/_test/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert f'lang="{language}" dir="{direction}"' in body
    assert _t(language, TEXTS[500]) in body


def test_500_template_needs_no_request_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0), translation.override("he"):
        html = render_to_string("500.html")  # what django.views.defaults.server_error does
    assert 'dir="rtl"' in html
    assert _t("he", TEXTS[500]) in html


@pytest.fixture
def no_static_manifest(settings, tmp_path):
    """Production static storage before ``collectstatic``: every {% static %} raises."""
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("language", "direction"), [("he", "rtl"), ("en", "ltr")])
@pytest.mark.parametrize(("url", "status"), [("/no-such-page/", 404), ("/_test/boom/", 500)])
def test_error_pages_fall_back_to_plain_rather_than_fail(
    no_static_manifest, language, direction, url, status
):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == status
    body = response.content.decode()
    assert f'lang="{language}" dir="{direction}"' in body
    assert _t(language, TEXTS[status]) in body
    assert "/static/" not in body
