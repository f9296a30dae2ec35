"""Read-only account lookups on the hot path (rules §16)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.crypto import constant_time_compare

from miel.rawsql import instance_from_row

from .models import User


@cache
def _user_row_sql() -> tuple[str, tuple[str, ...]]:
    """The constant statement reading one account by primary key, and its field names."""
    fields = tuple(f.name for f in User._meta.concrete_fields)
    columns = ", ".join(
        connection.ops.quote_name(str(f.column)) for f in User._meta.concrete_fields
    )
    sql = (
        f"SELECT {columns} FROM {connection.ops.quote_name(User._meta.db_table)}"  # noqa: S608
        f" WHERE {connection.ops.quote_name(str(User._meta.pk.column))} = %s"
    )
    return sql, fields


def user_by_id(user_id: Any) -> User | None:
    """The account ``user_id`` (every column, converted as the ORM converts them), or None when
    there is none: one constant statement, where ``User.objects.get(pk=...)`` spent more CPU
    building its query than running it (issue 20: every socket connect reads one)."""
    sql, fields = _user_row_sql()
    try:
        pk = User._meta.pk.get_db_prep_value(User._meta.pk.to_python(user_id), connection)
    except ValidationError:
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return None if row is None else instance_from_row(User, fields, row)


def session_user(session: Any, *, rotate_fallback: bool = False) -> User | None:
    """The account ``session`` signs in, or None: the rule of ``django.contrib.auth.get_user``
    (the session names a user and a backend still in ``AUTHENTICATION_BACKENDS``, the backend
    lets the user authenticate (an active account), and the session's hash matches the user's
    current password hash; a session whose hash does not match is flushed), with the row read
    by :func:`user_by_id` when the backend is a ``ModelBackend`` (both configured ones).

    ``rotate_fallback`` (HTTP requests, as Django does): a hash made with one of
    ``SECRET_KEY_FALLBACKS`` still signs in, and the session gets a new key and the current
    hash. Without it (the socket, as ``channels.auth.get_user``: it cannot hand the browser a
    new cookie) such a session is flushed. A malformed user id signs nobody in."""
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if isinstance(backend, ModelBackend):
        user = user_by_id(user_id)
        if user is not None and not backend.user_can_authenticate(user):
            user = None
    else:
        user = backend.get_user(user_id)
    if user is None:
        return None
    session_hash = session.get(HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return user
    if (
        rotate_fallback
        and session_hash
        and any(
            constant_time_compare(session_hash, h) for h in user.get_session_auth_fallback_hash()
        )
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = current
        return user
    session.flush()
    return None
