"""Sessions stay revocable with the cached session backend (rules §3, §16).

Production reads sessions through ``cached_db`` (Redis in front of the database: one query less
per page). Every test runs with both backends: logout, password change and account deletion
must end a session at once whether it is read from the cache or from the database.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
]


@pytest.fixture(params=ENGINES, ids=["db", "cached_db"])
def engine(request, settings) -> str:
    settings.SESSION_ENGINE = request.param
    return request.param


def logged_in(member) -> Client:
    """A browser that logged in through the login form (a real session of ``engine``)."""
    browser = Client()
    response = browser.post("/accounts/login/", {"login": member.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert browser.session.get("_auth_user_id") == str(member.user.pk)
    return browser


def _signed_in(browser: Client) -> bool:
    """Whether the browser's next page is served to a signed-in member (the settings page
    redirects anonymous visitors to the login page)."""
    response = browser.get("/settings/")
    return response.status_code == 200


def test_production_reads_sessions_through_the_cache_when_redis_is_set():
    expected = ENGINES[1] if django_settings.REDIS_URL else ENGINES[0]
    assert expected == django_settings.SESSION_ENGINE


def test_logout_ends_the_session_for_every_copy_of_the_cookie(engine):
    member = MemberFactory()
    browser = logged_in(member)
    stolen = Client()
    stolen.cookies["sessionid"] = browser.cookies["sessionid"].value
    assert _signed_in(stolen)
    key = browser.cookies["sessionid"].value

    browser.post("/accounts/logout/")

    assert not _signed_in(stolen)
    assert not Session.objects.filter(session_key=key).exists()
    store = import_module(engine).SessionStore
    assert not store().exists(key)
    if engine.endswith("cached_db"):
        assert cache.get(store.cache_key_prefix + key) is None


def test_password_change_signs_out_the_other_sessions_and_keeps_this_one(engine):
    member = MemberFactory()
    here, elsewhere = logged_in(member), logged_in(member)
    assert _signed_in(here)
    assert _signed_in(elsewhere)  # both sessions now cached (cached_db)

    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-pass-777", "password2": "another-pass-777"},
    )

    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def test_account_deletion_signs_out_every_session(engine):
    member = MemberFactory()
    here, elsewhere = logged_in(member), logged_in(member)
    assert _signed_in(elsewhere)

    response = here.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert not type(member.user).objects.filter(pk=member.user.pk).exists()
    assert not _signed_in(here)
    assert not _signed_in(elsewhere)


def test_a_signed_in_page_reads_the_session_without_a_query_when_cached(engine):
    """The floor every page pays (rules §16): with ``cached_db`` a signed-in request runs no
    session query once the session is cached, only the user lookup; with ``db`` both."""
    member = MemberFactory()
    browser = logged_in(member)
    browser.get("/healthz")  # warm: last-active write, session cached
    browser.get("/settings/")  # the bell's unread count is cached from here on (issue 19)
    with CaptureQueriesContext(connection) as ctx:
        response = browser.get("/settings/")
    assert response.status_code == 200
    tables = [q["sql"] for q in ctx.captured_queries]
    session_queries = [sql for sql in tables if "django_session" in sql]
    user_queries = [sql for sql in tables if 'FROM "accounts_user"' in sql]
    assert len(user_queries) == 1
    if engine.endswith("cached_db"):
        assert session_queries == []
    else:
        assert len(session_queries) == 1
    # session, user, the unread badge of base.html: nothing else on a plain signed-in page
    assert len(tables) == (2 if engine.endswith("cached_db") else 3)
