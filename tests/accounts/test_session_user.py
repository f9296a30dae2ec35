"""``accounts.selectors.session_user``: the socket's session -> account rule, the same answers as
``channels.auth.get_user`` with the row read in one constant statement (issue 20)."""

from __future__ import annotations

import pytest
from channels.auth import get_user as channels_get_user
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.selectors import session_user, user_by_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]


def _session(user, *, backend=BACKENDS[0], auth_hash=None, user_id=None) -> SessionStore:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk) if user_id is None else user_id
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash() if auth_hash is None else auth_hash
    session.create()
    return SessionStore(session.session_key)


def _channels_answer(session):
    user = channels_get_user.func({"session": session})
    return user if user.is_authenticated else None


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_signed_in_session_gives_its_account_in_one_query(backend):
    user = UserFactory()
    session = _session(user, backend=backend)
    session.get(SESSION_KEY)  # the session is read before: its read is not the lookup
    with CaptureQueriesContext(connection) as queries:
        found = session_user(session)
    assert len(queries) == 1
    assert found == user == _channels_answer(_session(user, backend=backend))
    # Every column converted as the ORM converts it.
    orm = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(orm, field.attname), field.name


def test_an_inactive_account_is_not_signed_in():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert session_user(_session(user)) is None
    assert _channels_answer(_session(user)) is None


def test_a_changed_password_ends_the_session_and_flushes_it():
    user = UserFactory()
    session = _session(user)
    user.set_password("a-new-long-password-1")
    user.save()
    assert session_user(session) is None
    assert _channels_answer(_session(user, auth_hash="stale")) is None
    assert SESSION_KEY not in session  # flushed, as channels does


@pytest.mark.parametrize(
    "change",
    [
        {"backend": "some.removed.Backend"},
        {"user_id": "01a247bc-444b-7213-87fc-1345429d68e3"},  # no such account
    ],
)
def test_sessions_that_name_no_usable_account_sign_nobody_in(change):
    user = UserFactory()
    assert session_user(_session(user, **change)) is None
    assert _channels_answer(_session(user, **change)) is None


def test_a_malformed_user_id_signs_nobody_in_where_channels_raised():
    user = UserFactory()
    assert session_user(_session(user, user_id="not-a-uuid")) is None
    with pytest.raises(ValidationError):
        _channels_answer(_session(user, user_id="not-a-uuid"))


def test_an_anonymous_session_signs_nobody_in():
    session = SessionStore()
    session["something"] = 1
    assert session_user(session) is None


def test_user_by_id_answers_none_for_unknown_or_malformed_ids():
    assert user_by_id("01a247bc-444b-7213-87fc-1345429d68e3") is None
    assert user_by_id("nope") is None
    user = UserFactory()
    assert user_by_id(user.pk) == user


def _hash_with(user, secret: str) -> str:
    return user._get_session_auth_hash(secret=secret)


def test_a_hash_made_with_a_fallback_secret_signs_in_over_http_and_rotates_the_session(
    settings, client
):
    """As Django's own get_user: SECRET_KEY rotated, the old key in SECRET_KEY_FALLBACKS."""
    user = UserFactory()
    old_secret = "an-old-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    session = _session(user, auth_hash=_hash_with(user, old_secret))
    old_key = session.session_key
    assert session_user(session, rotate_fallback=True) == user
    assert session.session_key != old_key  # cycled
    assert session[HASH_SESSION_KEY] == user.get_session_auth_hash()
    # The socket cannot hand out a new cookie: there the same session is ended.
    socket_session = _session(user, auth_hash=_hash_with(user, old_secret))
    assert session_user(socket_session) is None


def test_http_requests_get_their_account_from_the_middleware(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/settings/")
    assert response.status_code in (200, 302)
    assert response.wsgi_request.user == user
    assert type(response.wsgi_request.user._wrapped) is User
    client.cookies["sessionid"] = "not-a-session"
    assert client.get("/settings/").wsgi_request.user.is_anonymous


def test_a_request_whose_session_hash_is_stale_is_signed_out(client):
    user = UserFactory()
    client.force_login(user)
    user.set_password("a-new-long-password-2")
    user.save()
    assert client.get("/settings/").wsgi_request.user.is_anonymous
